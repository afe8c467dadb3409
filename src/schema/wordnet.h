// WordNet: which words mean the same, from Princeton WordNet 3.0's index
// files (Debian's wordnet-base: /usr/share/wordnet/index.{noun,verb,adj,adv}).
// Two words are synonyms when one of the `senses` most frequent senses of
// one is one of the other's (WordNet lists a word's senses most frequent
// first): "pupil" ~ "student", "vocalist" ~ "singer". Schema linking
// (schema_linker.h) counts such a link less than an exact one.
//
//   const WordNet& wn = WordNet::shared();  // loaded once, on first use
//   if (wn.synonyms("vocalist", "singer")) ...
//
// Immutable after loading; thread-safe. shared() finds the files under
// $T2SQL_WORDNET_DIR, else /usr/share/wordnet; when they are absent it is
// empty (synonyms() is always false), says so once on stderr, and linking
// falls back to exact names and the built-in synonyms. load() returns
// kNotFound for a folder without the index files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

class WordNet {
 public:
  static constexpr int kDefaultSenses = 2;

  WordNet() = default;
  static Result<WordNet> load(const std::string& dir, int senses = kDefaultSenses);
  static const WordNet& shared();

  bool empty() const { return senses_.empty(); }
  size_t size() const { return senses_.size(); }
  // Lower-case single words; a word is not its own synonym here (equality is
  // the caller's stronger match).
  bool synonyms(std::string_view a, std::string_view b) const;

 private:
  // word -> its most frequent senses (synset offset * 4 + part of speech), sorted.
  std::unordered_map<std::string, std::vector<uint32_t>> senses_;
};

}  // namespace t2sql
