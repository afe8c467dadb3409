#include "schema/wordnet.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace t2sql {

Result<WordNet> WordNet::load(const std::string& dir, int senses) {
  WordNet wn;
  static const char* kParts[] = {"noun", "verb", "adj", "adv"};
  int files = 0;
  for (uint32_t part = 0; part < 4; ++part) {
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
      if (lemma.find('_') != std::string::npos) continue;  // multi-word lemmas never match one word
      std::string skip;
      for (int i = 0; i < pointers; ++i) fields >> skip;
      fields >> skip >> skip;  // sense_cnt, tagsense_cnt
      auto& out = wn.senses_[lemma];
      uint32_t offset = 0;
      for (int i = 0; i < synsets && i < senses && (fields >> offset); ++i) out.push_back(offset * 4 + part);
    }
  }
  if (files == 0) return not_found("no WordNet index files under '" + dir + "' (install wordnet-base)");
  for (auto& [word, s] : wn.senses_) std::sort(s.begin(), s.end());
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

bool WordNet::synonyms(std::string_view a, std::string_view b) const {
  if (a == b || senses_.empty()) return false;
  auto ia = senses_.find(std::string(a)), ib = senses_.find(std::string(b));
  if (ia == senses_.end() || ib == senses_.end()) return false;
  const auto& sa = ia->second;
  const auto& sb = ib->second;
  size_t i = 0, j = 0;
  while (i < sa.size() && j < sb.size()) {
    if (sa[i] == sb[j]) return true;
    sa[i] < sb[j] ? ++i : ++j;
  }
  return false;
}

}  // namespace t2sql
