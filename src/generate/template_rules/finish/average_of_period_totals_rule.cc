// "average monthly revenue", "average daily sales": the average of the
// per-period totals, not of the single rows (or of one row per period).
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

bool TemplateQueryBuilder::pass_average_of_period_totals() {
  for (size_t i = 0; i + 1 < toks_.size() && nested_sql_.empty(); ++i) {
    if (lw(i) != "average" && lw(i) != "avg" && lw(i) != "mean") continue;
    const std::string& p = lw(i + 1);
    bool daily = p == "daily";
    if (!daily && p != "monthly" && p != "yearly" && p != "annual") continue;
    auto avg = std::find_if(q_.select.begin(), q_.select.end(), [&](const auto& s) {
      return s.second.agg == Agg::kAvg && !s.second.star && s.second.t >= 0 && is_numeric(s.second.t, s.second.c);
    });
    if (avg == q_.select.end()) continue;
    Expr period;
    if (daily) {
      int dc = date_column_for(avg->second.t);
      if (dc < 0) continue;
      period = Expr{.t = dc / 1000, .c = dc % 1000};
    } else {
      auto g = std::find_if(q_.group_by.begin(), q_.group_by.end(),
                            [&](const Expr& e) { return e.part != DatePart::kNone && e.agg == Agg::kNone; });
      if (g == q_.group_by.end() || q_.group_by.size() != 1) continue;
      period = *g;
    }
    Query inner = q_;
    Expr total = avg->second;
    total.agg = Agg::kSum;
    inner.select = {{0, period}, {1, total}};
    inner.group_by = {period};
    inner.order_by.clear();
    inner.having.clear();
    inner.limit = -1;
    inner.distinct = false;
    inner.agg_alias = "total";
    std::string inner_sql = render(inner);
    if (inner_sql.empty()) continue;
    nested_sql_ = "SELECT AVG(" + d_.quote_identifier("total") + ") FROM (" + inner_sql + ") AS " +
                  d_.quote_identifier("periods");  // PostgreSQL names every subquery
    consumed_[i + 1] = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
