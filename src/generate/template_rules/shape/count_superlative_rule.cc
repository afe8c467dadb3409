// Superlative over counts: "the stadium with the most concerts", "the year
// with the most sales".
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

bool TemplateQueryBuilder::pass_count_superlative() {
  // Superlative over counts: "the stadium with the most concerts".
  if (shape_.super_count) {
    if (shape_.group_exprs.empty()) {
      // Rows of the counted table grouped by a column of its own ("the year
      // with the most concerts"), or entities by their key.
      int owner = shape_.plain.empty() ? focus_ : shape_.plain[0].second.t;
      bool own_columns = !shape_.plain.empty() && (owner == super_count_table_ || super_count_table_ < 0);
      for (const auto& p : shape_.plain)
        own_columns = own_columns && p.second.t == owner && !is_key(p.second.t, p.second.c);
      // "which region had the most sales": a repeating column is the group.
      bool category = shape_.plain.size() == 1 && shape_.plain[0].second.c != name_column(owner) &&
                      !is_key(owner, shape_.plain[0].second.c) && !is_numeric(owner, shape_.plain[0].second.c);
      if (own_columns || category) {
        for (const auto& p : shape_.plain) shape_.group_exprs.push_back(p.second);
      } else {
        int k = key_column(owner);
        if (k >= 0)
          shape_.group_exprs.push_back(Expr{.t = owner, .c = k});
        else if (!shape_.plain.empty())
          shape_.group_exprs.push_back(shape_.plain[0].second);
      }
    }
    shape_.orders.push_back({Expr{.agg = Agg::kCount, .star = true}, shape_.super_desc});
    if (shape_.limit < 0) shape_.limit = 1;
  }
  return true;
}

}  // namespace t2sql::template_rules
