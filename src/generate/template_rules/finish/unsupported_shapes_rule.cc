// Questions whose shape the rules do not cover: "both ... and" (an
// intersection), "either" (maybe a union).
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

bool TemplateQueryBuilder::pass_unsupported_shapes() {
  if (!intersected_ && any_word({"both"}) && any_word({"and"})) penalize(0.5, "'both ... and' needs an intersection");
  if (any_word({"either"})) penalize(0.2, "'either' may need a union");
  return true;
}

}  // namespace t2sql::template_rules
