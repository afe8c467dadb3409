// "cars with 4 cylinders", "a cat that is age 3": a number right next to a
// numeric column is that column's value.
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

bool TemplateQueryBuilder::pass_number_beside_column() {
  // "cars with 4 cylinders", "a cat that is age 3": a number right next to a
  // numeric column of the question's tables is that column's value.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kNumber || it.used || is_year(it.number)) continue;
    const std::string& before = lw(it.begin - 1);
    if (lw(it.end) == "or" || before == "top" || before == "first" || before == "last" || before == "bottom") continue;
    Item* c = item_at(it.end);
    bool column_after = c && c->kind == ItemKind::kColumn && c->t >= 0 && !c->used;
    if (!column_after) {
      c = it.begin > 0 ? item_covering(it.begin - 1) : nullptr;  // "age 3"
      column_after = false;
      if (!(c && c->kind == ItemKind::kColumn && c->t >= 0 && !c->used && c->end == it.begin)) continue;
    } else if (!(before == "with" || before == "has" || before == "have" || before == "had" || before == "of" ||
                 before == "is" || before == "are" || before == "all")) {
      continue;
    }
    if (!is_numeric(c->t, c->c) || is_key(c->t, c->c) || is_date(c->t, c->c)) continue;
    if (c->t != focus_ && !contains_int(mentioned_tables_, c->t)) continue;
    it.used = true;
    c->used = true;
    add_condition({{Expr{.t = c->t, .c = c->c}, "=", number_sql(it.number, it.text)}});
  }
  return true;
}

}  // namespace t2sql::template_rules
