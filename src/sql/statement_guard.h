// StatementGuard: the check that a string is exactly one read-only query, in
// the engine's own lexical rules. Each engine adds its own enforcement
// underneath (a read-only connection, an authorizer, a read-only transaction);
// this check refuses before any engine sees the text, with a clear message.
#pragma once

#include <string>

#include "sql/dialect.h"
#include "t2sql/status.h"

namespace t2sql {

// OK when `sql`, read as `engine` reads it, is one SELECT / WITH ... SELECT /
// VALUES statement (a trailing semicolon is fine) with no writing keyword, no
// row lock (FOR UPDATE/SHARE) and no SELECT INTO, that calls only functions of
// the engine's allow-list (sql/function_allow_list.h): a call of anything
// else, a schema-qualified call outside pg_catalog, or a quoted name that does
// not resolve is refused. kPermissionDenied names the keyword or function
// found; kInvalidArgument covers empty text, NUL bytes, several statements and
// lexing errors (an unterminated string or comment).
// A statement that starts with a word no engine begins a statement with
// ("selec * from t") is a syntax error: kInvalidArgument "syntax error at or
// near ...", which an engine may replace by its own parser's message.
Status check_read_only_statement(const std::string& sql, Dialect::Engine engine);

// True when the first token of `sql` starts no statement on any engine (a
// misspelt keyword, a number, a string): such text cannot run anywhere, so an
// engine may hand it to its parser for the exact syntax error.
bool starts_with_unknown_word(const std::string& sql, Dialect::Engine engine);

}  // namespace t2sql
