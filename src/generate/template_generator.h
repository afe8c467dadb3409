// TemplateGenerator: the engine that answers with no model. It reads a
// question with general rules over any schema: words link to tables and
// columns (SchemaLinker), literals to stored values (ValueIndex), numbers,
// years, months and relative ranges to conditions, and cue words ("how
// many", "average", "by", "top 5", "more than", "never", ...) to the shape of
// one SELECT: aggregates, WHERE, GROUP BY, HAVING, ORDER BY + LIMIT, joins
// along foreign keys, NOT IN for negations. Each guess it has to make lowers
// a score; the reading's features (template_calibration.h) make that the
// probability that the answer is right, and below the threshold it abstains
// and says why instead of returning SQL it does not trust. It never emits
// SQL that writes.
//
//   auto gen = make_template_generator(catalog, db);   // db may be null
//   auto out = (*gen)->generate({.question = "top 5 brands by revenue"});
//
// Owns its linker and join graph; shares the database's value index
// (db/shared_value_index.h) with the pipeline's entity stage. generate() reads the
// database (latest dates for relative ranges, validation) through `db`,
// which must outlive the generator; like Database it is not thread-safe.
// Errors: none for questions (abstentions are answers); creation fails only
// when the value index cannot read the database.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "generate/join_graph.h"
#include "generate/schema_linker.h"
#include "db/value_index.h"
#include "sql/dialect.h"
#include "t2sql/catalog.h"
#include "t2sql/generator.h"

namespace t2sql {

// The rules' own gate: with no min_confidence, a reading whose rule score
// (1 minus the penalties of its guesses) is below this abstains.
inline constexpr double kRuleScoreGate = 0.7;

struct TemplateOptions {
  // Abstain below this probability of being right (the calibrated
  // confidence); negative: the rules' own gate (kRuleScoreGate). The
  // ensemble passes the calibrated threshold (TemplateCalibration::builtin().
  // threshold(), fitted on Spider train for 85% accuracy on answered questions).
  double min_confidence = -1;
  bool validate = true;         // ask the database to plan the SQL before answering
  bool build_value_index = true;
  // Rules left out by name (template_rules::rule_names()),
  // so that an evaluation measures what each is worth.
  std::set<std::string> disabled_rules;
};

namespace template_rules {
class TemplateQueryBuilder;
// The names of the analyst rules (template_rules/analyst_rules.cc), in the order they run.
const std::vector<std::string>& analyst_rule_names();
// Every rule of the engine in the order it runs (template_rules/passes.cc):
// its name, stage (shape, conditions, dates, analyst, finish) and a one-line example.
struct RuleInfo {
  std::string name, stage, example;
  bool required = false;  // cannot be disabled: every later rule reads what it finds
};
const std::vector<RuleInfo>& rule_catalog();
// The names `--disable-rule` accepts: every rule but the required ones.
const std::vector<std::string>& rule_names();
}  // namespace template_rules

class TemplateGenerator final : public Generator {
 public:
  static Result<std::unique_ptr<TemplateGenerator>> create(const Catalog& catalog, Database* db,
                                                           const TemplateOptions& options = {});

  std::string name() const override { return "template"; }
  Result<GenerationResult> generate(const GenerationRequest& request) override;

  const Catalog& catalog() const { return catalog_; }
  const TemplateOptions& options() const { return options_; }
  const ValueIndex& value_index() const { return *values_; }
  // The latest value of a date column ("2024-12-31"), for "last year";
  // empty when unknown. Cached.
  std::string latest_date(int table, int column);

 private:
  TemplateGenerator(const Catalog& catalog, Database* db, const TemplateOptions& options);
  // Reads the question's other plausible readings into result.alternatives
  // (template_alternatives.cc); true when one as likely as `main` answers
  // differently, so that the engine abstains.
  bool read_alternatives(const GenerationRequest& request, const template_rules::TemplateQueryBuilder& main,
                         GenerationResult& result);

  Catalog catalog_;
  Database* db_;
  TemplateOptions options_;
  Dialect dialect_;
  SchemaLinker linker_;
  JoinGraph joins_;
  std::shared_ptr<const ValueIndex> values_;  // never null; empty without a database
  std::map<std::pair<int, int>, std::string> latest_dates_;
};

Result<std::unique_ptr<Generator>> make_template_generator(const Catalog& catalog, Database* db,
                                                           const TemplateOptions& options = {});

}  // namespace t2sql
