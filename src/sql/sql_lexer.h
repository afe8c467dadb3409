// SqlLexer: splits SQL text into tokens (words, quoted names, strings,
// numbers, punctuation), skipping comments, the way the engine that will run
// it does. Shared by the statement guard, the normalizer and anything else
// that must look at SQL without an engine.
//
// The engines differ where it matters for safety: SQLite reads [x] and `x` as
// quoted names and has no nested comments; PostgreSQL and DuckDB (whose parser
// is PostgreSQL's) read E'..' strings with backslash escapes, $tag$..$tag$
// strings, nested /* /* */ */ comments, U&".." names with \XXXX escapes (and
// an optional UESCAPE 'c'), and [ as an array subscript. ClickHouse reads
// backslash escapes in every quoted string and name ('it\'s', `a\`b`), has
// SQLite's flat comments, and [ opens an array.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/dialect.h"

namespace t2sql {

enum class SqlTokenKind { kWord, kQuotedName, kString, kNumber, kPunct, kParam };

struct SqlToken {
  SqlTokenKind kind;
  std::string text;   // as written (quotes kept for strings and quoted names)
  size_t offset = 0;  // byte offset in the input
  // kQuotedName: the name it stands for (quotes removed, doubled quotes and
  // U& escapes resolved); kString: the contents as written between the
  // quotes; other kinds: empty. `value_ok` is false when a U& escape is bad.
  std::string value;
  bool value_ok = true;

  bool is_word(std::string_view upper_word) const;  // case-insensitive keyword test
  bool is_punct(char c) const { return kind == SqlTokenKind::kPunct && text.size() == 1 && text[0] == c; }
};

struct SqlLexResult {
  std::vector<SqlToken> tokens;
  std::string error;  // "unterminated string at offset 12", empty when fine
};

// SQLite's rules unless `engine` says otherwise (DuckDB and PostgreSQL share theirs; ClickHouse has its own).
SqlLexResult lex_sql(std::string_view sql, Dialect::Engine engine = Dialect::Engine::kSqlite);

}  // namespace t2sql
