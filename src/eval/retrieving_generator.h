// RetrievingGenerator: the retrieval stage in front of a generator, for the
// evaluation harness's "+rag" modes. Each question first goes through a
// VectorSchemaRetriever (include/t2sql/retrieval.h), and the generator gets
// only the CREATE TABLE statements of the columns it returned (and the
// examples, when the retriever has an example store), as the pipeline's
// retrieval stage does for `t2sql ask --rag`. The retrieval time is part of
// the generation time the harness measures.
//
//   auto gen = make_retrieving_generator(std::move(llm), catalog, {.top_columns = 20, .cache_dir = dir});
//
// Owns both parts; as thread-safe as they are (not: one per worker). Errors:
// create fails as VectorSchemaRetriever::create does; a retrieval that fails
// for one question is returned as that question's error.
#pragma once

#include <memory>

#include "t2sql/generator.h"
#include "t2sql/retrieval.h"

namespace t2sql {

Result<std::unique_ptr<Generator>> make_retrieving_generator(std::unique_ptr<Generator> inner, const Catalog& catalog,
                                                             const RetrievalOptions& options);

}  // namespace t2sql
