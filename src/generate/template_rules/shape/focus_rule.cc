// The main table of the question, and each linked item resolved to one
// table or column. Required: every later rule reads them.
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

bool TemplateQueryBuilder::pass_focus() {
  focus_ = choose_focus();
  if (focus_ < 0) {
    reason_ = "no table or column of the database matches the question";
    return false;
  }
  add_table(focus_);
  resolve_items();
  return true;
}

}  // namespace t2sql::template_rules
