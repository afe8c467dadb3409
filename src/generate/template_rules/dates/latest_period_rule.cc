// "in the latest month": the period equals the last one stored.
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

bool TemplateQueryBuilder::pass_latest_period() {
  if (latest_period_ && date_.dc >= 0) {
    Expr period = period_expr(date_.dc / 1000, date_.dc % 1000, *latest_period_);
    add_condition({{period, "=",
                    "(SELECT MAX(" + expr_sql(period, false) + ") FROM " +
                        d_.quote_identifier(cat_.tables[date_.dc / 1000].name) + ")"}});
  } else if (latest_period_) {
    penalize(0.6, "no date column for the latest period");
  }
  return true;
}

}  // namespace t2sql::template_rules
