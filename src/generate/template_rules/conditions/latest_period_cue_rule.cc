// "in the latest month", "the most recent year": the last period stored
// (its date column is chosen with the other dates, latest_period).
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

bool TemplateQueryBuilder::pass_latest_period_cue() {
  // "in the latest month", "the most recent year": the last period stored.
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    size_t unit = i + 1;
    if (at(i, {"most", "recent"}))
      unit = i + 2;
    else if (lw(i) != "latest" && lw(i) != "newest")
      continue;
    DatePart part = nw(unit) == "month"                         ? DatePart::kYearMonth
                    : nw(unit) == "year"                        ? DatePart::kYear
                    : (nw(unit) == "day" || nw(unit) == "date") ? DatePart::kNone
                                                                : DatePart::kMonth;
    if (part == DatePart::kMonth || lw(i - 1) != "the") continue;
    latest_period_ = part;  // its date column is chosen with the others (dates())
    for (size_t k = i; k <= unit; ++k) consumed_[k] = true, cond_tokens_.insert(k);
    if (Item* u = item_at(unit)) u->used = true;
    time_filtered_ = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
