#include "generate/schema_linker.h"

#include <algorithm>
#include <map>
#include <set>

#include "schema/identifier_words.h"
#include "schema/wordnet.h"

namespace t2sql {

namespace {

// Words that say little alone: a span made only of these links to nothing
// unless it matches a whole name ("name" does match a column called name).
bool is_generic(const std::string& w) {
  static const char* kGeneric[] = {"id",  "code",  "number", "type",   "name", "info", "data", "detail",
                                   "key", "value", "flag",   "status", "date", "time", "year"};
  for (const char* g : kGeneric) {
    if (w == g) return true;
  }
  return false;
}

bool contains_all(const std::vector<std::string>& haystack, const std::vector<std::string>& needles) {
  for (const auto& n : needles) {
    if (std::find(haystack.begin(), haystack.end(), n) == haystack.end()) return false;
  }
  return true;
}

// Words the rules read as the question's shape (aggregates, rankings,
// comparisons, order): WordNet must not turn them into names ("total" ~
// sum, "most" ~ majority). An exact name still links them.
bool is_shape_word(const std::string& w) {
  // clang-format off
  static const std::set<std::string> kShape = {
      "total", "sum", "average", "mean", "count", "number", "maximum", "minimum", "max", "min", "most", "least",
      "top", "first", "last", "highest", "lowest", "largest", "smallest", "biggest", "greatest", "oldest",
      "youngest", "order", "sort", "sorted", "time", "many", "much", "more", "less", "fewer", "above", "below",
      "over", "under", "between", "each", "every", "per", "common", "popular", "frequent", "ascending",
      "descending", "alphabetical", "alphabetically", "long", "high", "low", "large", "small", "big", "old",
      "young", "new", "equal", "same", "never", "without", "exist", "result", "list", "show", "give", "find",
      "return", "name", "id", "kind", "type", "category", "value", "record", "entry", "item", "thing", "whose",
      "also", "both", "there", "have", "has", "had", "do", "does", "did", "is", "called", "named", "titled",
      "call", "amount", "term", "share", "percentage", "percent", "proportion", "fraction", "growth", "change",
      "part",
      // Periods and ordinals the date rules read ("the second half of 2024"):
      // WordNet's siblings among time units (second ~ month) mislead.
      "second", "third", "fourth", "half", "quarter", "week", "month", "year", "hour", "minute", "today",
      "point",  // "at some point in 2023" (point ~ region as kinds of location)
      // Cues of a text pattern ("with the word 'Hey'", "containing the letter a").
      "word", "letter", "substring", "character", "string", "phrase"};
  // clang-format on
  return kShape.count(w) > 0;
}

// How much a WordNet link counts, by relation (schema/wordnet.h), where an
// exact word counts 1 and a listed synonym 0.9: the weaker the relation, the
// likelier it links a word that names something else. Chosen by sweeps on a
// fixed 1,500-question sample of Spider train and of Spider-Syn train (the
// training split of both; dev-open only checked): synonym 0.75 (0.8 the
// same), broader, narrower and derived terms 0.6, siblings 0.5.
double relation_score(WordRelation r) {
  switch (r) {
    case WordRelation::kVariant: return 0.9;
    case WordRelation::kSynonym: return 0.75;
    case WordRelation::kRareSynonym: return 0;  // at 0.5: nothing on train, wrong links ("event" -> result)
    case WordRelation::kDerived: return 0.55;
    case WordRelation::kNarrower: return 0.6;
    case WordRelation::kBroader: return 0.6;
    case WordRelation::kSibling: return 0.5;
    // Two steps apart ("airplane" -> aircraft) at 0.45 gained 0.8 points on
    // Spider-Syn train, none on train, and linked distant names ("origin" ->
    // location) on dev-open: left out.
    case WordRelation::kTwoSteps: return 0;
    case WordRelation::kNone: return 0;
  }
  return 0;
}

// A WordNet link weaker than this, once the part of the name it matches is
// weighed in (a word for the tail of a long name), is left out: it named
// something else far more often than the column on Spider train.
constexpr double kMinRelatedScore = 0.4;

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : "_") + w;
  return out;
}

}  // namespace

SchemaLinker::SchemaLinker(const Catalog& catalog) {
  for (const auto& table : catalog.tables) {
    TableNames tn;
    tn.words = identifier_words(table.name);
    tn.phrases.push_back({tn.words, 1.0});
    // "singer_in_concert" also reads as its first word only when that is
    // not a table of its own; keep the full phrase as the strong form.
    for (const auto& col : table.columns) {
      ColumnNames cn;
      cn.words = identifier_words(col.name);
      cn.phrases.push_back({cn.words, 1.0});
      // Without the table's own words: pets.pet_age -> "age".
      std::vector<std::string> rest;
      for (const auto& w : cn.words) {
        if (std::find(tn.words.begin(), tn.words.end(), w) == tn.words.end()) rest.push_back(w);
      }
      if (!rest.empty() && rest.size() < cn.words.size()) cn.phrases.push_back({rest, 0.95});
      // With the table's words in front: singer.name -> "singer name".
      if (!contains_all(cn.words, tn.words)) {
        std::vector<std::string> qualified = tn.words;
        qualified.insert(qualified.end(), cn.words.begin(), cn.words.end());
        cn.phrases.push_back({qualified, 1.0});
      }
      // Trailing parts of long names: song_release_year -> "release year",
      // "year" (weaker, and never a lone generic word).
      for (size_t k = 1; k < cn.words.size(); ++k) {
        std::vector<std::string> tail(cn.words.begin() + k, cn.words.end());
        if (tail.size() == 1 && is_generic(tail[0])) continue;
        cn.phrases.push_back({tail, 0.8 * tail.size() / cn.words.size() + 0.1});
      }
      // Leading parts ("horsepower_rating" -> "horsepower").
      for (size_t k = 1; k < cn.words.size(); ++k) {
        std::vector<std::string> head(cn.words.begin(), cn.words.begin() + k);
        if (head.size() == 1 && is_generic(head[0])) continue;
        cn.phrases.push_back({head, 0.7 * head.size() / cn.words.size(), true});
      }
      for (const auto& w : split_identifier(col.description)) {
        std::string n = singular_word(w);
        if (n.size() > 2 && !is_stop_word(n) && !is_generic(n)) cn.description_words.push_back(n);
      }
      tn.columns.push_back(std::move(cn));
    }
    name_words_.insert(tn.words.begin(), tn.words.end());
    for (const auto& cn : tn.columns) name_words_.insert(cn.words.begin(), cn.words.end());
    tables_.push_back(std::move(tn));
  }
}

double SchemaLinker::word_match(const std::string& q, const std::string& name, bool related, bool in_phrase) {
  if (q == name) return 1.0;
  if (same_meaning(q, name)) return 0.9;
  // A verb for a participle name: "open" ~ opened, "close" ~ closed.
  if (q.size() >= 4 && (name == q + "ed" || name == q + "d")) return 0.85;
  // A WordNet relation ("vocalist" for singer, "district" for region) counts
  // less than a listed synonym.
  if (related && q.size() >= 3 && name.size() >= 3 && !is_generic(q) && !is_shape_word(q)) {
    WordRelation r = WordNet::shared().relation(q, name);
    // In a longer name, one word may be a near relation at most ("begin
    // day" ~ start date), never a distant one ("public school" ~ university school).
    if (in_phrase && (r == WordRelation::kSibling || r == WordRelation::kTwoSteps)) return 0;
    return relation_score(r);
  }
  return 0;
}

// Two question words for one word of a name: a compound written apart
// ("class room" for classroom, "body builders" for bodybuilder), or, with
// WordNet, a word derived from the name's and a broader term of it
// ("describing content" for description: content that describes).
double SchemaLinker::pair_match(const std::string& first, const std::string& second, const std::string& name,
                                bool related) {
  if (first + second == name || singular_word(first + second) == name) return 0.95;
  if (!related || is_shape_word(first) || is_generic(first) || first.size() < 3 || second.size() < 3) return 0;
  const WordNet& wn = WordNet::shared();
  if (wn.derived(first, name) && wn.broader_within(second, name, 2)) return relation_score(WordRelation::kDerived);
  return 0;
}

double SchemaLinker::phrase_match(const std::vector<std::string>& span, const Phrase& phrase, bool related) {
  double s = 0;
  if (span.size() == phrase.words.size()) {
    s = 1;
    for (size_t i = 0; i < span.size() && s > 0; ++i) {
      s *= word_match(span[i], phrase.words[i], related, span.size() > 1);
    }
  }
  // One word more on one side: two words of it match one word of the other.
  if (s == 0 && span.size() == phrase.words.size() + 1) {
    for (size_t k = 0; k < phrase.words.size() && s == 0; ++k) {
      double m = pair_match(span[k], span[k + 1], phrase.words[k], related);
      for (size_t i = 0; i < phrase.words.size() && m > 0; ++i) {
        if (i != k) m *= word_match(span[i < k ? i : i + 1], phrase.words[i], related, true);
      }
      s = m;
    }
  }
  if (s == 0 && span.size() + 1 == phrase.words.size()) {
    for (size_t k = 0; k < span.size() && s == 0; ++k) {
      double m = phrase.words[k] + phrase.words[k + 1] == span[k] ? 0.95 : 0;
      for (size_t i = 0; i < span.size() && m > 0; ++i) {
        if (i != k) m *= word_match(span[i], phrase.words[i < k ? i : i + 1], related, true);
      }
      s = m;
    }
  }
  // A term WordNet knows as a whole: "forename" ~ first name, "family name" ~
  // last name, "gross domestic product" ~ gdp.
  if (related && s == 0 && (span.size() > 1 || phrase.words.size() > 1)) {
    if (is_stop_word(span.front()) || is_shape_word(span.front()) || is_generic(span.front())) {
      if (span.size() == 1) return 0;
    }
    // Synonyms, and a broader term the question writes in several words
    // ("alcoholic drink" for wine, "academic session" for semester); not a
    // narrower one: its modifier is a condition ("public school" is a school
    // whose type is public).
    const WordNet& wn = WordNet::shared();
    std::string a = joined(span);
    if (wn.knows(a)) {
      WordRelation r = wn.relation(a, joined(phrase.words));
      if (r == WordRelation::kVariant || r == WordRelation::kSynonym || r == WordRelation::kRareSynonym ||
          (r == WordRelation::kBroader && span.size() > 1)) {
        s = relation_score(r);
      }
    }
  }
  // A weak related link (a word for the tail of a long name, "release year"
  // of song_release_year) named something else far more often than the
  // column on Spider train; but the head word of a name is what it is about,
  // and a synonym of it keeps its link ("bedchambers" for bedroom_count,
  // "contests" for competition_id).
  bool head_synonym = phrase.head && span.size() == 1 && s >= relation_score(WordRelation::kSynonym);
  s *= phrase.weight;
  if (related && !head_synonym && s < kMinRelatedScore) return 0;
  return s;
}

std::vector<SchemaCandidate> SchemaLinker::match_words(const std::vector<std::string>& words) const {
  // WordNet only where the schema's own words and the listed synonyms find
  // nothing: a related word beside an exact name is a rival that misleads
  // more often than it helps.
  auto exact = match_words(words, false);
  if (!exact.empty()) return exact;
  // Words of the schema's own names mean those names ("company office" with
  // an office_locations table), not a relative of another.
  if (std::all_of(words.begin(), words.end(), [this](const std::string& w) { return name_words_.count(w) > 0; }))
    return {};
  return match_words(words, true);
}

std::vector<SchemaCandidate> SchemaLinker::match_words(const std::vector<std::string>& words, bool related) const {
  std::vector<SchemaCandidate> out;
  for (size_t t = 0; t < tables_.size(); ++t) {
    double best = 0;
    for (const auto& p : tables_[t].phrases) best = std::max(best, phrase_match(words, p, related));
    if (best > 0) out.push_back({static_cast<int>(t), -1, best});
    for (size_t c = 0; c < tables_[t].columns.size(); ++c) {
      const auto& col = tables_[t].columns[c];
      double cb = 0;
      for (const auto& p : col.phrases) cb = std::max(cb, phrase_match(words, p, related));
      if (cb == 0 && words.size() == 1) {
        for (const auto& d : col.description_words) {
          if (word_match(words[0], d, false, false) > 0 || (related && WordNet::shared().synonyms(words[0], d))) {
            cb = std::max(cb, 0.45);
          }
        }
      }
      if (cb > 0) out.push_back({static_cast<int>(t), static_cast<int>(c), cb});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SchemaCandidate& a, const SchemaCandidate& b) { return a.score > b.score; });
  return out;
}

std::vector<SchemaMention> SchemaLinker::link(const std::vector<QuestionToken>& tokens) const {
  std::vector<SchemaMention> out;
  // "stores were never active": the last word alone names the table, so that
  // the adverb between stays a word of its own (a negation).
  std::map<size_t, SchemaMention> later;
  size_t i = 0;
  while (i < tokens.size()) {
    if (auto f = later.find(i); f != later.end()) {
      out.push_back(f->second);
      i = f->second.end;
      continue;
    }
    // "stores (that) were active" names the table active_store, as "active stores"
    // would: a noun, a form of "be" and a word that name a table in the other order.
    if (tokens[i].kind == QuestionTokenKind::kWord) {
      size_t be = i + 1;
      if (be < tokens.size() &&
          (tokens[be].lower == "that" || tokens[be].lower == "which" || tokens[be].lower == "who")) {
        ++be;
      }
      const std::string verb = be < tokens.size() ? tokens[be].lower : "";
      if (be + 1 < tokens.size() && tokens[be + 1].kind == QuestionTokenKind::kWord &&
          (verb == "is" || verb == "are" || verb == "was" || verb == "were")) {
        auto cands = match_words({tokens[be + 1].norm, tokens[i].norm});
        cands.erase(std::remove_if(cands.begin(), cands.end(),
                                   [](const SchemaCandidate& c) { return c.column >= 0 || c.score < 0.9; }),
                    cands.end());
        if (!cands.empty()) {
          out.push_back({i, be + 2, std::move(cands)});
          i = be + 2;
          continue;
        }
      }
      static const std::set<std::string> kAdverbs = {"never", "not", "ever", "still", "also", "always"};
      if (be + 2 < tokens.size() && kAdverbs.count(tokens[be + 1].lower) &&
          tokens[be + 2].kind == QuestionTokenKind::kWord &&
          (verb == "is" || verb == "are" || verb == "was" || verb == "were")) {
        auto cands = match_words({tokens[be + 2].norm, tokens[i].norm});
        cands.erase(std::remove_if(cands.begin(), cands.end(),
                                   [](const SchemaCandidate& c) { return c.column >= 0 || c.score < 0.9; }),
                    cands.end());
        if (!cands.empty()) later[be + 2] = SchemaMention{be + 2, be + 3, std::move(cands)};
      }
    }
    bool found = false;
    for (size_t len = std::min<size_t>(4, tokens.size() - i); len >= 1 && !found; --len) {
      std::vector<std::string> words;
      bool ok = true;
      for (size_t k = i; k < i + len; ++k) {
        if (tokens[k].kind != QuestionTokenKind::kWord) {
          ok = false;
          break;
        }
        words.push_back(tokens[k].norm);
      }
      if (!ok) continue;
      // A span never starts or ends on a function word.
      if (is_stop_word(words.front()) || is_stop_word(words.back())) continue;
      auto cands = match_words(words);
      if (cands.empty()) continue;
      // A lone generic word matches only names that are exactly that word.
      if (len == 1 && is_generic(words[0])) {
        cands.erase(std::remove_if(cands.begin(), cands.end(), [](const SchemaCandidate& c) { return c.score < 0.9; }),
                    cands.end());
        if (cands.empty()) continue;
      }
      out.push_back({i, i + len, std::move(cands)});
      i += len;
      found = true;
    }
    if (!found) ++i;
  }
  link_elided_words(tokens, out);
  return out;
}

// Names shared by two words: "first and last name" names first_name and
// last_name ("start and end date", "minimum and maximum price" likewise when
// the schema has both columns); "full name" names the first and the last
// name where a table has both and no column is called so (a "full name"
// column links the two words as one name before this runs).
void SchemaLinker::link_elided_words(const std::vector<QuestionToken>& tokens, std::vector<SchemaMention>& out) const {
  auto columns_only = [](std::vector<SchemaCandidate> cands, double min_score) {
    cands.erase(std::remove_if(cands.begin(), cands.end(),
                               [&](const SchemaCandidate& c) { return c.column < 0 || c.score < min_score; }),
                cands.end());
    return cands;
  };
  // A word linked on its own and weakly ("first" as the head of a name) may be re-read.
  auto strongly_taken = [&out](size_t i) {
    for (const auto& m : out) {
      if (m.begin <= i && i < m.end && (m.end - m.begin > 1 || (!m.candidates.empty() && m.candidates[0].score >= 0.9)))
        return true;
    }
    return false;
  };
  std::vector<SchemaMention> added;
  for (auto& m : out) {
    if (m.end - m.begin < 2 || m.candidates.empty() || m.candidates[0].column < 0) continue;
    std::vector<std::string> span;
    for (size_t k = m.begin; k < m.end; ++k) span.push_back(tokens[k].norm);
    // "first and last name": the word before "and" takes the rest of the name.
    if (m.begin >= 2) {
      const QuestionToken& conj = tokens[m.begin - 1];
      const QuestionToken& word = tokens[m.begin - 2];
      if ((conj.lower == "and" || conj.lower == "or" || conj.lower == ",") && word.kind == QuestionTokenKind::kWord &&
          !is_stop_word(word.norm) && !strongly_taken(m.begin - 2)) {
        std::vector<std::string> other = span;
        other[0] = word.norm;
        auto cands = columns_only(match_words(other), 0.9);
        if (!cands.empty()) added.push_back({m.begin - 2, m.begin - 1, std::move(cands)});
      }
    }
  }
  // "full name": the first name and the last name.
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (tokens[i].norm != "full" || tokens[i + 1].norm != "name" || strongly_taken(i)) continue;
    auto first = columns_only(match_words({"first", "name"}), 0.7);
    auto last = columns_only(match_words({"last", "name"}), 0.7);
    if (first.empty() || last.empty()) continue;
    added.push_back({i, i + 1, std::move(first)});
    added.push_back({i + 1, i + 2, std::move(last)});
  }
  for (auto& a : added) {
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&a](const SchemaMention& m) { return m.begin < a.end && a.begin < m.end; }),
              out.end());
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const SchemaMention& a, const SchemaMention& b) { return a.begin < b.begin; });
}

}  // namespace t2sql
