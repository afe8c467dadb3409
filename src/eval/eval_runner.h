// EvalRunner: runs every question of a BenchmarkSuite through a Generator and
// scores it against the gold SQL by execution.
//
//   auto run = run_evaluation(suite, factory, {.jobs = 4});
//   EvalSummary s = summarize(*run);
//
// Per question: the gold query runs once (timeout, row cap; a gold that fails
// puts the question aside as a suite error, not a miss); the question goes
// through the same Pipeline that `t2sql ask` and the server use, with the
// stages entities, retrieval (when `rag`), generation, validation, repair and
// execution (read-only, timeout, row cap), so that the figures measure what
// users meet (the time up to execution is the latency); the two results are
// compared (result_comparator.h: multisets, or in order when the gold query
// orders its outer result). A timeout, an error or a refusal of the predicted
// SQL is a miss with its reason. Exact-set match and similarity of the SQL
// text are measured beside.
//
// Threads: `jobs` workers; each opens its own Database connection and builds
// its own Pipeline (and Generator) per database (neither is thread-safe). The
// factory is called from worker threads and must be safe to call
// concurrently. Errors: kInvalidArgument for bad options; everything
// that goes wrong with one question is data in its CaseResult.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eval/benchmark_suite.h"
#include "eval/training_shapes.h"
#include "t2sql/database.h"
#include "t2sql/generator.h"
#include "t2sql/retrieval.h"

namespace t2sql {

// Builds the generator under test for one database.
using EvalGeneratorFactory = std::function<Result<std::unique_ptr<Generator>>(const Catalog&, Database*)>;
// A similarity of predicted and gold SQL in [0, 1] (lexical by default; an
// embedding model can be plugged in).
using SqlSimilarityFn = std::function<double(const std::string& gold, const std::string& predicted)>;
// A judge that says whether the predicted SQL means the same as the gold SQL
// (an LLM asked the design documents' question). Errors leave the case unjudged.
using SqlJudgeFn = std::function<Result<bool>(const EvalCase& question, const std::string& predicted)>;

struct EvalOptions {
  std::string mode = "template";  // a label for reports
  // The pipeline's retrieval stage runs (configured by `retrieval`; its
  // cache_dir defaults to the database's cache folder, as `ask --rag`'s).
  bool rag = false;
  RetrievalOptions retrieval;
  int max_repairs = 2;  // the pipeline's repair budget (PipelineOptions::max_repairs)
  int jobs = 1;
  int limit = 0;  // first N questions; 0: all
  ExecOptions gold_exec{.timeout_ms = 30000, .max_rows = 100000};
  OpenOptions open;  // how each case's database is opened
  ExecOptions predicted_exec{.timeout_ms = 10000, .max_rows = 100000};
  double rel_tolerance = 1e-9;
  SqlSimilarityFn similarity;  // empty: lexical_sql_similarity
  std::string similarity_measure = "lexical";  // for reports: what `similarity` computes
  // Asked about every answered question; an unanswered one counts as judged
  // 0 without asking (no SQL is not the same query), so that abstaining does
  // not raise the judge's score. Empty: no judge metric.
  SqlJudgeFn judge;
  std::string judge_name;  // for reports: the judge's model
  // The skeletons of a training set: a question whose gold SQL's skeleton is
  // not among them is "novel" (CaseResult::novel). Null: novelty unknown.
  std::shared_ptr<const TrainingShapes> training_shapes;
  std::string training_set;  // for reports: where the shapes came from
  bool progress = true;        // a progress bar on stderr
};

struct CaseResult {
  std::string id, db_id, question, gold_sql, category, hardness;
  std::string predicted_sql;
  std::string engine;
  bool gold_ok = true;       // false: the gold query failed; the case is left out of the metrics
  bool answered = false;     // the generator did not abstain
  bool executed = false;     // the predicted SQL ran
  bool correct = false;      // same result as (one of) the gold queries
  bool exact_match = false;  // normalized SQL equal
  int judged = -1;           // -1 not judged, else 0 / 1
  int novel = -1;            // -1 unknown (no training set), 1 gold SQL shape not in it, 0 seen
  int prompt_tokens = 0;     // the generator's prompt tokens, every try summed (0: it reports none)
  int llm_tries = 0;         // the model's tries behind prompt_tokens (repairs included)
  int vote = -1;             // -1 no execution vote, 1 the vote chose another result than greedy's, else 0
  double similarity = 0;
  double confidence = 0;
  std::map<std::string, double> confidence_features;  // what the confidence came from (template engine)
  std::vector<std::string> rules;  // template engine: the named rules that shaped the SQL
  std::string reason;  // why not correct (or why the gold failed)
  double generation_ms = 0, execution_ms = 0, gold_ms = 0;
};

struct EvalRun {
  std::string suite, mode;
  bool rag = false;
  std::string similarity_measure, judge_name, training_set;
  int jobs = 1;
  std::vector<CaseResult> cases;     // in suite order
  std::vector<std::string> skipped;  // from the suite loader
  double wall_ms = 0;
};

Result<EvalRun> run_evaluation(const BenchmarkSuite& suite, const EvalGeneratorFactory& factory,
                               const EvalOptions& options);

// Whether the gold query orders its outer result (then rows compare in order).
bool gold_is_ordered(const std::string& gold_sql);

}  // namespace t2sql
