// "weekend sales", "revenue on weekdays": rows whose date falls on a
// Saturday or Sunday (or on Monday to Friday).
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_weekday(std::string& nested_sql) {
  (void)nested_sql;
  std::vector<size_t> cues;
  bool weekend = false;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (consumed_[i] || item_covering(i)) continue;
    if (lexicon::kWeekend.count(lw(i))) cues.push_back(i), weekend = true;
    // "working days": "working" alone may be a verb.
    bool working_day = lw(i) == "working" && nw(i + 1) == "day";
    if (lexicon::kWeekday.count(lw(i)) && (lw(i) != "working" || working_day)) cues.push_back(i);
  }
  if (cues.empty()) return false;
  // The dates of the rows measured: an aggregate's table, else the main table.
  int table = q_.tables.empty() ? focus_ : q_.tables[0];
  for (const auto& [p, e] : q_.select) {
    if (e.agg != Agg::kNone && !e.star && e.t >= 0 && e.raw.empty()) {
      table = e.t;
      break;
    }
  }
  int dc = date_column_for(table);
  if (dc < 0) return false;  // left unread: rule_unread_shape abstains
  Expr day{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kWeekday};
  add_condition({{day, "IN", weekend ? "(0, 6)" : "(1, 2, 3, 4, 5)"}});
  for (size_t i : cues) {
    consumed_[i] = true;
    if (lw(i) == "working") consumed_[i + 1] = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
