// "Month-over-month revenue growth in 2024", "year-over-year sales change":
// the total per period beside its change from the period before (LAG over
// the periods in time order); "percentage" makes the change relative.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_period_over_period(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit > 0 || !q_.having.empty()) return false;
  size_t cue = toks_.size();
  DatePart part = DatePart::kNone;
  for (size_t i = 0; i < toks_.size() && cue == toks_.size(); ++i) {
    if (consumed_[i]) continue;
    if (lexicon::kMonthOverMonth.count(lw(i))) cue = i, part = DatePart::kYearMonth;
    if (lexicon::kYearOverYear.count(lw(i))) cue = i, part = DatePart::kYear;
  }
  if (cue == toks_.size()) return false;
  std::optional<Expr> figure;
  int figures = 0;
  for (const auto& [p, e] : q_.select) {
    if (e.agg == Agg::kNone) continue;
    ++figures;
    if (e.raw.empty() && (e.agg == Agg::kSum || e.agg == Agg::kCount || e.agg == Agg::kAvg)) figure = e;
  }
  if (figures != 1 || !figure) return false;
  // The periods: the question's own time group, or the measured rows' dates.
  std::optional<Expr> period;
  for (const auto& g : q_.group_by) {
    if (g.part == part && q_.group_by.size() == 1) period = g;
  }
  if (!period && q_.group_by.empty()) {
    int t = figure->star ? (q_.tables.empty() ? focus_ : q_.tables[0]) : figure->t;
    int dc = date_column_for(t);
    if (dc < 0) return false;
    period = period_expr(dc / 1000, dc % 1000, part);
  }
  if (!period) return false;
  Query inner = q_;
  inner.select = {{0, *period}, {1, *figure}};
  inner.group_by = {*period};
  inner.order_by.clear();
  inner.distinct = false;
  std::vector<std::string> names = name_columns(inner);
  std::string inner_sql = render(inner);
  if (inner_sql.empty()) return false;
  std::string p = d_.quote_identifier(names[0]), v = d_.quote_identifier(names[1]);
  std::string previous = "LAG(" + v + ") OVER (ORDER BY " + p + ")";
  bool percent = false;
  for (size_t i = 0; i < toks_.size(); ++i) percent = percent || lexicon::kPercent.count(lw(i)) > 0;
  std::string change = percent ? "(" + v + " - " + previous + ") * 100.0 / " + previous : v + " - " + previous;
  nested_sql = "SELECT " + p + ", " + v + ", " + change + " AS " +
               d_.quote_identifier(percent ? "change_pct" : "change") + " FROM (" + inner_sql + ") AS " +
               d_.quote_identifier("periods") + " ORDER BY " + p;
  consumed_[cue] = true;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lexicon::kChangeWords.count(lw(i)) || (percent && lexicon::kPercent.count(lw(i)))) consumed_[i] = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
