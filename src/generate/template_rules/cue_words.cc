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
