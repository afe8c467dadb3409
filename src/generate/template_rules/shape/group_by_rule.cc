// GROUP BY: the group keys and the other projected columns; a HAVING
// groups by the named category or the main table's key.
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

bool TemplateQueryBuilder::pass_group_by() {
  for (const auto& g : shape_.group_exprs) {
    if (std::find(q_.group_by.begin(), q_.group_by.end(), g) == q_.group_by.end()) q_.group_by.push_back(g);
  }
  // Other projected columns of a grouped entity go into GROUP BY too, so
  // that every engine accepts the query.
  if (!q_.group_by.empty()) {
    for (const auto& [p, e] : q_.select) {
      if (e.agg != Agg::kNone || e.star) continue;
      if (std::find(q_.group_by.begin(), q_.group_by.end(), e) == q_.group_by.end()) q_.group_by.push_back(e);
    }
  }
  if (!q_.having.empty() && q_.group_by.empty() && !shape_.plain.empty()) {
    // "regions with more than 7 stores": the named column is the group.
    bool category = true;
    for (const auto& p : shape_.plain)
      category = category && !is_key(p.second.t, p.second.c) && p.second.c != name_column(p.second.t);
    if (category) {
      for (const auto& p : shape_.plain) q_.group_by.push_back(p.second);
    }
  }
  if (!q_.having.empty() && q_.group_by.empty()) {
    int k = key_column(focus_);
    if (k < 0) {
      reason_ = "cannot group '" + cat_.tables[focus_].name + "' rows for the count condition";
      return false;
    }
    q_.group_by.push_back(Expr{.t = focus_, .c = k});
  }
  return true;
}

}  // namespace t2sql::template_rules
