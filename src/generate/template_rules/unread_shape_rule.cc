// A question that asks for a shape no rule read ("month-over-month growth",
// "the median price"): the query built so far answers something else, so the
// engine abstains rather than return a plain total.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_unread_shape(std::string& nested_sql) {
  (void)nested_sql;
  // A share word after a column describes it ("the black percentage",
  // "commission percentage"), and a column that holds the word answers it
  // ("percentage share" of a Share_in_percent column): no shape is asked for.
  auto column_at = [&](size_t k) {
    Item* it = item_covering(k);
    return it && it->kind == ItemKind::kColumn;
  };
  std::set<std::string> column_words;
  for (int t : q_.tables) {
    for (size_t c = 0; t >= 0 && c < cat_.tables[t].columns.size(); ++c) {
      for (const auto& w : linker_.column_words(t, static_cast<int>(c))) column_words.insert(w);
    }
  }
  bool share_column = false;
  for (const auto& w : lexicon::kShare) share_column = share_column || column_words.count(w);
  std::string unread;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (consumed_[i] || item_covering(i)) continue;
    if (!lexicon::kShapeCues.count(lw(i)) && !lexicon::kShapeCues.count(nw(i))) continue;
    bool share = lexicon::kShare.count(lw(i)) || lexicon::kShare.count(nw(i));
    if (share && ((i > 0 && column_at(i - 1)) || share_column)) continue;
    // "the percentage of hispanics": a column's own values, listed as they
    // are (a share of rows or of a total would have been read by
    // share_of_total).
    bool listed = !q_.select.empty() && q_.group_by.empty();
    for (const auto& [p, e] : q_.select) listed = listed && e.agg == Agg::kNone && !e.star && e.t >= 0;
    if (share && listed) continue;
    if (column_words.count(nw(i))) continue;
    unread += (unread.empty() ? "" : ", ") + toks_[i].text;
  }
  // "the average price per unit": a rate per a measure, grouped by that
  // measure's values instead.
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    if (!lexicon::kPer.count(lw(i))) continue;
    Item* it = next_item(i + 1, 1);
    if (!it || it->kind != ItemKind::kColumn || it->t < 0 || it->c < 0 || !is_measure(it->t, it->c)) continue;
    for (const auto& g : q_.group_by) {
      if (g.t == it->t && g.c == it->c && g.part == DatePart::kNone && unread.find(toks_[i].text) == std::string::npos)
        unread += (unread.empty() ? "" : ", ") + toks_[i].text + " " + toks_[it->begin].text;
    }
  }
  if (unread.empty()) return false;
  penalize(0.6, "the question asks for a shape the rules do not build: " + unread);
  return true;
}

}  // namespace t2sql::template_rules
