// Two years and "vs", "compared", or "and" with a grouping word: the years
// are compared side by side, not filtered.
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

bool TemplateQueryBuilder::pass_year_comparison_cue() {
  {
    int years = 0;
    for (const auto& it : items_) years += it.kind == ItemKind::kNumber && is_year(it.number) && it.text.size() == 4;
    yoy_ = years >= 2 && (any_word({"vs", "versus", "compared", "comparison", "compare", "against"}) ||
                          (any_word({"and"}) && any_word({"each", "per", "by", "yearly", "annual"})));
  }
  return true;
}

}  // namespace t2sql::template_rules
