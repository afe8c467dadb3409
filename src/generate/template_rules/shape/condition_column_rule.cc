// "the theme and date of the exhibition in year 2004", "authors of papers
// with the word 'Functional' in their title": a column named only to say
// what a value is compared with (right before the value, or as "in its
// title" after it) labels the condition; it is not shown beside the columns
// asked for.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <algorithm>
#include <string>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_condition_column() {
  if (shape_.plain.size() + shape_.aggs.size() < 2 && !count_) return true;
  auto conditioned = [&](const Expr& e) {
    for (const auto& g : q_.where) {
      for (const auto& c : g) {
        if (c.lhs.t == e.t && c.lhs.c == e.c && c.lhs.agg == Agg::kNone) return true;
      }
    }
    return false;
  };
  auto is_value = [&](Item* v) {
    return v && v->used &&
           (v->kind == ItemKind::kNumber || v->kind == ItemKind::kValue || v->kind == ItemKind::kQuoted);
  };
  auto labels = [&](const std::pair<size_t, Expr>& p) {
    const Expr& e = p.second;
    if (e.agg != Agg::kNone || e.star || e.t < 0 || !conditioned(e)) return false;
    if (std::find(shape_.groups.begin(), shape_.groups.end(), e) != shape_.groups.end()) return false;
    Item* it = item_at(p.first);
    if (!it || it->kind != ItemKind::kColumn) return false;
    // Listed with other columns ("the name and year"): asked for.
    if (lw(it->end) == "and" || (it->end < toks_.size() && toks_[it->end].text == ",")) return false;
    size_t k = it->end;
    while (k < toks_.size() && (lw(k) == "of" || lw(k) == "is" || lw(k) == "=")) ++k;
    if (is_value(item_at(k))) return true;  // "year 2004", "gender of 'F'"
    // "... 'Functional' in their title"
    if (it->begin >= 2 && lw(it->begin - 2) == "in" &&
        (lw(it->begin - 1) == "its" || lw(it->begin - 1) == "their" || lw(it->begin - 1) == "the")) {
      for (size_t j = it->begin >= 8 ? it->begin - 8 : 0; j + 2 < it->begin; ++j) {
        if (is_value(item_at(j))) return true;
      }
    }
    return false;
  };
  size_t shown = shape_.aggs.size() + (count_ ? 1 : 0);
  for (const auto& p : shape_.plain) shown += !labels(p);
  if (shown == 0) return true;
  shape_.plain.erase(std::remove_if(shape_.plain.begin(), shape_.plain.end(), labels), shape_.plain.end());
  return true;
}

}  // namespace t2sql::template_rules
