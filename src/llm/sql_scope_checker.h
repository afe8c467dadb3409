// SqlScopeChecker: the names half of constrained decoding. The GBNF grammar
// (sql_grammar.h) keeps the statement's shape; this checker reads the
// statement as it grows, the way PICARD's incremental parser does, and
// refuses the first name the schema and the statement do not make available:
//
// - after FROM / JOIN / "," of a FROM clause: a table of the schema or a CTE
//   of this statement;
// - `q.col`: q an alias, table or CTE that a FROM clause of this query (or an
//   enclosing one) declares; col a column of that table (for a derived table
//   or a CTE whose columns it does not follow: any column name of the schema
//   or output name of the statement);
// - a bare column: a column of the tables in scope, an output name of the
//   statement, or (beside a derived table or a CTE) any such name;
// - a function: one of the dialect's (SQLite's list is checked; DuckDB's and
//   PostgreSQL's are too many to list and are left to validation).
//
// SQL names columns before the FROM clause that declares their tables, so a
// reference in the select list is first checked loosely (some table of the
// schema has such a column, or a prefix of one while it is being written) and
// exactly once the query's FROM clause ends. While `complete` is false the
// last word may still grow: it passes when some allowed name starts with it.
//
//   SqlScopeChecker checker(grammar_tables_from_ddl(ddl), "sqlite");
//   ScopeVerdict v = checker.check("SELECT nme FROM singer;", true);  // v.ok false, v.offset 7
//
// Immutable after construction; check() is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "llm/sql_grammar.h"
#include "sql/sql_lexer.h"
#include "t2sql/llm_backend.h"

namespace t2sql {

struct ScopeVerdict {
  bool ok = true;
  size_t offset = 0;    // where the refused name starts
  std::string message;  // "no column 'nme' in singer"
  // When ok and not complete: the statement's last word cannot stand as
  // written and must still become one of these (text to append: the rest of
  // a keyword, a function's "(", a qualifier's ".x"); empty when it can.
  std::vector<std::string> grow;
  // When ok and not complete: items the statement needs that its shape does
  // not show (a FROM clause for columns named before one); negative when it
  // needs fewer than its shape shows (an alias half written).
  int needs = 0;
  // When ok and not complete: the alias the FROM clause's last table may
  // take to declare a qualifier used before it (text to append: "T1", or
  // "1" when "T" is being written); empty when none.
  std::string alias_rest;
};

class SqlScopeChecker {
 public:
  SqlScopeChecker(std::vector<GrammarTable> tables, std::string dialect);

  // `complete`: the statement is finished (its last word will not grow).
  ScopeVerdict check(std::string_view text, bool complete) const;

  // How far a statement being written is from one that may end: -1 when it
  // has ended (its ";" is there), else the items of its shortest completion
  // (sql_end_distance.h: open quotes, parentheses and what they still lack,
  // CASE, BETWEEN, a pending CTE and the main query after it, qualifiers no
  // FROM clause declares yet, what the last word needs), and one when that
  // is 0 but the checker does not take the statement as complete (a name
  // still being written). 0: a ";" may follow. Constrained decoding keeps
  // every statement within its token budget by it (LlmRequest::steps_to_end).
  //   steps_to_end("SELECT COUNT(*) FROM singer WHERE name = 'Jo")  // 1
  //   steps_to_end("WITH a AS (")                                   // 5
  int steps_to_end(std::string_view text) const;

  // Text that brings a statement being written nearer its end, as far as the
  // checker knows it: the rest of the keyword or call the last word must
  // become (or the "." of a qualifier), the alias that declares a qualifier
  // ("T1" after "FROM singer ", "1" after "FROM singer AS T"), the rest of
  // the shortest names of the schema the last word begins. Constrained decoding tries their first
  // tokens when the model's likeliest ones are all refused, before it
  // searches the vocabulary (LlmRequest::continuations).
  std::vector<std::string> continuations(std::string_view text) const;

  const std::vector<GrammarTable>& tables() const { return tables_; }

 private:
  ScopeVerdict check_text(std::string_view text, bool complete) const;
  ScopeVerdict check_keyword_places(const std::vector<SqlToken>& tk, size_t whole, bool complete) const;
  bool schema_word(const std::string& word) const;  // a table or column name of the schema
  bool sqlite_dialect() const;

  std::vector<GrammarTable> tables_;
  std::string dialect_;
  std::vector<std::string> all_columns_;  // lower case, sorted, unique
  std::vector<std::string> table_names_;  // lower case
  // The shortest few of each, which continuations() offers where one begins.
  std::vector<std::string> shortest_columns_, shortest_tables_;
  uint64_t id_ = 0;  // tells checkers apart in check()'s per-thread memo
};

// What constrained decoding uses for one prompt's schema text: the grammar and
// the scope checker (both empty when the text declares no table).
struct SqlConstraint {
  std::string gbnf;
  std::shared_ptr<const SqlScopeChecker> checker;
};
SqlConstraint build_sql_constraint(const std::string& schema_ddl, const std::string& dialect, bool think = false);

// Puts both on a request: the grammar, and the checker as accept_text (a
// statement being written, complete once its ";" is there). In think mode the
// checker reads only what follows the ```sql fence, and the answer ends with
// the closing fence rather than at the first ";" (prose may hold one).
void constrain_sql(const std::string& schema_ddl, const std::string& dialect, bool think, LlmRequest* request);

// The SQL part of a think-mode answer so far: after "```sql" and its line
// break, up to a closing fence; npos when the fence is not open yet.
size_t think_sql_start(const std::string& text);

}  // namespace t2sql
