// The retrieval stage's default engine: the vector index over column
// descriptions from src/retrieval/ (include/t2sql/retrieval.h), with the
// LexicalRetriever as its fallback. The index is built (or loaded from
// its cache under the database's cache folder) on the first question that
// needs it; if that fails, the lexical retriever answers and the trace says
// why. One per Pipeline; not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "t2sql/pipeline.h"
#include "t2sql/retrieval.h"

namespace t2sql {

// `db_uri` names the cache folder of the index (unless `options.cache_dir`
// names one); `options` configure the index (N, embedder, examples, budget).
std::unique_ptr<ContextRetriever> make_default_retriever(const std::string& db_uri,
                                                         const RetrievalOptions& options = {});

}  // namespace t2sql
