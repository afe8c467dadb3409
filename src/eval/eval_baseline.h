// EvalBaseline: an earlier `t2sql eval --json` report read back, so that a new
// run of the same suite and modes can be compared with it question by question
// (`t2sql eval --baseline`): the questions that were right and are now wrong
// (lost), the reverse (gained), and those whose SQL changed. Questions are
// matched by database, question text and id; a question whose gold query failed
// in either run is left out, as the metrics leave it out.
//
//   auto before = load_eval_baseline("before.json");
//   auto cmp = compare_with_baseline(*before, run_ptrs);  // one per mode, in run order
//   std::cout << baseline_table(summaries, *cmp, 10);     // eval_report.h
//
// Errors: kNotFound for a missing file; kInvalidArgument for a file that is not
// an eval report with cases, or a report of another suite or set of modes.
// Plain data and functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "eval/eval_runner.h"
#include "t2sql/status.h"

namespace t2sql {

// One question of the baseline report, as far as the comparison needs it.
struct BaselineCase {
  std::string id, db_id, question, predicted_sql;
  bool gold_ok = true, correct = false;
};

// The headline figures of one mode of the baseline report (-1: the report had none).
struct BaselineMetrics {
  int n = 0, correct = 0, confident = 0;
  double execution_accuracy = 0, answered_rate = 0, ece = -1, confident_accuracy = -1;
};

struct BaselineMode {
  std::string mode;
  BaselineMetrics metrics;
  std::vector<BaselineCase> cases;
};

struct EvalBaseline {
  std::string path, suite;
  std::vector<BaselineMode> modes;  // in the report's order
};

// A question whose outcome differs between the baseline and this run.
struct BaselineChange {
  std::string id, db_id, question, before_sql, now_sql;
  std::string reason;  // this run's: why it is not right now (empty when it is)
};

// One mode of this run against the same mode of the baseline.
struct BaselineComparison {
  std::string mode, path;
  BaselineMetrics before;
  int matched = 0;      // questions of this run found in the baseline (gold ran in both)
  int only_now = 0;     // questions of this run the baseline lacks
  int only_before = 0;  // questions of the baseline this run lacks (another --limit, an edited suite)
  int changed_sql = 0;  // matched questions whose predicted SQL differs
  std::vector<BaselineChange> gained, lost;  // in this run's order
};

Result<EvalBaseline> load_eval_baseline(const std::string& path);

// Compares each run with the baseline's mode of the same label. The baseline
// must be of the runs' suite, hold exactly their modes and share at least one
// question with them.
Result<std::vector<BaselineComparison>> compare_with_baseline(const EvalBaseline& baseline,
                                                              const std::vector<const EvalRun*>& runs);

// Checks, before any question runs, that the baseline is of this suite (its
// name, and at least one question in common) and holds exactly these modes
// (labels as in EvalRun::mode).
Status check_baseline_matches(const EvalBaseline& baseline, const BenchmarkSuite& suite,
                              const std::vector<std::string>& modes);

}  // namespace t2sql
