// Quoted strings that are not stored values: a pattern ("containing
// 'Hey'") or an equality on the nearest text column.
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

bool TemplateQueryBuilder::pass_quoted_text() {
  // Quoted strings that are not stored values: a pattern ("containing
  // 'Hey'") or an equality on the nearest text column.
  std::map<std::tuple<int, int, std::string>, std::vector<std::string>> quoted;
  for (auto& it : items_) {
    if (it.kind != ItemKind::kQuoted || it.used) continue;
    bool like = false;
    for (size_t k = it.begin >= 5 ? it.begin - 5 : 0; k < it.begin; ++k) {
      if (lw(k) == "contain" || lw(k) == "contains" || lw(k) == "containing" || lw(k) == "word" ||
          lw(k) == "substring" || lw(k) == "like" || lw(k) == "includes" || lw(k) == "including") {
        like = true;
        consumed_[k] = true;
      }
    }
    if (lw(it.end) == "in" && (lw(it.end + 1) == "its" || lw(it.end + 1) == "their" || lw(it.end + 1) == "the")) {
      like = true;
    }
    int best = -1;
    size_t best_dist = 1000;
    for (size_t k = 0; k < items_.size(); ++k) {
      const Item& c = items_[k];
      if (c.kind != ItemKind::kColumn || c.t < 0 || is_numeric(c.t, c.c)) continue;
      size_t dist = c.end <= it.begin ? it.begin - c.end : c.begin - it.end + 2;
      if (dist < best_dist) {
        best_dist = dist;
        best = static_cast<int>(k);
      }
    }
    if (best < 0 && focus_ >= 0) {
      int nc = name_column(focus_);
      if (nc >= 0) {
        Item tmp;
        tmp.kind = ItemKind::kColumn;
        tmp.t = focus_;
        tmp.c = nc;
        items_.push_back(tmp);
        best = static_cast<int>(items_.size() - 1);
      }
    }
    if (best < 0) {
      penalize(0.5, "no column for the quoted text '" + it.text + "'");
      continue;
    }
    Item& c = items_[best];
    it.used = true;
    if (!like || best_dist <= 3) c.used = true;
    bool negated = lw(it.begin - 1) == "not" || lw(it.begin - 2) == "not";
    std::string op = like ? (negated ? "NOT LIKE" : "LIKE") : (negated ? "!=" : "=");
    quoted[{c.t, c.c, op}].push_back(d_.string_literal(like ? "%" + it.text + "%" : it.text));
  }
  // Several quoted texts for one column are alternatives.
  for (const auto& [key, lits] : quoted) {
    auto [t, c, op] = key;
    std::vector<Cond> group;
    for (const auto& l : lits) group.push_back({Expr{.t = t, .c = c}, op, l});
    if (op == "!=" || op == "NOT LIKE") {
      for (const auto& g : group) add_condition({g});
    } else {
      add_condition(group);
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
