// Quarters and halves: "Q1 2024", "the first quarter of 2024", "the
// second half of 2023".
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

bool TemplateQueryBuilder::pass_quarters() {
  // Quarters and halves: "Q1 2024", "the first quarter of 2024", "the
  // second half of 2023".
  if (date_.dc >= 0) {
    for (size_t i = 0; i < toks_.size(); ++i) {
      int part = 0, months_per = 0;
      size_t end = i;
      const std::string& w = toks_[i].lower;
      if (w.size() == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4') {
        part = w[1] - '0', months_per = 3, end = i + 1;
      } else if (lexicon::kQuarterOrdinals.count(lw(i)) && (lw(i + 1) == "quarter" || lw(i + 1) == "half")) {
        months_per = lw(i + 1) == "quarter" ? 3 : 6;
        part = lexicon::kQuarterOrdinals.at(lw(i));
        if (months_per == 6 && part > 2) part = 2;
        end = i + 2;
      }
      if (!part) continue;
      size_t k = end;
      while (lw(k) == "of" || lw(k) == "in" || lw(k) == "the") ++k;
      if (k < toks_.size() && toks_[k].kind == QuestionTokenKind::kPunct) ++k;
      Item* y = item_at(k);
      if (!y || y->kind != ItemKind::kNumber || !is_year(y->number)) {
        Item* before = i > 0 ? item_at(i - 1) : nullptr;  // "2024 Q1"
        y = before && before->kind == ItemKind::kNumber && is_year(before->number) ? before : nullptr;
      }
      if (!y) continue;
      int year = static_cast<int>(y->number);
      y->used = true;
      for (size_t j = i; j < end; ++j) consumed_[j] = true;
      char lo[32], hi[32];  // room for any int year, so no truncation warning
      std::snprintf(lo, sizeof lo, "%04d-%02d", year, (part - 1) * months_per + 1);
      std::snprintf(hi, sizeof hi, "%04d-%02d", year, part * months_per);
      add_condition({{Expr{.t = date_.dc / 1000, .c = date_.dc % 1000, .part = DatePart::kYearMonth}, "BETWEEN",
                      d_.string_literal(lo) + " AND " + d_.string_literal(hi)}});
      time_filtered_ = true;
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
