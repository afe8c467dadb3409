// The value index on disk: ValueIndex (value_index.h) reads every distinct
// text value of a database, which on a large one takes long enough to show a
// progress bar and to keep the result. The cache sits in the database's
// cache folder beside the schema index, behind a fingerprint of the text
// columns, the index options and the database file's size and modification
// time (for engines without a file, the URI), and a checksum.
//
//   auto loaded = load_or_build_value_index(*db, catalog, database_cache_dir(db->uri()));
//   auto hints = loaded->index.search("apple phones in seattle");
//
// Functions, no shared state. Errors: the database's, when a column cannot be
// read. A cache that cannot be written is noted in `origin`, not an error.
#pragma once

#include <string>

#include "db/value_index.h"
#include "t2sql/retrieval.h"

namespace t2sql {

struct ValueIndexLoad {
  ValueIndex index;
  std::string origin;  // "built", "loaded from cache", "rebuilt (<why>)"
  double build_ms = 0;
};

// `cache_dir` empty: build, no cache.
Result<ValueIndexLoad> load_or_build_value_index(Database& db, const Catalog& catalog, const std::string& cache_dir,
                                                 const ValueIndexOptions& options = {},
                                                 const ProgressFn& progress = nullptr);

}  // namespace t2sql
