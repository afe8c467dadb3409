// "how many", "number of", "count": the question counts; "how many
// different ...": distinct values; "in how many months": distinct periods.
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

namespace lex = lexicon;

bool TemplateQueryBuilder::pass_count_cue() {
  // Counting.
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (at(i, {"how", "many"})) {
      count_ = true;
      count_pos_ = i + 2;
      count_is_question_ = true;
      consumed_[i] = consumed_[i + 1] = true;
      break;
    }
    // "the object number of railways": a column's name, not a count.
    if (Item* covered = item_covering(i); covered && covered->kind == ItemKind::kColumn) continue;
    if ((at(i, {"number", "of"}) || at(i, {"count", "of"})) && i > 0 && (lw(i - 1) == "by" || super_word(i - 1))) {
      rank_by_count_ = true;
      consumed_[i] = consumed_[i + 1] = true;
      if (lw(i - 1) == "by") consumed_[i - 1] = true, by_measure_ = true;
      count_pos_ = i + 2;
      continue;
    }
    if ((at(i, {"number", "of"}) || at(i, {"count", "of"})) && !(i > 0 && super_word(i - 1))) {
      count_ = true;
      count_pos_ = i + 2;
      consumed_[i] = consumed_[i + 1] = true;
      // "the distinct number of votes": the different values counted.
      if (lex::kDistinctWords.count(lw(i - 1))) count_distinct_ = true;
      break;
    }
    if (lw(i) == "count" && i == 0) {
      count_ = true;
      count_pos_ = i + 1;
      consumed_[i] = true;
      break;
    }
  }
  if (count_) {
    for (size_t k = count_pos_; k < std::min(toks_.size(), count_pos_ + 2); ++k) {
      if (lw(k) == "different" || lw(k) == "distinct" || lw(k) == "unique") count_distinct_ = true;
    }
    if (count_is_question_ && (nw(count_pos_) == "month" || nw(count_pos_) == "year")) {
      count_periods_ = true;
      count_periods_part_ = nw(count_pos_) == "month" ? DatePart::kYearMonth : DatePart::kYear;
      consumed_[count_pos_] = true;
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
