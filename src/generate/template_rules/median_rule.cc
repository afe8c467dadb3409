// "What's the median sale amount?", "the median price of products": the
// middle value of a measure column (the mean of the two middle values when
// their count is even), over the rows the other words pick. SQLite has no
// MEDIAN: the values in order, the middle one or two kept with LIMIT and
// OFFSET computed from their count; DuckDB and ClickHouse have median(),
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
    Query values = q, count = q;
    values.select = {{0, x}};
    values.order_by = {{x, false}};
    count.select = {{0, Expr{.agg = Agg::kCount, .t = x.t, .c = x.c}}};
    count.name_aggregates = false;
    std::string values_sql = render(values), count_sql = render(count);
    if (values_sql.empty() || count_sql.empty()) return false;
    // DISTINCT (a join that repeats the rows) would drop equal values.
    if (values_sql.rfind("SELECT DISTINCT", 0) == 0) return false;
    std::string v = d_.quote_identifier(col(x.t, x.c).name);
    nested_sql = "SELECT AVG(" + v + ") AS " + d_.quote_identifier(alias) + " FROM (" + values_sql + " LIMIT 2 - (" +
                 count_sql + ") % 2 OFFSET ((" + count_sql + ") - 1) / 2) AS " + d_.quote_identifier("middle");
  }
  for (size_t i : cues) consumed_[i] = true;
  return true;
}

}  // namespace t2sql::template_rules
