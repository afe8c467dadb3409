// "Compare revenue of the North and South regions", "Electronics vs Toys
// revenue in 2024": two or more values of one column, set side by side by a
// comparison word, are each a group (GROUP BY the column), not one total
// over both; "how much more revenue did A make than B" is the difference of
// the two values' figures.
#include <string>
#include <utility>

#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_compare_values(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit > 0 || !q_.group_by.empty() || !q_.having.empty()) return false;
  bool cue = false;
  for (size_t i = 0; i < toks_.size(); ++i) cue = cue || lexicon::kCompareValues.count(lw(i)) > 0;
  // "How much more revenue did the East make than the West?": the figure of
  // the value before "than" minus the figure of the one after, one number.
  size_t than = toks_.size();
  bool how_much_more = lw(0) == "how" && (lw(1) == "much" || lw(1) == "many") &&
                       (lw(2) == "more" || lw(2) == "less" || lw(2) == "fewer");
  for (size_t i = 3; i < toks_.size() && how_much_more && than == toks_.size(); ++i) {
    if (lw(i) == "than") than = i;
  }
  if ((!cue && than == toks_.size()) || q_.select.size() != 1) return false;
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
  if (than < toks_.size()) {
    const Item* first = nullptr;
    const Item* second = nullptr;
    for (const auto& it : items_) {
      if (it.kind != ItemKind::kValue || it.t != column.t || it.c != column.c) continue;
      const Item*& slot = it.begin < than ? first : second;
      if (slot) return false;  // more than one value on a side
      slot = &it;
    }
    if (!first || !second || figure.agg == Agg::kMin || figure.agg == Agg::kMax) return false;
    if (lw(2) != "more") std::swap(first, second);  // "how much less A than B": B's figure minus A's
    auto arm = [&](const Item& v, bool qualify) {
      std::string then = figure.star ? "1" : col_sql(figure.t, figure.c, qualify);
      std::string when = "CASE WHEN " + expr_sql(column, qualify) + " = " + d_.string_literal(v.value.value) +
                         " THEN " + then + (figure.agg == Agg::kAvg ? " END" : " ELSE 0 END");
      return std::string(figure.agg == Agg::kAvg ? "AVG" : "SUM") + "(" + when + ")";
    };
    Expr difference{.t = figure.star ? (q_.tables.empty() ? focus_ : q_.tables[0]) : figure.t,
                    .raw = arm(*first, false) + " - " + arm(*second, false),
                    .raw_qualified = arm(*first, true) + " - " + arm(*second, true),
                    .alias = "difference"};
    q_.select[0].second = difference;
    consumed_[than] = consumed_[2] = true;
    return true;
  }
  q_.group_by.push_back(column);
  q_.select.insert(q_.select.begin(), {0, column});
  return true;
}

}  // namespace t2sql::template_rules
