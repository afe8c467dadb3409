// "by month", "monthly", "each year", "quarterly", "per half": the rows are
// grouped by a period of their date.
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

bool TemplateQueryBuilder::pass_time_groups() {
  // Time grouping words.
  for (size_t i = 0; i < toks_.size(); ++i) {
    const std::string& w = lw(i);
    bool by_cue = i > 0 && (lw(i - 1) == "by" || lw(i - 1) == "per" || lw(i - 1) == "each" || lw(i - 1) == "every" ||
                            lw(i - 1) == "which" || lw(i - 1) == "what");
    Item* named = item_at(i);
    // A column called "month" of a table the question is not about is the
    // time word, not that column.
    bool word_is_time =
        !named || named->kind != ItemKind::kColumn ||
        (named->t != focus_ && !contains_int(mentioned_tables_, named->t) && is_date(named->t, named->c));
    bool month = w == "monthly" || (by_cue && (w == "month" || w == "months"));
    bool year = w == "yearly" || w == "annual" || w == "annually" || (by_cue && (w == "year" || w == "years"));
    // "daily revenue" groups by day; "average daily revenue" is a nested average (run()).
    bool day = (w == "daily" && lw(i - 1) != "average" && lw(i - 1) != "avg" && lw(i - 1) != "mean") ||
               (by_cue && (w == "day" || w == "days") && lw(i - 1) != "which" && lw(i - 1) != "what");
    // "quarterly", "by quarter", "each half of 2023" (not "the first quarter": a range).
    bool quarter = w == "quarterly" || (by_cue && (w == "quarter" || w == "quarters"));
    bool half = w == "half-yearly" || w == "semiannual" || (by_cue && (w == "half" || w == "halves"));
    if ((quarter || half) && word_is_time) {
      group_part_ = quarter ? DatePart::kQuarter : DatePart::kHalf;
      fired("period_groups");
      if (named) named->used = true, named->kind = ItemKind::kNumber, named->text = w;
      consumed_[i] = true;
      time_tokens_.insert(i);
      if (by_cue) consumed_[i - 1] = true, time_tokens_.insert(i - 1);
      continue;
    }
    if ((month || year || day) && word_is_time) {
      group_part_ = month ? DatePart::kYearMonth : year ? DatePart::kYear : DatePart::kDay;
      if (named) named->used = true, named->kind = ItemKind::kNumber, named->text = w;
      consumed_[i] = true;
      time_tokens_.insert(i);
      if (by_cue) {
        consumed_[i - 1] = true;
        time_tokens_.insert(i - 1);
      }
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
