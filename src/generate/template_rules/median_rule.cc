// "What's the median sale amount?", "the median price of products": the
// middle value of a measure column (the mean of the two middle values when
// their count is even), over the rows the other words pick. SQLite has no
// MEDIAN: each value's place in order (ROW_NUMBER) beside their count, the
// middle one or two kept and averaged; DuckDB and ClickHouse have median(),
// PostgreSQL PERCENTILE_CONT(0.5). A median per group is left unread (the
// engine abstains through unread_shape).
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_median(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit > 0 || !q_.group_by.empty() || !q_.having.empty()) return false;
  std::vector<size_t> cues;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (!consumed_[i] && !item_covering(i) && lexicon::kMedian.count(lw(i))) cues.push_back(i);
  }
  if (cues.empty() || q_.select.size() != 1) return false;
  // The one figure asked for: a measure column, listed or read as its total or average.
  const Expr x0 = q_.select[0].second;
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
    q.select = {{0, Expr{.t = x.t, .raw = median_of(false), .raw_qualified = median_of(true), .alias = alias}}};
    q_ = std::move(q);
  } else {
    q.where.push_back({Cond{.lhs = x, .op = "IS NOT", .rhs = "NULL"}});
    // Each value with its place in order and the count: the middle one or two kept.
    auto window = [&](bool qualify) {
      return std::string("ROW_NUMBER() OVER (ORDER BY ") + col_sql(x.t, x.c, qualify) + ")";
    };
    Query values = q;
    Expr value = x;
    value.alias = "value";
    values.select = {{0, value},
                     {1, Expr{.raw = window(false), .raw_qualified = window(true), .alias = "place"}},
                     {2, Expr{.raw = "COUNT(*) OVER ()", .raw_qualified = "COUNT(*) OVER ()", .alias = "n"}}};
    std::string values_sql = render(values);
    if (values_sql.empty()) return false;
    // DISTINCT (a join that repeats the rows) would drop equal values.
    if (values_sql.rfind("SELECT DISTINCT", 0) == 0) return false;
    std::string place = d_.quote_identifier("place"), n = d_.quote_identifier("n");
    nested_sql = "SELECT AVG(" + d_.quote_identifier("value") + ") AS " + d_.quote_identifier(alias) + " FROM (" +
                 values_sql + ") AS " + d_.quote_identifier("ordered") + " WHERE " + place + " BETWEEN (" + n +
                 " + 1) / 2 AND (" + n + " + 2) / 2";
  }
  for (size_t i : cues) consumed_[i] = true;
  return true;
}

}  // namespace t2sql::template_rules
