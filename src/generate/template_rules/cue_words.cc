// The cue words the passes read at a position, from the lexicon.
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
