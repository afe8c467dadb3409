// "Running total of revenue by month in 2024", "cumulative number of sales per
// month": the total per period summed over the periods so far (SUM ... OVER
// the periods in time order); other groups each get their own running total.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_running_total(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit > 0 || !q_.having.empty()) return false;
  size_t cue = toks_.size(), cue_end = toks_.size();
  for (size_t i = 0; i < toks_.size() && cue == toks_.size(); ++i) {
    if (lexicon::kCumulative.count(lw(i))) cue = i, cue_end = i + 1;
    if (lw(i) == "running" && lexicon::kRunningFigure.count(lw(i + 1))) cue = i, cue_end = i + 2;
  }
  if (cue == toks_.size()) return false;
  std::optional<Expr> figure;
  int figures = 0;
  for (const auto& [p, e] : q_.select) {
    if (e.agg == Agg::kNone) continue;
    ++figures;
    if (e.raw.empty() && (e.agg == Agg::kSum || e.agg == Agg::kCount)) figure = e;
  }
  if (figures != 1 || !figure) return false;
  // The periods: the question's own time group; other groups are series.
  std::optional<Expr> period;
  std::vector<Expr> series;
  for (const auto& g : q_.group_by) {
    if (g.part != DatePart::kNone && !period)
      period = g;
    else if (g.part == DatePart::kNone && g.t >= 0 && !is_date(g.t, g.c))
      series.push_back(g);
    else
      return false;
  }
  if (!period) return false;
  std::vector<std::pair<size_t, Expr>> shown;
  for (const auto& [pos, e] : q_.select) {
    if (e.agg == Agg::kNone && e.raw.empty() && !e.star && e.part == DatePart::kNone) shown.push_back({pos, e});
  }
  if (series.empty()) shown.clear();
  if (!series.empty() && shown.empty()) return false;
  Query inner = q_;
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
  nested_sql = "SELECT " + keys + p + ", SUM(" + v + ") OVER (" +
               (partition.empty() ? "" : "PARTITION BY " + partition + " ") + "ORDER BY " + p + ") AS " +
               d_.quote_identifier("running_total") + " FROM (" + inner_sql + ") AS " + d_.quote_identifier("periods") +
               " ORDER BY " + keys + p;
  for (size_t i = cue; i < cue_end; ++i) consumed_[i] = true;
  return true;
}

}  // namespace t2sql::template_rules
