// The functions a read-only query may call, per engine: the built-in scalar,
// aggregate, window, string, date, math, JSON and list functions that
// questions about data need, and nothing that reads files, changes settings,
// signals sessions, takes locks, sleeps, runs SQL given as text or builds
// values out of nothing (zeroblob, randomblob). A name not listed is refused,
// so functions the engines add later, extensions and user-defined functions
// are refused until someone reads them and adds them here.
// Thread-safe (constant tables).
#pragma once

#include <string_view>

#include "sql/dialect.h"

namespace t2sql {

// `name` in lowercase, as the engine resolves it ("lower", "->>").
bool is_allowed_function(std::string_view name, Dialect::Engine engine);

// How many names the engine's list holds (for the docs and tests).
size_t allowed_function_count(Dialect::Engine engine);

}  // namespace t2sql
