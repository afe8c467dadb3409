// DISTINCT: "different", "unique", or a repeating column listed alone
// ("list all regions").
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

bool TemplateQueryBuilder::pass_distinct_values() {
  if (shape_.distinct && !count_ && shape_.aggs.empty() && q_.group_by.empty()) q_.distinct = true;
  // "List all regions", "what cities are in the Central region": a column
  // whose values repeat is listed once per value.
  if (!count_ && q_.group_by.empty() && q_.limit < 0 && !q_.select.empty()) {
    bool repeats = true;
    for (const auto& [p, e] : q_.select) {
      repeats = repeats && e.agg == Agg::kNone && !e.star && e.part == DatePart::kNone && e.t >= 0 &&
                !is_key(e.t, e.c) && !is_numeric(e.t, e.c) && !is_date(e.t, e.c) && e.c != name_column(e.t) &&
                !col(e.t, e.c).primary_key;
    }
    bool single_col = q_.select.size() == 1;
    if (repeats && single_col) q_.distinct = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
