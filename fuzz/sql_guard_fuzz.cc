// The SQL lexer and the read-only statement guard on any bytes, as each engine
// reads SQL (SQLite, DuckDB, PostgreSQL, ClickHouse), and quoting in every dialect: text
// quoted as a literal must come back as exactly one string token.
#include "fuzz_input.h"
#include "sql/dialect.h"
#include "sql/sql_lexer.h"
#include "sql/statement_guard.h"

using namespace t2sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = fuzz::as_text(data, size);
  for (const char* name : {"sqlite", "duckdb", "postgresql", "clickhouse"}) {
    Dialect dialect = Dialect::for_engine(name);
    SqlLexResult lexed = lex_sql(text, dialect.engine());
    for (const SqlToken& t : lexed.tokens)
      if (t.offset > text.size()) fuzz::broken("a token offset lies outside the input");
    (void)check_read_only_statement(text, dialect.engine());
    if (text.find('\0') != std::string::npos) continue;  // not SQL text any engine takes
    std::string sql = "SELECT " + dialect.string_literal(text) + " AS " + dialect.quote_identifier(text);
    SqlLexResult quoted = lex_sql(sql, dialect.engine());
    if (!quoted.error.empty() || quoted.tokens.size() != 4) fuzz::broken("quoted text did not stay one token");
    if (quoted.tokens[1].kind != SqlTokenKind::kString) fuzz::broken("a string literal did not lex as a string");
    (void)check_read_only_statement(sql, dialect.engine());
  }
  return 0;
}
