// SqlGrammar: writes a GBNF grammar (llama.cpp's grammar language) for one
// question: the SELECT language t2sql may emit, whose table and column names
// are only those of the schema shown to the model. Decoding under it cannot
// name a table that does not exist or write a statement that does not parse;
// it can still write SQL that is wrong, which validation and repair handle.
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

struct GrammarTable {
  std::string name;
  std::vector<std::string> columns;
};

struct SqlGrammarOptions {
  std::string dialect = "sqlite";  // "sqlite", "duckdb", "postgresql": which date functions and types
  // Table aliases ("FROM sales s", "T1.amount") are short names of at most
  // this many letters and digits: real SQL needs them, and they cannot spell
  // a made-up table.
  int max_alias_length = 3;
  // Let GROUP BY / ORDER BY name a select-list alias ("ORDER BY revenue").
  // Off by default: the grammar cannot check that the alias was defined, and
  // with it off every name a statement uses is a real one.
  bool output_alias_refs = false;
  // Nesting of subqueries, parentheses and function arguments (1..6).
  int max_depth = 3;
  // Characters in one string literal.
  int max_string_length = 48;
};

// Tables and columns of CREATE TABLE statements (table constraints such as
// PRIMARY KEY (...) and FOREIGN KEY (...) are not columns). Names keep their
// case; quotes are removed.
std::vector<GrammarTable> grammar_tables_from_ddl(const std::string& ddl);

// The grammar; its start rule is "root". A statement ends with ";".
std::string build_sql_grammar(const std::vector<GrammarTable>& tables, const SqlGrammarOptions& options = {});

}  // namespace t2sql
