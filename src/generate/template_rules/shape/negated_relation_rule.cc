// "courses without prerequisites", "wrestlers that have never been
// eliminated", "movies that have not been rated": a negated word that names
// no table by itself but shares its stem with a table joined directly to the
// main one (prereq, elimination, rating) names the related rows the main
// rows must not have; the negation pass then writes the NOT IN.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <algorithm>
#include <string>
#include <vector>

namespace t2sql::template_rules {

namespace {

// The word without its inflection ("rated" -> "rat", "prerequisites" ->
// "prerequisite", "eliminated" -> "eliminat"): enough to compare stems.
std::string stem(std::string w) {
  for (const char* suffix : {"ions", "ion", "ings", "ing", "ies", "ed", "es", "s", "e"}) {
    std::string s = suffix;
    if (w.size() > s.size() + 2 && w.compare(w.size() - s.size(), s.size(), s) == 0) {
      w.resize(w.size() - s.size());
      break;
    }
  }
  return w;
}

// Whether two words share their stem: one stem starts the other word and is
// at least 3 letters long, or they share their first 5 letters.
bool same_stem(const std::string& a, const std::string& b) {
  std::string sa = stem(a), sb = stem(b);
  if (sa.size() >= 3 && b.rfind(sa, 0) == 0) return true;
  if (sb.size() >= 3 && a.rfind(sb, 0) == 0) return true;
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n >= 5;
}

}  // namespace

bool TemplateQueryBuilder::pass_negated_relation() {
  if (shape_.neg_table >= 0 || neg_value_table_ >= 0 || !neg_inner_.empty() || focus_ < 0) return true;
  if (!q_.having.empty() || shape_.super_count) return true;
  for (size_t i = 0; i < toks_.size(); ++i) {
    const std::string& w = lw(i);
    bool cue = w == "not" || w == "never" || w == "without" || w == "don't" || w == "doesn't" || w == "didn't" ||
               w == "haven't" || w == "hasn't" || w == "weren't" || w == "wasn't" || w == "aren't" || w == "isn't";
    if (!cue || cond_tokens_.count(i)) continue;
    int best = -1;
    size_t best_k = 0;
    for (size_t k = i + 1; k < std::min(toks_.size(), i + 6); ++k) {
      if (toks_[k].kind == QuestionTokenKind::kPunct || (k > i + 1 && lexicon::kClauseWords.count(lw(k)))) break;
      if (toks_[k].kind != QuestionTokenKind::kWord || is_stop_word(nw(k)) || lw(k).size() < 4) continue;
      Item* it = item_covering(k);
      // A word linked elsewhere names something else, unless it is a column
      // of the related table itself ("regions not affected": affected_region).
      if (it && !(it->kind == ItemKind::kColumn && it->t >= 0 && it->t != focus_)) continue;
      for (int t = 0; t < static_cast<int>(cat_.tables.size()); ++t) {
        if (t == focus_ || !joins_.direct_edge(focus_, t)) continue;
        if (it && it->t != t) continue;
        bool match = false;
        for (const auto& tw : linker_.table_words(t)) match = match || same_stem(lw(k), tw);
        if (!match) continue;
        if (best >= 0 && best != t) {
          best = -2;  // two tables: no guess
          break;
        }
        best = t;
        best_k = k;
      }
      if (best != -1) break;
    }
    if (best < 0) continue;
    shape_.neg_table = best;
    shape_.neg_seen = true;
    consumed_[i] = consumed_[best_k] = true;
    if (Item* it = item_covering(best_k)) {
      it->used = true;
      // The related table's column was read as shown: it named the rows.
      shape_.plain.erase(
          std::remove_if(shape_.plain.begin(), shape_.plain.end(), [&](const auto& p) { return p.first == it->begin; }),
          shape_.plain.end());
    }
    return true;
  }
  return true;
}

}  // namespace t2sql::template_rules
