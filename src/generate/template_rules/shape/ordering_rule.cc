// ORDER BY and LIMIT: explicit orders, the ranking's measure, time
// order, "highest first"; grouped totals listed by their group.
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

bool TemplateQueryBuilder::pass_ordering() {
  // Ordering: explicit orders, then ranking by the measure. A ranking
  // ("top 5 ... by revenue") or a total ranked ("which store sold the
  // most") shows the figure it ranks by.
  for (const auto& o : shape_.orders) {
    q_.order_by.push_back(o);
    bool shown = false;
    for (const auto& sx : q_.select) shown = shown || sx.second == o.first;
    if (!shown && by_measure_ && o.first.agg != Agg::kNone) q_.select.push_back({1000, o.first});
  }
  if (shape_.ranking && shape_.orders.empty()) {
    Expr by;
    bool found = false;
    for (const auto& [p, e] : q_.select) {
      if (e.agg != Agg::kNone && !found) {
        by = e;
        found = true;
      }
    }
    if (!found) {
      penalize(0.4, "a ranking with nothing to rank by");
    } else {
      q_.order_by.push_back({by, shape_.limit_desc});
    }
  }
  if (shape_.limit > 0) q_.limit = shape_.limit;
  if (q_.order_by.empty() && time_order_ && q_.limit < 0 && !list_desc_) q_.order_by.push_back({*time_order_, false});
  // Grouped totals are listed by their group, as a report would (time
  // groups in time order); "highest first" orders them by the figure.
  if (q_.order_by.empty() && (!q_.group_by.empty() || list_desc_) && q_.limit < 0) {
    for (const auto& [p, e] : q_.select) {
      if (list_desc_ ? e.agg != Agg::kNone : (e.agg == Agg::kNone && !e.star)) {
        q_.order_by.push_back({e, list_desc_.value_or(false)});
        break;
      }
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
