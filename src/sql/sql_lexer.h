// SqlLexer: splits SQL text into tokens (words, quoted names, strings,
// numbers, punctuation), skipping comments. Shared by the statement guard,
// the normalizer and anything else that must look at SQL without an engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace t2sql {

enum class SqlTokenKind { kWord, kQuotedName, kString, kNumber, kPunct, kParam };

struct SqlToken {
  SqlTokenKind kind;
  std::string text;   // as written (quotes kept for strings and quoted names)
  size_t offset = 0;  // byte offset in the input

  bool is_word(std::string_view upper_word) const;  // case-insensitive keyword test
  bool is_punct(char c) const { return kind == SqlTokenKind::kPunct && text.size() == 1 && text[0] == c; }
};

struct SqlLexResult {
  std::vector<SqlToken> tokens;
  std::string error;  // "unterminated string at offset 12", empty when fine
};

SqlLexResult lex_sql(std::string_view sql);

}  // namespace t2sql
