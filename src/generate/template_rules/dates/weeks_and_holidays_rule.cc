// "the week of Christmas", "Black Friday", "in week 12": day ranges
// (their month words are not month filters).
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

bool TemplateQueryBuilder::pass_weeks_and_holidays() {
  // Months: "in March 2024", "in March", "between March and May".
  // Weeks and holidays first: their month words are not month filters.
  if (date_.dc >= 0)
    date_.day_ranges = week_and_holiday_ranges(Expr{.t = date_.dc / 1000, .c = date_.dc % 1000}, date_.years);
  return true;
}

}  // namespace t2sql::template_rules
