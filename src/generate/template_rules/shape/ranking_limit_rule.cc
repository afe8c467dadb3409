// "top 5", "first 3", "5 highest", "bottom 2", "which five brands had the
// highest sales": a ranking and its row limit.
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

bool TemplateQueryBuilder::pass_ranking_limit() {
  // "top 5", "first 3", "5 highest", "bottom 2": the reading's top-k
  // (question_reading.cc), its cue before the number (head) or after it.
  const QuestionReading& r = *reading_;
  size_t k_at = r.top_k && r.top_k_number ? token_of(*r.top_k_number) : toks_.size();
  size_t cue_at = r.top_k && r.top_k_cue ? token_of(*r.top_k_cue) : toks_.size();
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    bool head = k_at < toks_.size() && cue_at == i && k_at == i + 1;
    Item* n = item_at(i + 1);
    if (head && n && n->kind == ItemKind::kNumber) {
      shape_.limit = *r.top_k;
      shape_.limit_desc = !(lw(i) == "bottom" || lw(i) == "worst");
      n->used = true;
      consumed_[i] = true;
      shape_.ranking = true;
    }
    Item* m = item_at(i);
    Item* after_m = m ? item_at(m->end) : nullptr;
    bool any_super = false;
    for (size_t k = 0; k < toks_.size(); ++k) any_super |= super_word(k).has_value();
    if (m && m->kind == ItemKind::kNumber && !m->used && !is_year(m->number) && after_m &&
        (after_m->kind == ItemKind::kTable || after_m->kind == ItemKind::kColumn) && any_super &&
        (lw(i - 1) == "which" || lw(i - 1) == "what" || (lw(i - 1) == "the" && i == 1))) {
      shape_.limit = static_cast<long long>(m->number);  // "which five brands had the highest sales"
      m->used = true;
      // "The five brands with the most revenue" is a ranking, shown with its
      // figure as "top 5" is; a "which" question asks for the names only.
      if (lw(i - 1) == "the") by_measure_ = true;
    }
    if (m && m->kind == ItemKind::kNumber && !m->used && k_at == i && cue_at == i + 1 && super_word(i + 1)) {
      shape_.limit = *r.top_k;
      shape_.limit_desc = super_word(i + 1)->desc;
      m->used = true;
      shape_.ranking = true;
    }
  }
  if (!shape_.ranking && r.top_k && !r.top_k_number && cue_at < toks_.size()) {  // "top" alone
    for (size_t i = 0; i < toks_.size(); ++i) {
      if (lw(i) == lw(cue_at)) {
        consumed_[i] = true;
        shape_.ranking = true;
        shape_.limit = *r.top_k;
      }
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
