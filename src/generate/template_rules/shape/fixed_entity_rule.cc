// "the number of albums by the artist Metallica", "the total amount paid by
// the customer Carole Bernhard": a grouping whose entity (or column) a
// condition already fixes to one stored value is one group: the figure is
// asked of that entity, not per entity. Questions that say "each", "per" or
// "every" keep their groups.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <algorithm>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_fixed_entity() {
  if (group_part_ != DatePart::kNone || yoy_ || shape_.super_count || !q_.having.empty() || shape_.ranking ||
      shape_.limit >= 0 || !shape_.orders.empty())
    return true;
  if (shape_.aggs.empty() && !count_ && !has_measure_) return true;
  for (const auto& t : toks_) {
    if (lexicon::kEach.count(t.lower) || lexicon::kPer.count(t.lower) || t.lower == "all") return true;
  }
  if (count_ && shape_.groups.empty() && !shape_.entity_group && shape_.aggs.empty() && !shape_.plain.empty()) {
    // "How many films have 'Dummy' in their titles", "how many weddings in
    // 2016", "how many counties are there": a column the conditions fix, or
    // the counted table's key named by its noun, is not a group of the count.
    auto counted_key = [&](const Expr& e) {
      if (e.t != focus_ || !is_key(e.t, e.c)) return false;
      for (const auto& it : items_) {
        if (it.kind != ItemKind::kColumn || it.t != e.t || it.c != e.c) continue;
        for (size_t j = it.begin; j < it.end; ++j) {
          if (lexicon::kIdentifierWords.count(nw(j))) return false;
        }
      }
      return true;
    };
    auto conditioned = [&](const Expr& e) {
      for (const auto& g : q_.where) {
        for (const auto& c : g) {
          if (c.lhs.t == e.t && c.lhs.c == e.c && c.lhs.agg == Agg::kNone) return true;
        }
      }
      return false;
    };
    bool all = true;
    for (const auto& p : shape_.plain)
      all = all && p.second.agg == Agg::kNone && !p.second.star && (conditioned(p.second) || counted_key(p.second));
    if (all) shape_.plain.clear(), fired("fixed_entity");
    return true;
  }
  if (!shape_.entity_group && shape_.groups.empty()) return true;
  // The tables and columns fixed by "= one value" conditions.
  // An entity is fixed by its name or key ("the artist Metallica"), not by
  // an attribute many of its rows share ("Electronics products").
  auto fixed_table = [&](int t) {
    for (const auto& g : q_.where) {
      if (g.size() != 1 || g[0].op != "=" || g[0].lhs.t != t || g[0].lhs.agg != Agg::kNone) continue;
      const auto& w = linker_.column_words(t, g[0].lhs.c);
      if (g[0].lhs.c == name_column(t) || is_key(t, g[0].lhs.c) || contains(w, "name")) return true;
    }
    return false;
  };
  auto fixed_column = [&](const Expr& e) {
    for (const auto& g : q_.where) {
      if (g.size() == 1 && g[0].op == "=" && g[0].lhs.t == e.t && g[0].lhs.c == e.c && g[0].lhs.part == e.part)
        return true;
    }
    return false;
  };
  bool all_fixed = !shape_.entity_group || fixed_table(shape_.group_entity);
  for (const auto& g : shape_.groups) all_fixed = all_fixed && fixed_column(g);
  if (!all_fixed) return true;
  if (shape_.entity_group) {
    shape_.entity_group = false;
    shape_.group_entity = -1;
  }
  for (const auto& g : shape_.groups) {
    shape_.plain.erase(
        std::remove_if(shape_.plain.begin(), shape_.plain.end(), [&](const auto& p) { return p.second == g; }),
        shape_.plain.end());
  }
  shape_.groups.clear();
  shape_.group_pos.clear();
  fired("fixed_entity");
  return true;
}

}  // namespace t2sql::template_rules
