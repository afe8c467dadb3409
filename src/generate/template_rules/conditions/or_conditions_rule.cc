// "members under age 30 or with a black membership card", "mountains with a
// height over 5000 or a prominence over 1000", "tracks of genre Rock or media
// type MPEG audio file": two conditions joined by "or" are alternatives, one
// OR group, whatever columns they compare (values of one column are already
// an IN list; "after 2013 or before 2008" is the comparisons pass's).
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <string>
#include <vector>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_or_conditions() {
  // The condition group an item was read into: its column and its value.
  auto group_of = [&](const Item& it) -> int {
    int found = -1;
    for (size_t g = 0; g < q_.where.size(); ++g) {
      for (const auto& c : q_.where[g]) {
        bool match = false;
        if (it.kind == ItemKind::kValue) {
          match =
              c.lhs.t == it.t && c.lhs.c == it.c && c.rhs.find(d_.string_literal(it.value.value)) != std::string::npos;
        } else if (it.kind == ItemKind::kNumber || it.kind == ItemKind::kQuoted) {
          match = !it.text.empty() && c.rhs.find(it.text) != std::string::npos;
        }
        if (!match) continue;
        if (found >= 0 && found != static_cast<int>(g)) return -1;  // ambiguous
        found = static_cast<int>(g);
      }
    }
    return found;
  };
  auto condition_item = [&](const Item& it) {
    return it.used && it.end > it.begin &&
           (it.kind == ItemKind::kValue || it.kind == ItemKind::kNumber || it.kind == ItemKind::kQuoted);
  };
  for (size_t o = 1; o + 1 < toks_.size(); ++o) {
    if (lw(o) != "or" || lw(o + 1) == "more" || lw(o + 1) == "less" || lw(o + 1) == "fewer" || lw(o + 1) == "greater" ||
        lw(o + 1) == "higher" || lw(o + 1) == "lower" || lw(o + 1) == "equal")
      continue;
    // The last condition item before "or" and the first after it, in one clause.
    const Item* before = nullptr;
    const Item* after = nullptr;
    for (const auto& it : items_) {
      if (!condition_item(it)) continue;
      if (it.end <= o && o - it.end <= 6 && (!before || it.end > before->end)) before = &it;
      if (it.begin > o && it.begin - o <= 8 && (!after || it.begin < after->begin)) after = &it;
    }
    if (!before || !after) continue;
    bool clean = true;
    for (size_t k = before->end; k < after->begin; ++k) {
      if (k == o) continue;
      clean = clean && lw(k) != "and" && lw(k) != "but" && lw(k) != "or" && toks_[k].text != "," &&
              toks_[k].kind != QuestionTokenKind::kPunct;
    }
    // "both ... or" never; "either ... or" is the same alternative.
    if (!clean) continue;
    int a = group_of(*before), b = group_of(*after);
    if (a < 0 || b < 0 || a == b || q_.where[a].size() != 1 || q_.where[b].size() != 1) continue;
    // Negated conditions are separate exclusions, not alternatives.
    auto negative = [](const Cond& c) { return c.op == "!=" || c.op == "NOT IN" || c.op == "NOT LIKE"; };
    if (negative(q_.where[a][0]) || negative(q_.where[b][0])) continue;
    // Lists of values ("in A, Texas or in B, Arizona") pair up item by item: not this shape.
    if (q_.where[a][0].op == "IN" || q_.where[b][0].op == "IN") continue;
    q_.where[a].push_back(q_.where[b][0]);
    q_.where.erase(q_.where.begin() + b);
    fired("or_conditions");  // the conditions are the same, only their grouping changed
  }
  return true;
}

}  // namespace t2sql::template_rules
