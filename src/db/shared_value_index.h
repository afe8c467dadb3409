// shared_value_index: one ValueIndex per database in a process. The entity
// stage (pipeline/) and the template engine (generate/) both link a
// question's words to stored values; they ask here, so that a database's text
// columns are read once, not once per user, and every pipeline, generator and
// evaluation worker on the same database shares the same read-only index.
//
//   auto index = shared_value_index(*db, catalog);
//   if (!index.ok()) return index.status();
//   auto hits = (*index)->search("sales of apple in seattle");
//
// The index lives as long as someone holds it (a weak reference stays here).
// It is keyed by value_index_fingerprint (the engine, the URI, a file's size
// and time, the text columns and the options), so a database written since is
// read again. Thread-safe: callers on the same database wait for one build.
// Errors: the database's, when a column cannot be read.
#pragma once

#include <memory>

#include "db/value_index.h"

namespace t2sql {

Result<std::shared_ptr<const ValueIndex>> shared_value_index(Database& db, const Catalog& catalog,
                                                             const ValueIndexOptions& options = {});

// An empty index, for a generator or pipeline with no database to read.
std::shared_ptr<const ValueIndex> empty_value_index();

}  // namespace t2sql
