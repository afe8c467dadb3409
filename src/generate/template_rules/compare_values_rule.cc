// "Compare revenue of the North and South regions", "Electronics vs Toys
// revenue in 2024": two or more values of one column, set side by side by a
// comparison word, are each a group (GROUP BY the column), not one total
// over both.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_compare_values(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit > 0 || !q_.group_by.empty() || !q_.having.empty()) return false;
  bool cue = false;
  for (size_t i = 0; i < toks_.size(); ++i) cue = cue || lexicon::kCompareValues.count(lw(i)) > 0;
  if (!cue || q_.select.size() != 1) return false;
  const Expr& figure = q_.select[0].second;
  if (figure.agg == Agg::kNone || figure.distinct || !figure.raw.empty()) return false;
  // The one condition that lists the values compared.
  const Cond* listed = nullptr;
  for (const auto& group : q_.where) {
    if (group.size() != 1 || group[0].op != "IN") continue;
    const Expr& e = group[0].lhs;
    if (e.agg != Agg::kNone || e.t < 0 || e.c < 0 || e.part != DatePart::kNone || !e.raw.empty()) continue;
    if (listed) return false;
    listed = &group[0];
  }
  if (!listed) return false;
  Expr column = listed->lhs;
  q_.group_by.push_back(column);
  q_.select.insert(q_.select.begin(), {0, column});
  return true;
}

}  // namespace t2sql::template_rules
