// Time to first token of a prompt on a GGUF model: the cost of the schema a
// prompt carries, measured rather than estimated. For bench/rag_ttft_bench.cc
// (RAG prompt vs the whole schema). Loads the model per call; not for the
// serving path. Errors: a missing or unloadable model, a prompt longer than
// the context (kResourceExhausted, naming both sizes).
#pragma once

#include <string>

#include "t2sql/status.h"

namespace t2sql {

struct PromptTiming {
  int prompt_tokens = 0;  // by the model's tokenizer
  double ttft_ms = 0;     // prompt processing plus the first sampled token
};

Result<PromptTiming> time_to_first_token(const std::string& model_path, const std::string& prompt, int n_ctx,
                                         int threads);

}  // namespace t2sql
