// SqlGrammar: writes a GBNF grammar (llama.cpp's grammar language) for one
// question: the SELECT language t2sql may emit, whose table and column names
// are only those of the schema shown to the model.
//
// SQL names its columns before its tables, so a context-free grammar cannot
// check that a column belongs to a table of the FROM clause in general. This
// one enumerates scopes instead: each statement picks one table, or two or
// three tables joined along their foreign keys (the FROM clause and its ON
// conditions are fixed by that choice), and only that scope's columns may
// appear; a column name shared by two joined tables must be qualified.
// Aggregates are kept out of WHERE, GROUP BY and other aggregates, subqueries
// in expressions return one column, functions get their arity, and every
// repetition and nesting is bounded. On SQLite every sentence of the grammar
// prepares (the model tests check this over many generations); on stricter
// engines type errors remain possible and go to validation and repair.
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
  std::string dialect = "sqlite";  // "sqlite", "duckdb", "postgresql": which functions and types
  // Nesting of subqueries, parentheses and function arguments (1..6).
  int max_depth = 3;
  // Scopes (table sets) a top-level statement may choose from: every table,
  // then foreign-key joins of two, then of three tables, up to this many.
  int max_scopes = 40;
  // Characters in one string literal.
  int max_string_length = 48;
};

// Tables, columns and single-column foreign keys of CREATE TABLE statements
// (column REFERENCES t(c), and FOREIGN KEY (a) REFERENCES t(b)). Names keep
// their case; quotes are removed.
std::vector<GrammarTable> grammar_tables_from_ddl(const std::string& ddl);

// The grammar; its start rule is "root". A statement ends with ";".
std::string build_sql_grammar(const std::vector<GrammarTable>& tables, const SqlGrammarOptions& options = {});

}  // namespace t2sql
