// "the aircraft with id 12", "the customer who has the account name 162",
// "the race whose id is 841": a number right after a key or text column (or
// after the column and "is") is the value of that column. Numeric measures
// next to a number are number_beside_column's ("age 3"); keys and text
// columns are left to this rule, which reads only the column-then-number
// order, so that "5 ids" or "3 names" stay counts.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <string>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_column_then_number() {
  for (auto& n : items_) {
    if (n.kind != ItemKind::kNumber || n.used || n.begin == 0) continue;
    if (n.text.find('-') != std::string::npos || n.text.find('/') != std::string::npos) continue;  // a date
    // "... N or more", "N times": other rules' shapes.
    if (lw(n.end) == "or" || lw(n.end) == "times" || lw(n.end) == "%" || lw(n.end) == "percent") continue;
    size_t before = n.begin;
    if (before >= 2 && (lw(before - 1) == "is" || lw(before - 1) == "=" || lw(before - 1) == "of")) --before;
    Item* c = item_covering(before - 1);
    if (!c || c->kind != ItemKind::kColumn || c->t < 0 || c->used || c->end != before) continue;
    bool key = is_key(c->t, c->c);
    bool text = !is_numeric(c->t, c->c) && !is_date(c->t, c->c);
    if (!key && !text) continue;
    bool said_id = false;
    for (size_t j = c->begin; j < c->end; ++j) said_id |= lexicon::kIdentifierWords.count(nw(j)) > 0;
    // A key compared with a year-like number only when the words say "id".
    if (is_year(n.number) && !said_id) continue;
    // "id 12" after a table ("the problem with id 12"): that table's key,
    // when the id linked elsewhere.
    int t = c->t, ci = c->c;
    if (said_id && c->end - c->begin == 1 && c->begin >= 2) {
      size_t k = c->begin - 1;
      if (lw(k) == "with" || lw(k) == "whose" || lw(k) == "of") --k;
      if (lw(k) == "the") --k;
      Item* owner = item_covering(k);
      if (owner && owner->kind == ItemKind::kTable && owner->t >= 0 && owner->t != t && key_column(owner->t) >= 0) {
        t = owner->t;
        ci = key_column(t);
      }
    }
    std::string rhs = is_numeric(t, ci) ? number_sql(n.number, n.text) : d_.string_literal(n.text);
    c->used = true;
    n.used = true;
    if (before != n.begin) consumed_[before] = true;
    add_condition({{Expr{.t = t, .c = ci}, "=", rhs}});
  }
  return true;
}

}  // namespace t2sql::template_rules
