// "between 10 and 20": a BETWEEN on the nearest numeric column.
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

bool TemplateQueryBuilder::pass_between() {
  // Explicit "between A and B".
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lw(i) != "between") continue;
    Item* a = item_at(i + 1);
    Item* b = item_at(i + 3);
    if (!a || !b || a->kind != ItemKind::kNumber || b->kind != ItemKind::kNumber || lw(i + 2) != "and") continue;
    if (is_year(a->number) && is_year(b->number) && a->text.find('-') == std::string::npos) continue;  // years below
    int ci = nearest_numeric_column(i >= 5 ? i - 5 : 0, i, true);
    if (ci < 0) ci = nearest_numeric_column(i + 4, i + 7, false);
    if (ci < 0) continue;
    Item& c = items_[ci];
    c.used = a->used = b->used = true;
    consumed_[i] = consumed_[i + 2] = true;
    add_condition({{Expr{.t = c.t, .c = c.c}, "BETWEEN",
                    number_sql(a->number, a->text) + " AND " + number_sql(b->number, b->text)}});
  }
  return true;
}

}  // namespace t2sql::template_rules
