// "The number of concerts in the stadium with the highest capacity": a
// figure of the rows related to the one row a superlative picks. ORDER BY ...
// LIMIT 1 over one aggregate row picks nothing; the row is picked in a
// subquery of its own table and the figure is taken over its related rows.
#include <string>

#include "generate/template_query_builder.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_aggregate_of_extreme_row() {
  if (!nested_sql_.empty() || !q_.group_by.empty() || !q_.having.empty() || q_.limit != 1 || q_.order_by.size() != 1 ||
      q_.select.empty() || q_.tables.empty())
    return true;
  for (const auto& [p, e] : q_.select) {
    if (e.agg == Agg::kNone || !e.raw.empty()) return true;
  }
  const auto& [order, desc] = q_.order_by[0];
  if (order.agg != Agg::kNone || order.star || !order.raw.empty() || order.t < 0 || order.t == q_.tables[0])
    return true;
  int key = key_column(order.t);
  if (key < 0) return true;
  const std::string table = d_.quote_identifier(cat_.tables[order.t].name);
  std::string picked = "(SELECT " + col_sql(order.t, key, false) + " FROM " + table + " ORDER BY " +
                       expr_sql(Expr{.t = order.t, .c = order.c, .part = order.part}, false) + (desc ? " DESC" : "") +
                       d_.limit(1) + ")";
  add_condition({{Expr{.t = order.t, .c = key}, "IN", picked}});
  q_.order_by.clear();
  q_.limit = -1;
  return true;
}

}  // namespace t2sql::template_rules
