// "All the information about each body builder", "all details of the
// students": every column of the table asked about (SELECT *), not the
// column whose name happens to contain "details".
#include <string>

#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_all_columns() {
  size_t cue = toks_.size();
  for (size_t i = 0; i + 1 < toks_.size() && cue == toks_.size(); ++i) {
    if (lw(i) != "all") continue;
    size_t k = lw(i + 1) == "the" ? i + 2 : i + 1;
    if (!lexicon::kAllColumnsWords.count(lw(k))) continue;
    // "all information about", "all the details of", "all info." (not "all
    // detail codes", a column of that name).
    bool ends = k + 1 >= toks_.size() || toks_[k + 1].kind == QuestionTokenKind::kPunct ||
                lexicon::kAllColumnsFollowers.count(lw(k + 1));
    if (ends) cue = k;
  }
  if (cue == toks_.size() || count_ || !shape_.aggs.empty() || !shape_.group_exprs.empty() || shape_.super_count) {
    return true;
  }
  // The cue's own words linked as a column ("details"): not a column asked for.
  Item* said = item_covering(cue);
  std::vector<std::pair<size_t, Expr>> kept;
  for (const auto& p : shape_.plain) {
    if (said && p.first >= said->begin && p.first < said->end) continue;
    kept.push_back(p);
  }
  if (!kept.empty()) return true;  // "all information and the name of ...": columns named besides
  shape_.plain = {{cue, Expr{.star = true}}};
  consumed_[cue] = true;
  if (cue > 0) consumed_[cue - 1] = true;
  return true;
}

}  // namespace t2sql::template_rules
