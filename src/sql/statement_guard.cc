#include "sql/statement_guard.h"

#include <array>
#include <string_view>

#include "sql/sql_lexer.h"

namespace t2sql {

namespace {

// Words that only a writing or session-changing statement contains.
constexpr std::array<std::string_view, 20> kWriteWords = {
    "INSERT",  "UPDATE",   "DELETE", "DROP",   "CREATE", "ALTER", "ATTACH", "DETACH", "VACUUM", "PRAGMA",
    "REINDEX", "TRUNCATE", "GRANT",  "REVOKE", "COPY",   "MERGE", "CALL",   "INTO",   "UPSERT", "ANALYZE"};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Status check_read_only_statement(const std::string& sql) {
  SqlLexResult lexed = lex_sql(sql);
  if (!lexed.error.empty()) return invalid_argument("cannot read the SQL: " + lexed.error);
  const auto& tokens = lexed.tokens;
  size_t end = tokens.size();
  while (end > 0 && tokens[end - 1].is_punct(';')) --end;
  if (end == 0) return invalid_argument("the SQL is empty");
  for (size_t i = 0; i < end; ++i) {
    if (tokens[i].is_punct(';')) return invalid_argument("several statements in one string; give exactly one");
  }
  for (size_t i = 0; i < end; ++i) {
    for (std::string_view w : kWriteWords) {
      if (tokens[i].is_word(w)) {
        return permission_denied("refusing to run " + upper(tokens[i].text) +
                                 ": t2sql only runs read-only queries (SELECT)");
      }
    }
  }
  const SqlToken& first = tokens[0];
  if (first.is_punct('(')) {
    // "(SELECT ...) UNION (SELECT ...)" starts with a parenthesis.
    for (size_t i = 1; i < end && !tokens[i].is_punct('('); ++i) {
      if (tokens[i].is_word("SELECT") || tokens[i].is_word("WITH")) return Status();
    }
  }
  if (first.is_word("SELECT") || first.is_word("WITH") || first.is_word("VALUES")) return Status();
  return permission_denied("refusing to run a statement that starts with " + upper(first.text) +
                           ": t2sql only runs read-only queries (SELECT)");
}

}  // namespace t2sql
