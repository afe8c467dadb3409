// "Number of sales per weekday", "revenue by day of the week", "which day of
// the week has the most sales": the rows are grouped by the day of the week
// of their date (0 is Sunday on every engine, shown in that order). "On
// weekdays" and "weekend sales" filter instead (the weekday analyst rule).
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_weekday_groups() {
  for (size_t i = 1; i < toks_.size(); ++i) {
    if (!lexicon::kGroupCueBefore.count(lw(i - 1))) continue;
    size_t end = i;
    if (lexicon::kWeekdayGroupWords.count(lw(i))) {
      end = i + 1;
    } else if ((lw(i) == "day" || lw(i) == "days") && lw(i + 1) == "of") {
      size_t k = lw(i + 2) == "the" ? i + 3 : i + 2;
      if (lw(k) == "week") end = k + 1;
    }
    if (end == i) continue;
    // A column that holds the day of the week ("day_of_week") is that column, not a date part.
    bool column = false;
    for (size_t k = i; k < end; ++k) {
      Item* named = item_covering(k);
      column = column || (named && named->kind == ItemKind::kColumn && named->t >= 0 && named->c >= 0 &&
                          !is_date(named->t, named->c));
    }
    if (column || date_column_for(focus_) < 0) continue;
    group_part_ = DatePart::kWeekday;
    // New to the calibration (fitted before the rule existed): held below certainty.
    penalize(0.1, "grouped by the day of the week: a shape the calibration was not fitted on");
    for (size_t k = i - 1; k < end; ++k) {
      consumed_[k] = true;
      time_tokens_.insert(k);
      // A column the words happen to name ("day", "week") is the time word here.
      if (Item* named = item_covering(k); named && named->kind != ItemKind::kValue) {
        named->used = true;
        named->kind = ItemKind::kNumber;
        named->text = lw(k);
      }
    }
    return true;
  }
  return true;
}

}  // namespace t2sql::template_rules
