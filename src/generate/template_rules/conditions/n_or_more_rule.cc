// "3 or more X", "2 or fewer X" without a leading comparator.
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

bool TemplateQueryBuilder::pass_n_or_more() {
  // "N or more X" / "N or fewer X" without a leading comparator.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kNumber || it.used) continue;
    size_t k = it.end;
    if (!(lw(k) == "or" && (lw(k + 1) == "more" || lw(k + 1) == "fewer" || lw(k + 1) == "less"))) continue;
    std::string op = lw(k + 1) == "more" ? ">=" : "<=";
    consumed_[k] = consumed_[k + 1] = true;
    Item* after = next_item(k + 2, 2);
    // "card type codes that have 5 or more cards": rows of the main table
    // counted per the column named before, or a key standing for its rows.
    bool grouped_before = false, said_id = false;
    for (const auto& other : items_) {
      grouped_before |= after && other.kind == ItemKind::kColumn && other.end <= it.begin && other.t == after->t &&
                        other.t >= 0 && !is_numeric(other.t, other.c);
    }
    for (size_t j = after ? after->begin : 0; after && j < after->end; ++j) {
      said_id |= lexicon::kIdentifierWords.count(nw(j)) > 0;
    }
    bool counted = after && after->t >= 0 &&
                   ((after->kind == ItemKind::kTable && (after->t != focus_ || grouped_before)) ||
                    (after->kind == ItemKind::kColumn && is_key(after->t, after->c) && !said_id));
    if (counted) {
      after->used = true;
      it.used = true;
      add_table(after->t);
      q_.having.push_back({Expr{.agg = Agg::kCount, .star = true}, op, number_sql(it.number, it.text)});
    } else if (after && after->kind == ItemKind::kColumn && after->t >= 0 && is_numeric(after->t, after->c)) {
      after->used = true;
      it.used = true;
      add_condition({{Expr{.t = after->t, .c = after->c}, op, number_sql(it.number, it.text)}});
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
