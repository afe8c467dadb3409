// "still open", "currently open": no closing date yet.
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

bool TemplateQueryBuilder::pass_still_open() {
  // "still open", "currently open": no closing date yet.
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lw(i) != "open" || lw(0) == "when") continue;
    // "open" may have linked to an opening date; the state wins.
    Item* linked = item_at(i);
    if (linked && !(linked->kind == ItemKind::kColumn && linked->t >= 0 && is_date(linked->t, linked->c))) continue;
    std::vector<int> scan{focus_};
    for (int t : mentioned_tables_) scan.push_back(t);
    int found_t = -1, found_c = -1;
    for (int t : scan) {
      for (size_t c = 0; t >= 0 && c < cat_.tables[t].columns.size() && found_c < 0; ++c) {
        const auto& w = linker_.column_words(t, c);
        if (is_date(t, c) && col(t, c).nullable &&
            (contains(w, "closed") || contains(w, "close") || contains(w, "closing") || contains(w, "end") ||
             contains(w, "ended"))) {
          found_t = t;
          found_c = static_cast<int>(c);
        }
      }
      if (found_c >= 0) break;
    }
    if (found_c < 0) continue;
    consumed_[i] = true;
    cond_tokens_.insert(i);
    if (lw(i - 1) == "still" || lw(i - 1) == "currently") consumed_[i - 1] = true, cond_tokens_.insert(i - 1);
    if (linked) linked->used = true;
    add_condition({{Expr{.t = found_t, .c = found_c}, "IS", "NULL"}});
  }
  return true;
}

}  // namespace t2sql::template_rules
