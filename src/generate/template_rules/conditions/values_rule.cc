// Stored values: "in Paris", "Nike products", "not in Texas": equality
// (IN for several values of one column, != after a negation).
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

namespace {
// "contains the word 'X'": a pattern, not the stored value alone.
const std::set<std::string> kContainsWords = {"contain",   "contains", "containing", "contained",
                                              "substring", "includes", "including",  "include"};
}  // namespace

bool TemplateQueryBuilder::pass_values() {
  // Values: equality with the stored value; several values of one column
  // are alternatives (IN). A negation just before a value makes it !=.
  // Grouped by column and by whether a negation precedes the value ("has a
  // dog but does not have a cat": dog kept, cat excluded).
  std::map<std::tuple<int, int, bool>, std::vector<Item*>> by_column;
  for (auto& it : items_) {
    if (it.kind != ItemKind::kValue) continue;
    bool neg = false;
    for (size_t k = it.begin >= 3 ? it.begin - 3 : 0; k < it.begin; ++k) {
      if (lw(k) == "not" || lw(k) == "except" || lw(k) == "excluding" || lw(k) == "never" || lw(k) == "without" ||
          (lw(k) == "than" && lw(k - 1) == "other") || lw(k) == "don't" || lw(k) == "doesn't" || lw(k) == "didn't") {
        neg = true;
        consumed_[k] = true;
        cond_tokens_.insert(k);
      }
    }
    bool like = false;
    for (size_t k = it.begin >= 4 ? it.begin - 4 : 0; k < it.begin; ++k) like |= kContainsWords.count(lw(k)) > 0;
    if (like) {
      // "whose name contains \"Universal\"": every value holding the text,
      // not only the one stored as it is.
      it.used = true;
      const std::string& text = it.value.matched_text.empty() ? it.value.value : it.value.matched_text;
      add_condition({{Expr{.t = it.t, .c = it.c}, neg ? "NOT LIKE" : "LIKE", d_.string_literal("%" + text + "%")}});
      continue;
    }
    if (it.prefix) {
      it.used = true;
      add_condition({{Expr{.t = it.t, .c = it.c}, neg ? "NOT LIKE" : "LIKE", d_.string_literal(it.value.value + "%")}});
      continue;
    }
    by_column[{it.t, it.c, neg}].push_back(&it);
  }
  for (auto& [key, vals] : by_column) {
    std::pair<int, int> tc{std::get<0>(key), std::get<1>(key)};
    bool negated = std::get<2>(key);
    std::vector<std::string> lits;
    for (Item* v : vals) {
      v->used = true;
      lits.push_back(d_.string_literal(v->value.value));
      // The column named right next to its value ("country France") says
      // nothing more; mark it used.
      for (auto& other : items_) {
        if (other.kind == ItemKind::kColumn && other.t == tc.first && other.c == tc.second &&
            (other.end + 3 >= v->begin && other.begin <= v->end + 3)) {
          other.used = true;
        }
        if (other.kind == ItemKind::kColumn && other.t != tc.first && other.end + 2 >= v->begin &&
            other.begin <= v->begin) {
          // "brand Nike" where the linked column is another table's name
          for (const auto& c : other.cands) {
            if (c.table == tc.first && c.column == tc.second) other.used = true;
          }
        }
      }
    }
    Expr lhs{.t = tc.first, .c = tc.second};
    if (negated && tc.first != focus_) {
      // "students who do not own a cat": main rows with no related row of
      // that value (NOT IN below), not related rows of another value.
      std::string list;
      for (size_t i = 0; i < lits.size(); ++i) list += (i ? ", " : "") + lits[i];
      neg_inner_.push_back({lhs, lits.size() == 1 ? "=" : "IN", lits.size() == 1 ? lits[0] : "(" + list + ")"});
      neg_value_table_ = tc.first;
      continue;
    }
    if (lits.size() == 1) {
      add_condition({{lhs, negated ? "!=" : "=", lits[0]}});
    } else {
      std::string list;
      for (size_t i = 0; i < lits.size(); ++i) list += (i ? ", " : "") + lits[i];
      add_condition({{lhs, negated ? "NOT IN" : "IN", "(" + list + ")"}});
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
