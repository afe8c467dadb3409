// SqlGrammar: writes a GBNF grammar (llama.cpp's grammar language) of the
// read-only SQL t2sql may emit: one SELECT statement (WITH, set operations,
// joins of any kind and order, derived tables, subqueries, window functions,
// CASE, CAST, any literal, any white space and keyword case, the dialect's
// quoting), ended by ";". Writing statements and a second statement are
// outside it.
//
// Which names exist is beyond a context-free grammar over aliases, CTEs and
// output names, so the grammar lets any identifier stand where a name may;
// SqlScopeChecker (sql_scope_checker.h) refuses, as the statement grows, a
// table, alias, CTE, column or function that the schema and the statement do
// not make available. Decoding in-process runs both; a server that takes
// GBNF gets the grammar alone.
//
//   auto tables = grammar_tables_from_ddl(request.schema_ddl);
//   std::string gbnf = build_sql_grammar(tables, {.dialect = "sqlite"});
//   llama_sampler_init_grammar(vocab, gbnf.c_str(), "root");
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace t2sql {

struct GrammarForeignKey {
  std::string column, ref_table, ref_column;
};

struct GrammarTable {
  std::string name;
  std::vector<std::string> columns;
  std::vector<GrammarForeignKey> foreign_keys;  // single-column ones
};

struct SqlGrammarOptions {
  // "sqlite", "duckdb", "postgresql": quoting ("x" everywhere; `x` and [x] on
  // SQLite) and operators (::type, ILIKE, ->> on the servers).
  std::string dialect = "sqlite";
  // Room to think: prose first (no "```" in it), then the statement in a
  // final ```sql fence, which the grammar constrains; the fence closes the
  // answer. False: the answer is the statement alone, from its first word.
  bool think = false;
};

// Tables, columns and single-column foreign keys of CREATE TABLE statements
// (column REFERENCES t(c), and FOREIGN KEY (a) REFERENCES t(b)). Names keep
// their case; quotes are removed.
std::vector<GrammarTable> grammar_tables_from_ddl(const std::string& ddl);

// The grammar; its start rule is "root". A statement ends with ";" (in think
// mode the ";" is optional and the closing fence ends the answer).
std::string build_sql_grammar(const std::vector<GrammarTable>& tables, const SqlGrammarOptions& options = {});

}  // namespace t2sql
