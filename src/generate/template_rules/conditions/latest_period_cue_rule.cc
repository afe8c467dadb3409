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
  // "in the last 3 months", "the past 30 days": the unit is the range's
  // (relative_ranges), not a column named "month" or "date".
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    if (lw(i) != "last" && lw(i) != "past" && lw(i) != "previous") continue;
    size_t unit = reading_number(i + 1) ? i + 2 : i + 1;
    static const std::set<std::string> kUnits = {"year", "years", "month", "months", "week", "weeks", "day", "days"};
    if (!kUnits.count(lw(unit)) || (unit == i + 1 && (lw(unit) == "weeks" || lw(unit) == "days"))) continue;
    if (Item* u = item_at(unit); u && u->kind == ItemKind::kColumn) {
      u->used = true;
      consumed_[unit] = true;
      cond_tokens_.insert(unit);
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
