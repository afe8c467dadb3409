// "the highest number of active stores in any month", "the average number
// of sales per month": an aggregate over the per-period counts. Not when
// the period is asked for ("which month had the most sales").
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_aggregate_of_period_counts() {
  bool period_asked = lw(0) == "which" || lw(0) == "when" || nw(1) == "month" || nw(1) == "year" || nw(1) == "day" ||
                      (lw(0) == "what" && item_at(1) != nullptr);
  for (size_t i = 0; i + 2 < toks_.size() && nested_sql_.empty() && !period_asked; ++i) {
    auto outer = lexicon::kOuterAggregates.find(lw(i));
    if (outer == lexicon::kOuterAggregates.end() || !(at(i + 1, {"number", "of"}) || at(i + 1, {"count", "of"})))
      continue;
    if (q_.group_by.size() != 1) continue;
    const Expr& g = q_.group_by[0];
    if (g.star || g.t < 0 || !is_date(g.t, g.c)) continue;
    std::optional<Expr> count;
    for (const auto& [p, e] : q_.select) {
      if (e.agg == Agg::kCount && !count) count = e;
    }
    for (const auto& [e, desc] : q_.order_by) {
      if (e.agg == Agg::kCount && !count) count = e;
    }
    if (!count) continue;
    Query inner = q_;
    inner.select = {{0, g}, {1, *count}};
    inner.order_by.clear();
    inner.having.clear();
    inner.limit = -1;
    inner.distinct = false;
    inner.agg_alias = "n";
    std::string inner_sql = render(inner);
    if (inner_sql.empty()) continue;
    nested_sql_ = std::string("SELECT ") + agg_sql(outer->second) + "(" + d_.quote_identifier("n") + ") FROM (" +
                  inner_sql + ") AS " + d_.quote_identifier("periods");
    consumed_[i] = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
