// The analyst rules in their declared order, each switchable by name
// (TemplateOptions::disabled_rules, `t2sql eval --disable-rule NAME`).
#include "generate/template_generator.h"
#include "generate/template_query_builder.h"

namespace t2sql::template_rules {

namespace {

struct NamedRule {
  const char* name;
  bool (TemplateQueryBuilder::*apply)(std::string& nested_sql);
};

}  // namespace

const std::vector<std::string>& analyst_rule_names() {
  // growth_measure and growth_superlative run inside the year-over-year comparison (dates).
  static const std::vector<std::string> kNames = {"growth_measure",
                                                  "growth_superlative",
                                                  "entity_count",
                                                  "weekday",
                                                  "compare_values",
                                                  "share_of_total",
                                                  "per_entity_average",
                                                  "top_k_per_group",
                                                  "period_over_period",
                                                  "running_total",
                                                  "median",
                                                  "top_k_share",
                                                  "unknown_value",
                                                  "unread_shape"};
  return kNames;
}

void TemplateQueryBuilder::run_analyst_rules(std::string& nested_sql) {
  // Filters first (they change what every later rule totals), then the
  // shapes built around the query, then the check that nothing was left.
  static const NamedRule kAnalystRules[] = {
      {"entity_count", &TemplateQueryBuilder::rule_entity_count},
      {"weekday", &TemplateQueryBuilder::rule_weekday},
      {"compare_values", &TemplateQueryBuilder::rule_compare_values},
      {"share_of_total", &TemplateQueryBuilder::rule_share_of_total},
      {"per_entity_average", &TemplateQueryBuilder::rule_per_entity_average},
      {"top_k_per_group", &TemplateQueryBuilder::rule_top_k_per_group},
      {"period_over_period", &TemplateQueryBuilder::rule_period_over_period},
      {"running_total", &TemplateQueryBuilder::rule_running_total},
      {"median", &TemplateQueryBuilder::rule_median},
      {"top_k_share", &TemplateQueryBuilder::rule_top_k_share},
      {"unknown_value", &TemplateQueryBuilder::rule_unknown_value},
      {"unread_shape", &TemplateQueryBuilder::rule_unread_shape},
  };
  for (const auto& rule : kAnalystRules) {
    if (gen_.options().disabled_rules.count(rule.name)) continue;
    if ((this->*rule.apply)(nested_sql)) fired(rule.name);
  }
}

}  // namespace t2sql::template_rules
