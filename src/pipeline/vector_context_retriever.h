// The retrieval stage's default engine: the vector index over column
// descriptions from src/retrieval/ (include/t2sql/retrieval.h) when this
// build has it, else the LexicalRetriever. The index is built (or loaded from
// its cache under the database's cache folder) on the first question that
// needs it; if that fails, the lexical retriever answers and the trace says
// why. One per Pipeline; not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "t2sql/pipeline.h"

namespace t2sql {

// `db_uri` names the cache folder of the index.
std::unique_ptr<ContextRetriever> make_default_retriever(const std::string& db_uri);

// Whether this build has the vector-index retriever.
bool vector_retrieval_available();

}  // namespace t2sql
