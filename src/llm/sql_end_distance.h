// sql_end_distance: how far a SQL statement being written is from one that
// may end, counted in the items (a keyword, a name, a literal, a
// punctuation mark) of its shortest completion. Constrained decoding steers
// by it so that a statement always ends within its token budget
// (SqlScopeChecker::steps_to_end, LlmRequest::steps_to_end).
//
// What is counted, innermost first: an open string or quoted name (its
// quote); each "(" (its ")", and what it still lacks: a query after
// "WITH x AS (" or "FROM (" is "SELECT 1"); a CASE ("WHEN 1 THEN 1 END" less
// what it has); a BETWEEN without its AND ("AND 1"); a WITH whose main query
// has not begun (the rest of the CTE, "SELECT 1"); a window function without
// OVER ("OVER ()"); each qualifier (`q.col`) that no FROM clause of the query
// or an enclosing one declares yet (the FROM keyword, a table and an alias,
// a ","); and what the last word or mark needs ("FROM" a table, "ORDER" BY
// and an operand, "=" an operand, "IN" "()", "EXISTS" "(SELECT 1)").
//
//   sql_end_distance("WITH a AS (", {})                    // 5: SELECT 1 ) SELECT 1
//   sql_end_distance("SELECT t.x, u.y", {"stores"})        // 6: FROM stores t , stores u
//   sql_end_distance("SELECT 1;", {})                      // -1: ended
//
// A lower bound in tokens where each item is one token; a name of several
// tokens costs more, which the decoding loop's margin absorbs. Names are not
// checked here (the scope checker does that): only the statement's shape.
// Thread-safe (a pure function).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/dialect.h"

namespace t2sql {

// `tables`: the schema's table names, lower case (a qualifier that is one
// needs only "FROM t", one that is not also an alias). `engine`: how the
// text is lexed (quotes, escapes; Dialect::Engine's SQLite rules by default).
int sql_end_distance(std::string_view text, const std::vector<std::string>& tables,
                     Dialect::Engine engine = Dialect::Engine::kSqlite);

}  // namespace t2sql
