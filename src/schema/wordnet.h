// WordNet: how two words (or two multi-word terms) are related, from
// Princeton WordNet 3.0 (Debian's wordnet-base: /usr/share/wordnet). The
// index files (index.{noun,verb,adj,adv}) give each lemma's senses, most
// frequent first; the data files (data.*) give each sense's links to other
// senses (broader and narrower terms, derived forms, similar adjectives); the
// exception lists (*.exc) irregular forms ("geese" -> goose).
//
// Two words are synonyms when one of the `senses` most frequent senses of one
// is one of the other's ("pupil" ~ "student", "forename" ~ "first name");
// rarer shared senses, a broader or narrower term ("district" is a kind of
// "region", "day" is broader than "date"), two steps apart (siblings under
// one broader term: "enterprise" ~ "company"; "airplane" -> "heavier-than-air
// craft" -> "aircraft") and derived forms are weaker relations. A term whose
// sense is also written as a compound with the other word at its head is a
// kind of that word ("curriculum" is a
// "course of study": a kind of course; "document" is a "text file": a kind
// of file). Schema linking
// (generate/schema_linker.h) weighs each relation less than an exact word.
//
//   const WordNet& wn = WordNet::shared();  // loaded once, on first use
//   if (wn.synonyms("vocalist", "singer")) ...
//   WordRelation r = wn.relation("district", "region");  // kNarrower
//
// Multi-word terms are written with spaces or underscores ("first name").
// Inflected forms are reduced to their lemma (WordNet's exception lists and
// suffix rules): "staffs", "divisions", "cellphones".
//
// Immutable after loading; thread-safe. shared() finds the files under
// $T2SQL_WORDNET_DIR, else /usr/share/wordnet; when they are absent it is
// empty (relation() is always kNone), says so once on stderr, and linking
// falls back to exact names and the built-in synonyms. load() returns
// kNotFound for a folder without the index files; without the data files
// only synonyms are known.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

// From the strongest to the weakest, as relation() ranks them.
enum class WordRelation {
  kNone,
  kVariant,      // every noun sense shared: another spelling ("colour", "color")
  kSynonym,      // a shared sense among the most frequent senses of both
  kRareSynonym,  // a shared sense, rarer for one of them
  kDerived,      // derived forms, similar adjectives, "see also" (decor ~ decoration)
  kNarrower,     // the first is a kind of the second ("district" -> region)
  kBroader,      // the second is a kind of the first ("day" -> date)
  kSibling,      // two kinds of one broader term ("enterprise" ~ company)
  kTwoSteps,     // a kind of a kind, either way ("airplane" -> aircraft)
};
inline constexpr int kWordRelations = 9;

const char* word_relation_name(WordRelation r);

class WordNet {
 public:
  static constexpr int kDefaultSenses = 2;
  // Only a word's most frequent senses take part in the relations beyond
  // synonymy, and only nouns (names of tables and columns are nouns; the
  // rare senses and the verbs' and adjectives' links relate almost anything).
  static constexpr int kRelatedSenses = 4;
  static constexpr int kTwoStepSenses = 2;
  // Siblings only under a broader term with at most this many kinds.
  static constexpr int kMaxSiblings = 40;

  WordNet() = default;
  static Result<WordNet> load(const std::string& dir, int senses = kDefaultSenses);
  static const WordNet& shared();

  bool empty() const { return lemmas_.empty(); }
  // Lemmas known (single words and multi-word terms).
  size_t size() const { return lemmas_.size(); }
  bool has_relations() const { return !pointer_begin_.empty(); }

  // Lower-case words or terms; a word is not related to itself here (equality
  // is the caller's stronger match). The strongest relation found.
  WordRelation relation(std::string_view a, std::string_view b) const;
  bool synonyms(std::string_view a, std::string_view b) const {
    WordRelation r = relation(a, b);
    return r == WordRelation::kSynonym || r == WordRelation::kVariant;
  }
  // Whether WordNet knows the term (after reducing inflections).
  bool knows(std::string_view term) const;
  // Whether a word of any part of speech ("describing": describe) and a noun
  // are derived forms of each other (describe -> description), among their
  // frequent senses.
  bool derived(std::string_view word, std::string_view noun) const;
  // Whether `broad` is a broader term of `narrow` at most `steps` steps up
  // from narrow's frequent noun senses ("content" of "description":
  // description -> statement -> message, content).
  bool broader_within(std::string_view broad, std::string_view narrow, int steps) const;

 private:
  struct Sense {
    uint32_t synset = 0;
    uint16_t rank = 0;  // 0: the lemma's most frequent sense of this part of speech
    uint8_t part = 0;   // 0 noun, 1 verb, 2 adjective, 3 adverb
  };
  enum PointerKind : uint8_t { kUp = 0, kDown = 1, kSide = 2 };
  struct Pointer {
    uint32_t synset = 0;
    PointerKind kind = kUp;
  };

  // The senses of a term: its own, else those of its base forms.
  std::vector<Sense> senses_of(std::string_view term) const;
  std::vector<std::string> base_forms(const std::string& term) const;
  // Whether a synset holds a compound whose head word is one of `heads`
  // ("course_of_study", "computer_file").
  bool has_compound_head(uint32_t synset, const std::vector<std::string>& heads) const;
  // A term and its base forms (the lemmas that can head a compound).
  std::vector<std::string> lemma_forms(std::string_view text) const;

  int senses_ = kDefaultSenses;
  std::unordered_map<std::string, std::vector<Sense>> lemmas_;
  std::unordered_map<std::string, std::string> exceptions_;  // inflected form -> lemma
  // Noun synset -> head words of its compound lemmas ("computer_file": file;
  // "course_of_study": course).
  std::unordered_map<uint32_t, std::vector<std::string>> compound_heads_;
  // Synset ids are dense; their pointers in one array (CSR).
  std::vector<uint32_t> pointer_begin_;
  std::vector<Pointer> pointers_;
};

}  // namespace t2sql
