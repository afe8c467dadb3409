// "What was the amount in January 2023?": a measure of dated rows asked
// for a period, with nothing else to tell the rows apart, is its total.
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

bool TemplateQueryBuilder::pass_period_total() {
  // "What was the amount in January 2023?": a measure of dated rows asked for
  // a period, with nothing else to tell the rows apart, is the period's total.
  if (q_.select.size() == 1 && q_.group_by.empty() && q_.order_by.empty() && q_.limit < 0 && q_.having.empty() &&
      time_filtered_ && !q_.where.empty() && !count_ && !yoy_case_) {
    Expr& e = q_.select[0].second;
    bool only_time = true;
    for (const auto& g : q_.where) {
      for (const auto& c : g) only_time = only_time && c.lhs.t == e.t && c.lhs.t >= 0 && is_date(c.lhs.t, c.lhs.c);
    }
    if (e.agg == Agg::kNone && !e.star && e.t >= 0 && is_measure(e.t, e.c) && only_time && lw(0) != "list" &&
        lw(0) != "show" && !any_word({"each", "every", "all"})) {
      e.agg = Agg::kSum;
      q_.distinct = false;
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
