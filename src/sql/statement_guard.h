// StatementGuard: the engine-independent check that a string is exactly one
// read-only query. Each engine adds its own enforcement underneath (a
// read-only connection, an authorizer, a read-only transaction); this check
// exists to give a clear message before any engine sees the text.
#pragma once

#include <string>

#include "t2sql/status.h"

namespace t2sql {

// OK when `sql` is one SELECT / WITH ... SELECT / VALUES statement (a trailing
// semicolon is fine) that calls no file, large-object, setting or side-effect
// function (pg_read_file, lo_*, set_config, nextval, pg_terminate_backend,
// dblink*, read_csv, ...). kPermissionDenied names the writing keyword or the
// function found;
// kInvalidArgument covers empty text, several statements and lexing errors.
Status check_read_only_statement(const std::string& sql);

}  // namespace t2sql
