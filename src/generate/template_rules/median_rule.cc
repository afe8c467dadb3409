// "What's the median sale amount?", "the median price of products": the
// middle value of a measure column (the mean of the two middle values when
// their count is even), over the rows the other words pick. SQLite has no
// MEDIAN: each value's place in order (ROW_NUMBER) beside their count, the
// middle one or two kept and averaged; DuckDB and ClickHouse have median(),
// PostgreSQL PERCENTILE_CONT(0.5). Per group ("the median sale amount by
// region"): the places and counts are taken within each group (PARTITION BY)
// and the middle values averaged per group.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_median(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit > 0 || !q_.having.empty()) return false;
  for (const auto& g : q_.group_by) {
    if (g.agg != Agg::kNone || !g.raw.empty() || g.t < 0) return false;
  }
  std::vector<size_t> cues;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (!consumed_[i] && !item_covering(i) && lexicon::kMedian.count(lw(i))) cues.push_back(i);
  }
  if (cues.empty()) return false;
  // The one figure asked for: a measure column, listed or read as its total or
  // average; beside it, only the groups' own columns.
  std::vector<std::pair<size_t, Expr>> shown;
  std::optional<std::pair<size_t, Expr>> figure;
  for (const auto& [pos, e] : q_.select) {
    bool plain = e.agg == Agg::kNone && e.raw.empty() && !e.star;
    if (!q_.group_by.empty() && plain && !(e.t >= 0 && e.c >= 0 && is_measure(e.t, e.c) && e.part == DatePart::kNone))
      shown.push_back({pos, e});
    else if (figure)
      return false;
    else
      figure = {pos, e};
  }
  if (!figure || (!q_.group_by.empty() && shown.empty())) return false;
  const Expr x0 = figure->second;
  if (x0.star || !x0.raw.empty() || x0.t < 0 || x0.c < 0 || x0.part != DatePart::kNone || x0.distinct) return false;
  if (x0.agg != Agg::kNone && x0.agg != Agg::kSum && x0.agg != Agg::kAvg) return false;
  if (!is_measure(x0.t, x0.c)) return false;
  Expr x{.t = x0.t, .c = x0.c};
  std::string alias = "median_" + col(x.t, x.c).name;
  Query q = q_;
  q.distinct = false;
  q.order_by.clear();
  if (d_.engine() != Dialect::Engine::kSqlite) {
    auto median_of = [&](bool qualify) {
      std::string v = col_sql(x.t, x.c, qualify);
      if (d_.engine() == Dialect::Engine::kPostgres) return "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY " + v + ")";
      return (d_.engine() == Dialect::Engine::kClickHouse ? "median(" : "MEDIAN(") + v + ")";
    };
    q.select = shown;
    q.select.push_back(
        {figure->first, Expr{.t = x.t, .raw = median_of(false), .raw_qualified = median_of(true), .alias = alias}});
    q_ = std::move(q);
  } else {
    q.where.push_back({Cond{.lhs = x, .op = "IS NOT", .rhs = "NULL"}});
    // Each value with its place in order and the count: the middle one or two kept.
    auto partition = [&](bool qualify) {
      std::string keys;
      for (const auto& g : q.group_by) keys += (keys.empty() ? "PARTITION BY " : ", ") + expr_sql(g, qualify);
      return keys;
    };
    auto window = [&](bool qualify) {
      std::string keys = partition(qualify);
      return "ROW_NUMBER() OVER (" + keys + (keys.empty() ? "" : " ") + "ORDER BY " + col_sql(x.t, x.c, qualify) + ")";
    };
    auto count = [&](bool qualify) { return "COUNT(*) OVER (" + partition(qualify) + ")"; };
    Query values = q;
    values.group_by.clear();
    Expr value = x;
    value.alias = "value";
    // The groups' keys and the columns that show them, named for the outer query.
    std::string keys, outer_shown;
    values.select.clear();
    for (size_t g = 0; g < q.group_by.size(); ++g) {
      Expr key = q.group_by[g];
      key.alias = "group_" + std::to_string(g);
      values.select.push_back({values.select.size(), key});
      keys += (g ? ", " : "") + d_.quote_identifier(key.alias);
    }
    for (size_t k = 0; k < shown.size(); ++k) {
      Expr e = shown[k].second;
      e.alias = "shown_" + std::to_string(k);
      values.select.push_back({values.select.size(), e});
      outer_shown += d_.quote_identifier(e.alias) + " AS " + d_.quote_identifier(col(e.t, e.c).name) + ", ";
    }
    values.select.push_back({values.select.size(), value});
    values.select.push_back(
        {values.select.size(), Expr{.raw = window(false), .raw_qualified = window(true), .alias = "place"}});
    values.select.push_back(
        {values.select.size(), Expr{.raw = count(false), .raw_qualified = count(true), .alias = "n"}});
    std::string values_sql = render(values);
    if (values_sql.empty()) return false;
    // DISTINCT (a join that repeats the rows) would drop equal values.
    if (values_sql.rfind("SELECT DISTINCT", 0) == 0) return false;
    std::string place = d_.quote_identifier("place"), n = d_.quote_identifier("n");
    nested_sql = "SELECT " + outer_shown + "AVG(" + d_.quote_identifier("value") + ") AS " +
                 d_.quote_identifier(alias) + " FROM (" + values_sql + ") AS " + d_.quote_identifier("ordered") +
                 " WHERE " + place + " BETWEEN (" + n + " + 1) / 2 AND (" + n + " + 2) / 2" +
                 (keys.empty() ? "" : " GROUP BY " + keys + " ORDER BY " + keys);
  }
  for (size_t i : cues) consumed_[i] = true;
  return true;
}

}  // namespace t2sql::template_rules
