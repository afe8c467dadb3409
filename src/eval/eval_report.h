// EvalReport: the metrics of one evaluation run and the ways they are written
// out (a terminal table, JSON, a Markdown failure report). Several runs of one
// suite (one per mode) are shown side by side.
//
// Metric definitions (n = questions whose gold query ran):
//   execution_accuracy  correct / n: the predicted rows equal the gold rows
//   execution_rate      executed / n: an answer was given and its SQL ran
//   exact_set_match     normalized SQL equal (sql_normalizer.h) / n
//   answered_rate       answered / n: the engine did not abstain
//   answered_accuracy   correct / answered (0 when nothing was answered)
//   similarity          mean SQL similarity over answered questions
//   judge_accuracy      judged equivalent / judged (null without a judge); an
//                       unanswered question is judged 0, a judge error leaves it out
//   novel_accuracy      correct / novel questions: those whose gold SQL skeleton
//                       (sql/sql_skeleton.h) is not in the training set (null
//                       without one); seen_accuracy the same over the others
//   prompt_tokens_mean  mean prompt tokens per question, every try summed, over
//                       the questions whose generator reported any (null: none did)
//   prompt_tokens_per_try  the same tokens over the model's tries: the size of one
//                       prompt, which schema retrieval shrinks (repairs do not count twice)
//   ece                 expected calibration error over the answered questions:
//                       sum over ten confidence bins [0, 0.1), ..., [0.9, 1] of
//                       |accuracy - mean confidence| weighted by the bin's share
//                       (null when nothing was answered); reliability: the bins
//   ece_chance          the ECE that perfectly calibrated confidences would
//                       still show on these answers from chance alone (the mean
//                       over 200 draws of each answer right with probability its
//                       confidence, fixed seed): an ECE near it is as good as
//                       the number of answers can show
//   confident_accuracy  correct / answered with confidence >= 0.9 (null: none)
//   vote_differs_rate   with --candidates: questions whose execution vote chose
//                       another result than the greedy statement's / questions
//                       that had a vote (null: none had one)
//   latency_ms          p50 / p95 of generation time over all n questions
//   execution_ms        p50 / p95 of the predicted SQL's run time (executed)
// Percentiles are nearest-rank. Plain functions of their inputs; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "eval/eval_baseline.h"
#include "eval/eval_runner.h"

namespace t2sql {

// One bin of the reliability table: answered questions with confidence in [low, high).
struct ReliabilityBin {
  double low = 0, high = 0, mean_confidence = 0;
  int n = 0, correct = 0;
};

struct EvalMetrics {
  int n = 0, answered = 0, executed = 0, correct = 0, exact = 0, judged = 0, judged_equal = 0;
  double execution_accuracy = 0, execution_rate = 0, exact_set_match = 0, answered_rate = 0, answered_accuracy = 0,
         similarity = 0;
  double judge_accuracy = -1;  // -1: no judge
  int novel = 0, novel_correct = 0, seen = 0, seen_correct = 0;
  double novel_accuracy = -1, seen_accuracy = -1;  // -1: no training set
  double prompt_tokens_mean = -1;                  // -1: no prompt tokens reported
  double prompt_tokens_per_try = -1;
  int voted = 0, vote_differs = 0;
  double vote_differs_rate = -1;  // -1: no execution vote
  double latency_p50_ms = 0, latency_p95_ms = 0, execution_p50_ms = 0, execution_p95_ms = 0;
  double ece = -1;  // -1: nothing answered
  double ece_chance = -1;
  int confident = 0, confident_correct = 0;
  double confident_accuracy = -1;  // -1: no answer with confidence >= 0.9
  std::vector<ReliabilityBin> reliability;
};

// The reliability table (ten bins), the expected calibration error and the
// answers with confidence >= 0.9, over answers given as (confidence, right)
// pairs; confidences are clamped to [0, 1]. ece is -1 when there are none;
// ece_chance as in EvalMetrics.
struct CalibrationMetrics {
  std::vector<ReliabilityBin> reliability;
  double ece = -1, ece_chance = -1;
  int confident = 0, confident_correct = 0;
};
CalibrationMetrics calibration_metrics(const std::vector<std::pair<double, bool>>& answers);

struct EvalSummary {
  std::string suite, mode;
  bool rag = false;
  std::string similarity_measure, judge_name, training_set;
  int jobs = 1;
  double wall_ms = 0;
  int gold_errors = 0;  // questions left out because their gold query failed
  int skipped = 0;      // questions the loader left out (missing database)
  EvalMetrics overall;
  std::vector<std::pair<std::string, EvalMetrics>> by_hardness;  // easy, medium, hard, extra (present ones)
  std::vector<std::pair<std::string, EvalMetrics>> by_category;  // sorted by name; empty when no categories
};

EvalMetrics compute_metrics(const std::vector<const CaseResult*>& cases);
EvalSummary summarize(const EvalRun& run);

// Nearest-rank percentile of `values` (0 for none); p in [0, 100].
double percentile(std::vector<double> values, double p);

// One JSON object; with several runs, the first run's fields at the top level
// plus "modes": [one object per run]. `with_cases` adds every question's outcome.
// `baselines` (one per run, from compare_with_baseline) adds to each run's
// object "baseline": the earlier report's figures, the gained, lost and
// changed counts and the ids of the questions gained and lost.
std::string report_json(const std::vector<EvalSummary>& summaries, const std::vector<const EvalRun*>& runs,
                        bool with_cases, const std::vector<BaselineComparison>& baselines = {});
std::string report_table(const std::vector<EvalSummary>& summaries);
// Each run against the baseline (`baselines[i]` against `summaries[i]`):
// execution accuracy, answered rate, ECE and accuracy at confidence >= 0.9
// before -> now, the gained / lost / changed-SQL counts, every lost question
// (database, question, SQL before and now, reason) and the first
// `gained_limit` gained ones.
std::string baseline_table(const std::vector<EvalSummary>& summaries, const std::vector<BaselineComparison>& baselines,
                           int gained_limit);
// `plot_file`: the reliability plot (reliability_svg) written beside the
// report, linked from it by this relative name; empty: no link.
std::string report_markdown(const std::vector<EvalSummary>& summaries, const std::vector<const EvalRun*>& runs,
                            const std::string& plot_file = "");
// The reliability diagram of every mode (accuracy against confidence per
// bin, the diagonal for perfect calibration) as a standalone SVG.
std::string reliability_svg(const std::vector<EvalSummary>& summaries);

}  // namespace t2sql
