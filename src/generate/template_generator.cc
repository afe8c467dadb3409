#include "generate/template_generator.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "generate/question_parser.h"
#include "generate/template_calibration.h"
#include "generate/template_query_builder.h"
#include "db/shared_value_index.h"
#include "t2sql/database.h"

namespace t2sql {

TemplateGenerator::TemplateGenerator(const Catalog& catalog, Database* db, const TemplateOptions& options)
    : catalog_(catalog),
      db_(db),
      options_(options),
      dialect_(Dialect::for_engine(catalog.engine)),
      linker_(catalog_),
      joins_(catalog_, !options.disabled_rules.count("undeclared_keys")),
      values_(empty_value_index()) {}

Result<std::unique_ptr<TemplateGenerator>> TemplateGenerator::create(const Catalog& catalog, Database* db,
                                                                     const TemplateOptions& options) {
  std::unique_ptr<TemplateGenerator> gen(new TemplateGenerator(catalog, db, options));
  if (db && options.build_value_index) {
    auto index = shared_value_index(*db, gen->catalog_);
    if (!index.ok()) return index.status();
    gen->values_ = std::move(*index);
  }
  return gen;
}

std::string TemplateGenerator::latest_date(int table, int column) {
  auto key = std::make_pair(table, column);
  if (auto it = latest_dates_.find(key); it != latest_dates_.end()) return it->second;
  std::string out;
  if (db_) {
    const auto& t = catalog_.tables[table];
    auto rows = db_->execute("SELECT MAX(" + dialect_.quote_identifier(t.columns[column].name) + ") FROM " +
                             dialect_.quote_identifier(t.name));
    if (rows.ok() && !rows->rows.empty() && !rows->rows[0].empty()) out = rows->rows[0][0].to_string();
  }
  latest_dates_[key] = out;
  return out;
}

Result<GenerationResult> TemplateGenerator::generate(const GenerationRequest& request) {
  auto start = std::chrono::steady_clock::now();
  GenerationResult result;
  result.engine = "template";
  QuestionCheck check = check_question(request.question);
  if (check.verdict != QuestionVerdict::kOk) {
    result.reason = (check.verdict == QuestionVerdict::kWritesData ? "refused: " : "cannot answer: ") + check.reason;
    return result;
  }
  template_rules::TemplateQueryBuilder b(*this, catalog_, dialect_, linker_, joins_, *values_, request);
  b.run();
  const TemplateCalibration& calibration = TemplateCalibration::builtin();
  double rule_score = std::clamp(b.confidence_, 0.0, 1.0);
  result.confidence_features = std::move(b.features_);
  result.confidence_features["rule_score"] = rule_score;
  result.confidence = b.sql_.empty() ? 0 : calibration.probability(result.confidence_features);
  // With no threshold given the rules' own gate decides (their score below
  // kRuleScoreGate); the calibrated probability is then the answer's
  // confidence, and the ensemble sets the calibrated threshold.
  bool calibrated_gate = options_.min_confidence >= 0;
  double threshold = calibrated_gate ? options_.min_confidence : kRuleScoreGate;
  double gated = calibrated_gate ? result.confidence : rule_score;
  result.rules = b.rules_fired_;
  GenerationAttempt attempt;
  attempt.sql = b.sql_;
  if (b.sql_.empty()) {
    result.reason =
        "cannot answer: " + (b.reason_.empty() ? std::string("the question did not match any rule") : b.reason_);
    attempt.error = result.reason;
  } else if (gated < threshold) {
    std::string why;
    for (size_t i = 0; i < b.notes_.size(); ++i) why += (i ? "; " : "") + b.notes_[i];
    result.reason = std::string("cannot answer: not confident enough (") +
                    (calibrated_gate ? "probability right " : "rule score ") + std::to_string(gated).substr(0, 4) +
                    " < " + std::to_string(threshold).substr(0, 4) + ")" + (why.empty() ? "" : ": " + why);
    attempt.error = result.reason;
  } else {
    Status guard = Status();
    if (options_.validate && db_) guard = db_->validate(b.sql_);
    if (!guard.ok()) {
      result.reason = "cannot answer: the SQL built does not run: " + guard.message();
      attempt.error = result.reason;
    } else if (!options_.disabled_rules.count("alternatives") && read_alternatives(request, b, result)) {
      result.reason = "cannot answer: two readings as likely as each other give different answers (" +
                      result.alternatives[0].description + ")";
      attempt.error = result.reason;
    } else {
      result.answered = true;
      result.sql = b.sql_;
      std::string why;
      for (size_t i = 0; i < b.notes_.size(); ++i) why += (i ? "; " : "") + b.notes_[i];
      result.reason = why;
    }
  }
  attempt.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  result.attempts.push_back(std::move(attempt));
  return result;
}

Result<std::unique_ptr<Generator>> make_template_generator(const Catalog& catalog, Database* db,
                                                           const TemplateOptions& options) {
  auto gen = TemplateGenerator::create(catalog, db, options);
  if (!gen.ok()) return gen.status();
  return std::unique_ptr<Generator>(std::move(gen).value());
}

}  // namespace t2sql
