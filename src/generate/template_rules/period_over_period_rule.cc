// "Month-over-month revenue growth in 2024", "year-over-year sales change":
// the total per period beside its change from the period before (LAG over
// the periods in time order); "percentage" makes the change relative.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_period_over_period(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit > 0 || !q_.having.empty()) return false;
  size_t cue = toks_.size(), cue_end = toks_.size();
  DatePart part = DatePart::kNone;
  for (size_t i = 0; i < toks_.size() && cue == toks_.size(); ++i) {
    if (consumed_[i]) continue;
    if (lexicon::kMonthOverMonth.count(lw(i))) cue = i, part = DatePart::kYearMonth;
    if (lexicon::kYearOverYear.count(lw(i))) cue = i, part = DatePart::kYear;
    // Written apart: "year over year", "month on month".
    if ((lw(i + 1) == "over" || lw(i + 1) == "on") && lw(i) == lw(i + 2) && (lw(i) == "month" || lw(i) == "year"))
      cue = i, part = lw(i) == "month" ? DatePart::kYearMonth : DatePart::kYear;
  }
  if (cue == toks_.size()) return false;
  cue_end = lw(cue + 1) == "over" || lw(cue + 1) == "on" ? cue + 3 : cue + 1;
  std::optional<Expr> figure;
  int figures = 0;
  for (const auto& [p, e] : q_.select) {
    if (e.agg == Agg::kNone) continue;
    ++figures;
    if (e.raw.empty() && (e.agg == Agg::kSum || e.agg == Agg::kCount || e.agg == Agg::kAvg)) figure = e;
  }
  if (figures == 0 && q_.select.size() == 1 && q_.group_by.empty()) {
    // "year-over-year growth in units sold": a measure named alone, totalled per period.
    const Expr& e = q_.select[0].second;
    if (e.agg == Agg::kNone && e.raw.empty() && !e.star && e.t >= 0 && e.part == DatePart::kNone && is_measure(e.t, e.c))
      figure = Expr{.agg = Agg::kSum, .t = e.t, .c = e.c}, figures = 1;
  }
  if (figures != 1 || !figure) return false;
  // The periods: the question's own time group, or the measured rows' dates.
  // Other groups ("by region") each get their own series of periods.
  std::optional<Expr> period;
  std::vector<Expr> series;
  for (const auto& g : q_.group_by) {
    if (g.part == part && !period)
      period = g;
    else if (g.part == DatePart::kNone && g.t >= 0 && !is_date(g.t, g.c))
      series.push_back(g);
    else
      return false;
  }
  if (!period) {
    int t = figure->star ? (q_.tables.empty() ? focus_ : q_.tables[0]) : figure->t;
    int dc = date_column_for(t);
    if (dc < 0) return false;
    period = period_expr(dc / 1000, dc % 1000, part);
  }
  if (!period) return false;
  Query inner = q_;
  // The series shown as the question shows them (a store by its name), kept apart by their keys.
  std::vector<std::pair<size_t, Expr>> shown;
  for (const auto& [pos, e] : q_.select) {
    if (e.agg == Agg::kNone && e.raw.empty() && !e.star && e.part == DatePart::kNone) shown.push_back({pos, e});
  }
  if (series.empty()) shown.clear();
  if (!series.empty() && shown.empty()) return false;
  inner.select = shown;
  inner.select.push_back({1000, *period});
  inner.select.push_back({1001, *figure});
  inner.group_by = series;
  inner.group_by.push_back(*period);
  inner.order_by.clear();
  inner.distinct = false;
  std::vector<std::string> names = name_columns(inner);
  std::string inner_sql = render(inner);
  if (inner_sql.empty()) return false;
  size_t n = names.size();
  std::string p = d_.quote_identifier(names[n - 2]), v = d_.quote_identifier(names[n - 1]);
  std::string partition, keys;
  for (size_t i = 0; i + 2 < n; ++i) {
    partition += (i ? ", " : "") + d_.quote_identifier(names[i]);
    keys += d_.quote_identifier(names[i]) + ", ";
  }
  std::string previous = "LAG(" + v + ") OVER (" + (partition.empty() ? "" : "PARTITION BY " + partition + " ") +
                         "ORDER BY " + p + ")";
  bool percent = false;
  for (size_t i = 0; i < toks_.size(); ++i) percent = percent || lexicon::kPercent.count(lw(i)) > 0;
  std::string change = percent ? "(" + v + " - " + previous + ") * 100.0 / " + previous : v + " - " + previous;
  nested_sql = "SELECT " + keys + p + ", " + v + ", " + change + " AS " +
               d_.quote_identifier(percent ? "change_pct" : "change") + " FROM (" + inner_sql + ") AS " +
               d_.quote_identifier("periods") + " ORDER BY " + keys + p;
  for (size_t i = cue; i < cue_end; ++i) consumed_[i] = true;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lexicon::kChangeWords.count(lw(i)) || (percent && lexicon::kPercent.count(lw(i)))) consumed_[i] = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
