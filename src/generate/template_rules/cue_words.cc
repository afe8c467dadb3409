// The cue words the passes read at a position, from the lexicon.
#include <algorithm>
#include <set>
#include <string>

#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

Agg TemplateQueryBuilder::agg_word(size_t i) const {
  auto it = lexicon::kAggregates.find(lw(i));
  return it == lexicon::kAggregates.end() ? Agg::kNone : it->second;
}

std::optional<Superlative> TemplateQueryBuilder::super_word(size_t i) const {
  auto it = lexicon::kSuperlatives.find(lw(i));
  if (it == lexicon::kSuperlatives.end()) return std::nullopt;
  // Two-word superlatives: "most recent(ly)", "most/least expensive".
  if (lw(i) == "most" && (lw(i + 1) == "recent" || lw(i + 1) == "recently")) return Superlative{true, {"date"}, false};
  if (lw(i) == "most" && lw(i + 1) == "expensive") return Superlative{true, {"price"}, false};
  if (lw(i) == "least" && lw(i + 1) == "expensive") return Superlative{false, {"price"}, false};
  return it->second;
}

bool TemplateQueryBuilder::is_filler(size_t k) const {
  return lexicon::kFillerWords.count(lw(k)) > 0;
}

bool TemplateQueryBuilder::related_column(const Item& it) const {
  if (it.kind != ItemKind::kColumn || it.t < 0 || focus_ < 0 || it.t == focus_ || it.begin == 0) return false;
  if (!lexicon::kAnyWords.count(lw(it.begin - 1))) return false;
  int hops = joins_.distance(focus_, it.t);
  return hops >= 1 && hops <= 2;
}

bool TemplateQueryBuilder::superlative_in_list(size_t i) const {
  // Another figure of the same list right before or after: "highest and
  // lowest", "highest cost, lowest cost and average cost".
  auto figure = [&](size_t k) {
    auto s = lexicon::kSuperlatives.find(lw(k));
    bool plain_super = s != lexicon::kSuperlatives.end() && s->second.implied.empty() && lw(k) != "top" &&
                       lw(k) != "bottom" && lw(k) != "most" && lw(k) != "least";
    return plain_super || lexicon::kAggregates.count(lw(k)) > 0;
  };
  auto joint = [&](size_t k) { return lw(k) == "and" || (k < toks_.size() && toks_[k].text == ","); };
  if (lw(i) == "most" || lw(i) == "least" || lw(i) == "top" || lw(i) == "bottom") return false;
  for (size_t k = i + 1; k < std::min(toks_.size(), i + 5); ++k) {
    if (joint(k)) {
      size_t n = k + 1;
      if (lw(n) == "and") ++n;  // ", and"
      if (lw(n) == "the") ++n;
      if (figure(n)) return true;
      break;
    }
  }
  if (i >= 2 && joint(i - 1) && figure(i - 2)) return true;
  if (i >= 3 && lw(i - 1) == "and" && toks_[i - 2].text == "," && figure(i - 3)) return true;
  return false;
}

bool TemplateQueryBuilder::extremes_in_list(size_t i) const {
  auto figure = [&](size_t k) {
    auto s = lexicon::kSuperlatives.find(lw(k));
    bool super = s != lexicon::kSuperlatives.end() && !s->second.count_words && lw(k) != "top" && lw(k) != "bottom" &&
                 lw(k) != "best" && lw(k) != "worst";
    return super || lexicon::kAggregates.count(lw(k)) > 0;
  };
  auto joint = [&](size_t k) { return lw(k) == "and" || (k < toks_.size() && toks_[k].text == ","); };
  auto s = super_word(i);
  if (!s || s->implied.empty() || s->count_words || lw(i) == "most" || lw(i) == "least") return false;
  size_t n = i + 1;
  if (joint(n)) {
    ++n;
    if (lw(n) == "the") ++n;
    if (figure(n)) return true;
  }
  size_t b = i;
  if (b >= 1 && lw(b - 1) == "the") --b;
  return b >= 2 && joint(b - 1) && figure(b - 2);
}

bool TemplateQueryBuilder::each_group_cue() const {
  for (size_t k = 1; k < toks_.size(); ++k) {
    bool each = lexicon::kEach.count(lw(k)) &&
                (lw(k - 1) == "for" || lw(k - 1) == "in" || lw(k - 1) == "within" || lw(k - 1) == "of");
    if (!each && !lexicon::kPer.count(lw(k))) continue;
    for (size_t j = k + 1; j < std::min(toks_.size(), k + 3); ++j) {
      for (const auto& it : items_) {
        if (it.begin == j && it.end > it.begin && it.t >= 0 &&
            (it.kind == ItemKind::kColumn || it.kind == ItemKind::kTable))
          return true;
      }
    }
  }
  return false;
}

bool TemplateQueryBuilder::figure_per_group(size_t at, size_t column_begin, bool implied) const {
  if (shape_.ranking || shape_.after_boundary || !each_group_cue()) return false;
  // The words before the superlative: "with", "has", "of" make it pick a
  // row ("the film with the highest price"); a question word, a verb of
  // asking, "and" or a comma make it one of the figures asked for.
  size_t b = at;
  while (b > 0 && (lw(b - 1) == "the" || lw(b - 1) == "its" || lw(b - 1) == "their")) --b;
  static const std::set<std::string> kAsking = {"is",      "are",  "was",  "were", "and",     "return",
                                                "show",    "list", "give", "find", "get",     "tell",
                                                "display", "what", "me",   "both", "compute", "report"};
  bool asked = b == 0 || kAsking.count(lw(b - 1)) > 0 || toks_[b - 1].text == ",";
  if (!asked) return false;
  if (!implied) return column_begin == at + 1;  // "highest price": the figure is the column named
  // "how old is the youngest ...": the implied column is what is asked.
  return lw(0) == "how" && lexicon::kHowFigures.count(lw(1)) > 0;
}

std::optional<Expr> TemplateQueryBuilder::listed_attribute(size_t i) const {
  if (shape_.after_boundary || shape_.plain.empty() || !lexicon::kListedAttributeWords.count(lw(i))) {
    return std::nullopt;
  }
  size_t b = i;
  while (b > 0 && (lw(b - 1) == "other" || lw(b - 1) == "the" || lw(b - 1) == "their" || lw(b - 1) == "its")) --b;
  if (b == 0 || (lw(b - 1) != "and" && toks_[b - 1].text != ",")) return std::nullopt;
  const Expr& last = shape_.plain.back().second;
  if (last.t < 0 || last.c < 0 || last.agg != Agg::kNone || shape_.plain.back().first >= b) return std::nullopt;
  std::optional<Expr> found;
  const auto& table = cat_.tables[last.t];
  for (size_t c = 0; c < table.columns.size(); ++c) {
    const auto& w = linker_.column_words(last.t, c);
    if (w.empty() || (w.back() != nw(i) && w.back() != lw(i))) continue;
    Expr e{.t = last.t, .c = static_cast<int>(c)};
    bool shown = false;
    for (const auto& p : shape_.plain) shown = shown || p.second == e;
    if (shown) continue;
    if (found) return std::nullopt;  // two columns end so: which one is meant is not known
    found = e;
  }
  return found;
}

bool TemplateQueryBuilder::year_condition_column(const Item& it) {
  if (it.kind != ItemKind::kColumn || it.t < 0 || it.c < 0) return false;
  if (!year_col(it.t, it.c) && !is_date(it.t, it.c)) return false;
  for (size_t k = it.end; k < std::min(toks_.size(), it.end + 3); ++k) {
    Item* n = item_at(k);
    if (n && n->kind == ItemKind::kNumber && is_year(n->number)) return true;
    if (n || (lw(k) != "of" && lw(k) != "in" && lw(k) != "=" && lw(k) != "is")) return false;
  }
  return false;
}

bool TemplateQueryBuilder::grouping_words() const {
  for (const auto& t : toks_) {
    if (lexicon::kGroupingWords.count(t.lower)) return true;
  }
  return false;
}

int TemplateQueryBuilder::measure_of_table_item(const Item& it) const {
  for (const auto& c : it.cands) {
    if (c.column >= 0 && c.table == it.t && c.score >= 0.8 && is_measure(c.table, c.column)) return c.column;
  }
  return -1;
}

}  // namespace t2sql::template_rules
