// The skeleton of a SQL statement: its structure with every literal and every
// table, column and alias name masked, so that "total sales in 2023" and
// "units sold per brand in 2024" share a skeleton when their SQL is built the
// same way. The evaluation harness calls a question "novel" when the skeleton
// of its gold SQL occurs nowhere in a training set (eval/training_shapes.h).
//
//   sql_skeleton("SELECT SUM(s.amount) AS total FROM sales s WHERE s.year = 2023")
//     == "select sum ( id ) from id where id = ?"
//
// Rules, on the lexer's tokens (sql_lexer.h), comments dropped:
//   - strings, numbers and parameters -> "?"; a list "? , ? , ?" -> "?"
//   - SQL keywords stay (lower-cased); a word before "(" stays (a function)
//   - every other word or quoted name -> "id"; a qualifier "t." is dropped
//   - "AS <name>" is dropped and "id id" (an implicit alias) becomes "id"
//   - ";" is dropped
// Text the lexer cannot read (an unterminated string) is masked as far as it
// lexed. Plain function; thread-safe.
#pragma once

#include <string>

namespace t2sql {

std::string sql_skeleton(const std::string& sql);

}  // namespace t2sql
