// SchemaLinker: finds the tables and columns a question speaks of. Every name
// is read as English words (identifier_words: case and underscores split,
// abbreviations expanded, plurals folded); a question span links to a table
// or column when its words match a name's words in order, word by word equal
// or synonyms (the listed ones, then WordNet's, weaker: schema/wordnet.h),
// and more weakly when it matches the head part of a longer column name or a
// word of the column's description.
//
//   SchemaLinker linker(catalog);
//   for (const SchemaMention& m : linker.link(tokenize_question(q))) ...
//
// Owns a copy of the names it needs; link() is const and thread-safe.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "generate/question_parser.h"
#include "t2sql/catalog.h"

namespace t2sql {

struct SchemaCandidate {
  int table = -1;
  int column = -1;   // -1: the table itself
  double score = 0;  // 1: every word of the name, exactly; lower for synonyms and parts
};

// One question span and everything it may name, best first.
struct SchemaMention {
  size_t begin = 0, end = 0;  // token span [begin, end)
  std::vector<SchemaCandidate> candidates;
};

class SchemaLinker {
 public:
  explicit SchemaLinker(const Catalog& catalog);

  // Spans from left to right, longest match first, never overlapping.
  std::vector<SchemaMention> link(const std::vector<QuestionToken>& tokens) const;

  // Candidates for an explicit word list (used for "name", "age", ...).
  std::vector<SchemaCandidate> match_words(const std::vector<std::string>& words) const;

  const std::vector<std::string>& table_words(int table) const { return tables_[table].words; }
  const std::vector<std::string>& column_words(int table, int column) const {
    return tables_[table].columns[column].words;
  }

 private:
  struct Phrase {
    std::vector<std::string> words;
    double weight = 1;  // how much an exact match of this phrase is worth
    bool head = false;  // the leading words of a longer name
  };
  struct ColumnNames {
    std::vector<std::string> words;
    std::vector<Phrase> phrases;
    std::vector<std::string> description_words;
  };
  struct TableNames {
    std::vector<std::string> words;
    std::vector<Phrase> phrases;
    std::vector<ColumnNames> columns;
  };

  // 1 for equal words, 0.9 for listed synonyms, less for WordNet's relations
  // (with `related`), 0 otherwise.
  static double word_match(const std::string& question_word, const std::string& name_word, bool related,
                           bool in_phrase);
  static double pair_match(const std::string& first, const std::string& second, const std::string& name, bool related);
  static double phrase_match(const std::vector<std::string>& span, const Phrase& phrase, bool related);
  std::vector<SchemaCandidate> match_words(const std::vector<std::string>& words, bool related) const;
  void link_elided_words(const std::vector<QuestionToken>& tokens, std::vector<SchemaMention>& out) const;

  std::vector<TableNames> tables_;
  // Every word of every table and column name.
  std::set<std::string> name_words_;
};

}  // namespace t2sql
