#include "schema/wordnet.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unordered_set>

namespace t2sql {

namespace {

constexpr const char* kParts[] = {"noun", "verb", "adj", "adv"};

// The data files' part-of-speech letters; satellites ('s') live in data.adj.
int part_of(char pos) {
  switch (pos) {
    case 'n': return 0;
    case 'v': return 1;
    case 'a':
    case 's': return 2;
    case 'r': return 3;
    default: return -1;
  }
}

uint64_t synset_key(int part, uint32_t offset) {
  return (static_cast<uint64_t>(offset) << 2) | part;
}

std::string to_term(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ') {
      if (!out.empty() && out.back() != '_') out += '_';
    } else {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const char* word_relation_name(WordRelation r) {
  switch (r) {
    case WordRelation::kNone: return "none";
    case WordRelation::kVariant: return "variant";
    case WordRelation::kSynonym: return "synonym";
    case WordRelation::kRareSynonym: return "rare_synonym";
    case WordRelation::kDerived: return "derived";
    case WordRelation::kNarrower: return "narrower";
    case WordRelation::kBroader: return "broader";
    case WordRelation::kSibling: return "sibling";
    case WordRelation::kTwoSteps: return "two_steps";
  }
  return "none";
}

Result<WordNet> WordNet::load(const std::string& dir, int senses) {
  WordNet wn;
  wn.senses_ = senses;
  std::unordered_map<uint64_t, uint32_t> ids;  // (offset, part) -> dense synset id
  auto id_of = [&ids](int part, uint32_t offset) {
    auto [it, added] = ids.emplace(synset_key(part, offset), static_cast<uint32_t>(ids.size()));
    return it->second;
  };
  int files = 0;
  for (int part = 0; part < 4; ++part) {
    std::ifstream in(dir + "/index." + kParts[part]);
    if (!in) continue;
    ++files;
    std::string line;
    while (std::getline(in, line)) {
      // "lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset..."
      // (the licence at the top starts with spaces).
      if (line.empty() || line[0] == ' ') continue;
      std::istringstream fields(line);
      std::string lemma, pos;
      int synsets = 0, pointers = 0;
      if (!(fields >> lemma >> pos >> synsets >> pointers)) continue;
      std::string skip;
      for (int i = 0; i < pointers; ++i) fields >> skip;
      fields >> skip >> skip;  // sense_cnt, tagsense_cnt
      auto& out = wn.lemmas_[lemma];
      // A compound's head: the word before "of" ("course_of_study"), else its last word.
      std::string head;
      if (part == 0 && lemma.find('_') != std::string::npos) {
        size_t of = lemma.find("_of_");
        head = of != std::string::npos ? lemma.substr(0, of) : lemma.substr(lemma.rfind('_') + 1);
        if (head.find('_') != std::string::npos) head = head.substr(head.rfind('_') + 1);
      }
      uint32_t offset = 0;
      for (int i = 0; i < synsets && (fields >> offset); ++i) {
        out.push_back(Sense{id_of(part, offset), static_cast<uint16_t>(i), static_cast<uint8_t>(part)});
        if (!head.empty()) wn.compound_heads_[out.back().synset].push_back(head);
      }
    }
  }
  if (files == 0) return not_found("no WordNet index files under '" + dir + "' (install wordnet-base)");

  for (int part = 0; part < 4; ++part) {
    std::ifstream in(dir + "/" + kParts[part] + ".exc");
    std::string line;
    while (in && std::getline(in, line)) {
      std::istringstream fields(line);
      std::string form, lemma;
      if (fields >> form >> lemma) wn.exceptions_.emplace(form, lemma);
    }
  }

  // Data lines: "offset lex_filenum ss_type w_cnt word lex_id ... p_cnt
  // [symbol offset pos source/target]... | gloss".
  std::vector<std::pair<uint32_t, Pointer>> links;
  for (int part = 0; part < 4; ++part) {
    std::ifstream in(dir + "/data." + kParts[part]);
    std::string line;
    while (in && std::getline(in, line)) {
      if (line.empty() || line[0] == ' ') continue;
      std::istringstream fields(line.substr(0, line.find('|')));
      uint32_t offset = 0;
      std::string lex, type, hex;
      if (!(fields >> offset >> lex >> type >> hex)) continue;
      int words = static_cast<int>(std::strtol(hex.c_str(), nullptr, 16));
      std::string skip;
      for (int i = 0; i < 2 * words; ++i) fields >> skip;
      int count = 0;
      if (!(fields >> count)) continue;
      uint32_t from = id_of(part, offset);
      for (int i = 0; i < count; ++i) {
        std::string symbol, pos, source_target;
        uint32_t target = 0;
        if (!(fields >> symbol >> target >> pos >> source_target)) break;
        int target_part = pos.empty() ? -1 : part_of(pos[0]);
        if (target_part < 0) continue;
        PointerKind kind;
        if (symbol == "@" || symbol == "@i") {
          kind = kUp;
        } else if (symbol == "~" || symbol == "~i") {
          kind = kDown;
        } else if (symbol == "+" || symbol == "&" || symbol == "^" || symbol == "\\" || symbol == "$" ||
                   symbol == "<" || symbol == "=") {
          kind = kSide;
        } else {
          continue;  // antonyms, parts and wholes, domains, entailments
        }
        links.push_back({from, Pointer{id_of(target_part, target), kind}});
      }
    }
  }
  if (!links.empty()) {
    std::stable_sort(links.begin(), links.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    wn.pointer_begin_.assign(ids.size() + 1, 0);
    for (const auto& [from, p] : links) ++wn.pointer_begin_[from + 1];
    for (size_t i = 1; i < wn.pointer_begin_.size(); ++i) wn.pointer_begin_[i] += wn.pointer_begin_[i - 1];
    wn.pointers_.reserve(links.size());
    for (const auto& [from, p] : links) wn.pointers_.push_back(p);
  }
  return wn;
}

const WordNet& WordNet::shared() {
  static const WordNet kShared = [] {
    const char* env = std::getenv("T2SQL_WORDNET_DIR");
    std::string dir = env && *env ? env : "/usr/share/wordnet";
    auto wn = load(dir);
    if (!wn.ok()) {
      std::cerr << "t2sql: WordNet not found (" << wn.status().message()
                << "): schema linking uses exact names and the built-in synonyms only\n";
      return WordNet();
    }
    return std::move(wn).value();
  }();
  return kShared;
}

// WordNet's own reduction of inflected forms ("morphy"): the exception
// lists, then suffix rules; only forms that are lemmas are kept. A term's
// last word carries the inflection ("first names" -> "first_name").
std::vector<std::string> WordNet::base_forms(const std::string& term) const {
  std::vector<std::string> out;
  size_t cut = term.rfind('_');
  std::string head = cut == std::string::npos ? "" : term.substr(0, cut + 1);
  std::string last = cut == std::string::npos ? term : term.substr(cut + 1);
  auto keep = [&](const std::string& base) {
    std::string t = head + base;
    if (t != term && lemmas_.count(t) && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  };
  if (auto it = exceptions_.find(last); it != exceptions_.end()) keep(it->second);
  static const std::pair<const char*, const char*> kRules[] = {
      {"s", ""},      {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"},
      {"men", "man"}, {"ies", "y"}, {"es", "e"},  {"es", ""},   {"ed", "e"},    {"ed", ""},
      {"ing", "e"},   {"ing", ""},  {"er", ""},   {"est", ""},  {"er", "e"},    {"est", "e"},
  };
  for (const auto& [suffix, ending] : kRules) {
    if (ends_with(last, suffix)) keep(last.substr(0, last.size() - std::string_view(suffix).size()) + ending);
  }
  return out;
}

std::vector<WordNet::Sense> WordNet::senses_of(std::string_view text) const {
  std::string term = to_term(text);
  std::vector<Sense> out;
  if (auto it = lemmas_.find(term); it != lemmas_.end()) out = it->second;
  if (out.empty()) {
    for (const auto& base : base_forms(term)) {
      const auto& more = lemmas_.at(base);
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  // A noun used only in the plural, read from a singular name ("headquarter"
  // is a verb; "headquarters" the noun).
  if (std::none_of(out.begin(), out.end(), [](const Sense& s) { return s.part == 0; })) {
    if (auto it = lemmas_.find(term + "s"); it != lemmas_.end()) {
      for (const auto& s : it->second) {
        if (s.part == 0) out.push_back(s);
      }
    }
  }
  return out;
}

std::vector<std::string> WordNet::lemma_forms(std::string_view text) const {
  std::string term = to_term(text);
  std::vector<std::string> out = base_forms(term);
  out.push_back(term);
  return out;
}

bool WordNet::has_compound_head(uint32_t synset, const std::vector<std::string>& heads) const {
  auto it = compound_heads_.find(synset);
  if (it == compound_heads_.end()) return false;
  for (const auto& h : it->second) {
    if (std::find(heads.begin(), heads.end(), h) != heads.end()) return true;
  }
  return false;
}

bool WordNet::derived(std::string_view word, std::string_view noun) const {
  if (pointer_begin_.empty() || to_term(word) == to_term(noun)) return false;
  std::vector<Sense> sw = senses_of(word), sn = senses_of(noun);
  for (const auto& x : sw) {
    if (x.rank >= kRelatedSenses) continue;
    for (uint32_t p = pointer_begin_[x.synset]; p < pointer_begin_[x.synset + 1]; ++p) {
      if (pointers_[p].kind != kSide) continue;
      for (const auto& y : sn) {
        if (y.part == 0 && y.rank < kRelatedSenses && y.synset == pointers_[p].synset) return true;
      }
    }
  }
  return false;
}

bool WordNet::broader_within(std::string_view broad, std::string_view narrow, int steps) const {
  if (pointer_begin_.empty() || to_term(broad) == to_term(narrow)) return false;
  std::vector<uint32_t> targets, frontier;
  for (const auto& s : senses_of(broad)) {
    if (s.part == 0 && s.rank < kRelatedSenses) targets.push_back(s.synset);
  }
  for (const auto& s : senses_of(narrow)) {
    if (s.part == 0 && s.rank < kRelatedSenses) frontier.push_back(s.synset);
  }
  for (int step = 0; step < steps && !frontier.empty(); ++step) {
    std::vector<uint32_t> next;
    for (uint32_t synset : frontier) {
      for (uint32_t p = pointer_begin_[synset]; p < pointer_begin_[synset + 1]; ++p) {
        if (pointers_[p].kind != kUp) continue;
        uint32_t up = pointers_[p].synset;
        if (std::find(targets.begin(), targets.end(), up) != targets.end()) return true;
        next.push_back(up);
      }
    }
    frontier = std::move(next);
  }
  return false;
}

bool WordNet::knows(std::string_view term) const {
  return !senses_of(term).empty();
}

WordRelation WordNet::relation(std::string_view a, std::string_view b) const {
  if (lemmas_.empty() || to_term(a) == to_term(b)) return WordRelation::kNone;
  std::vector<Sense> sa = senses_of(a), sb = senses_of(b);
  if (sa.empty() || sb.empty()) return WordRelation::kNone;
  // Inflections of one lemma ("claimed", "claim") are the same word, which is
  // the caller's business, not a synonym.
  std::string ta = to_term(a), tb = to_term(b);
  for (const auto& base : base_forms(ta)) {
    if (base == tb) return WordRelation::kNone;
  }
  for (const auto& base : base_forms(tb)) {
    if (base == ta) return WordRelation::kNone;
  }
  WordRelation best = WordRelation::kNone;
  auto better = [&best](WordRelation r) {
    if (best == WordRelation::kNone || static_cast<int>(r) < static_cast<int>(best)) best = r;
  };
  std::vector<uint32_t> nouns_a, nouns_b;
  for (const auto& x : sa) {
    if (x.part == 0) nouns_a.push_back(x.synset);
  }
  for (const auto& y : sb) {
    if (y.part == 0) nouns_b.push_back(y.synset);
  }
  std::sort(nouns_a.begin(), nouns_a.end());
  std::sort(nouns_b.begin(), nouns_b.end());
  if (!nouns_a.empty() && nouns_a == nouns_b) return WordRelation::kVariant;
  // Names are nouns: the verbs' and adjectives' synonyms ("call" ~ name) mislead.
  for (const auto& x : sa) {
    for (const auto& y : sb) {
      if (x.synset != y.synset || x.part != 0) continue;
      if (x.rank < senses_ && y.rank < senses_) return WordRelation::kSynonym;
      better(WordRelation::kRareSynonym);
    }
  }
  if (best != WordRelation::kNone || pointer_begin_.empty()) return best;

  // One step from a's frequent senses to b's, then two (meeting in the middle).
  struct Step {
    uint32_t synset;
    PointerKind kind;
  };
  auto neighbours = [this](const std::vector<Sense>& senses) {
    std::vector<Step> out;
    for (const auto& s : senses) {
      if (s.rank >= kRelatedSenses || s.part != 0) continue;
      for (uint32_t p = pointer_begin_[s.synset]; p < pointer_begin_[s.synset + 1]; ++p) {
        out.push_back({pointers_[p].synset, pointers_[p].kind});
      }
    }
    return out;
  };
  std::vector<Step> na = neighbours(sa);
  for (const auto& step : na) {
    for (const auto& y : sb) {
      if (y.rank >= kRelatedSenses || y.part != 0 || y.synset != step.synset) continue;
      better(step.kind == kSide ? WordRelation::kDerived
             : step.kind == kUp ? WordRelation::kNarrower
                                : WordRelation::kBroader);
    }
  }
  if (best != WordRelation::kNone) return best;
  // A compound with the other word at its head names one of a's senses
  // ("curriculum": course of study; "document": text file): a is a kind of b;
  // and the other way round. Not through broader terms: "name" is a kind of
  // "important person", "December" of "Gregorian calendar month".
  auto kind_of = [this](const std::vector<Sense>& senses, const std::vector<std::string>& heads) {
    for (const auto& s : senses) {
      if (s.rank < kRelatedSenses && s.part == 0 && has_compound_head(s.synset, heads)) return true;
    }
    return false;
  };
  if (kind_of(sa, lemma_forms(b))) return WordRelation::kNarrower;
  if (kind_of(sb, lemma_forms(a))) return WordRelation::kBroader;
  // Two steps: through the frequent senses only, and through a term of a
  // few kinds ("municipality": city, town), not a wide one ("state", whose
  // kinds include office and status).
  std::vector<Sense> ta2, tb2;
  for (const auto& s : sa) {
    if (s.rank < kTwoStepSenses) ta2.push_back(s);
  }
  for (const auto& s : sb) {
    if (s.rank < kTwoStepSenses) tb2.push_back(s);
  }
  na = neighbours(ta2);
  std::vector<Step> nb = neighbours(tb2);
  auto kinds = [this](uint32_t synset) {
    int n = 0;
    for (uint32_t p = pointer_begin_[synset]; p < pointer_begin_[synset + 1]; ++p) n += pointers_[p].kind == kDown;
    return n;
  };
  for (const auto& x : na) {
    if (x.kind == kSide) continue;
    for (const auto& y : nb) {
      if (y.kind == kSide || x.synset != y.synset) continue;
      if (x.kind == kUp && y.kind == kUp && kinds(x.synset) > kMaxSiblings) continue;
      better(x.kind == kUp && y.kind == kUp ? WordRelation::kSibling : WordRelation::kTwoSteps);
    }
  }
  return best;
}

}  // namespace t2sql
