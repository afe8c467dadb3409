// Numbers and quoted text no pass used cost confidence.
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

bool TemplateQueryBuilder::pass_unused_items() {
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kNumber && !it.used) penalize(0.5, "the number " + it.text + " is not used");
    if (it.kind == ItemKind::kQuoted && !it.used) penalize(0.5, "the quoted text '" + it.text + "' is not used");
  }
  return true;
}

}  // namespace t2sql::template_rules
