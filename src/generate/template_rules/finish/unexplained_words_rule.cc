// Words nothing explained cost confidence: the question says something the
// SQL does not.
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

bool TemplateQueryBuilder::pass_unexplained_words() {
  std::vector<std::string> unexplained;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (consumed_[i] || toks_[i].kind != QuestionTokenKind::kWord) continue;
    if (item_covering(i)) continue;
    if (lexicon::kHarmlessWords.count(toks_[i].lower) || lexicon::kHarmlessWords.count(toks_[i].norm)) continue;
    unexplained.push_back(toks_[i].text);
  }
  if (!unexplained.empty()) {
    double cost = std::min(0.6, 0.12 * unexplained.size());
    std::string list;
    for (size_t i = 0; i < unexplained.size() && i < 5; ++i) list += (i ? ", " : "") + unexplained[i];
    penalize(cost, "words not understood: " + list);
  }
  unexplained_ = unexplained.size();
  return true;
}

}  // namespace t2sql::template_rules
