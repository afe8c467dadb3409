// The evaluation's semantic similarity with an embedding model: the cosine of
// the embeddings of the gold and the predicted SQL (a GGUF embedding model
// run by llama.cpp, retrieval/llama_embedder.h), clamped to [0, 1]. Without a
// model the harness uses lexical_sql_similarity (sql/sql_similarity.h).
//
//   auto sim = make_embedding_similarity("bge-small.gguf", 0);
//   options.similarity = *sim;  options.similarity_measure = "embedding cosine (bge-small.gguf)";
//
// The returned function owns the model and serializes calls with a mutex, so
// the harness's workers may share it. A text the model cannot embed scores 0.
// Errors: kNotFound / kInvalidArgument for a missing file or one that is not an
// embedding model (as make_llama_embedder).
#pragma once

#include <string>

#include "eval/eval_runner.h"

namespace t2sql {

Result<SqlSimilarityFn> make_embedding_similarity(const std::string& model_path, int threads);

}  // namespace t2sql
