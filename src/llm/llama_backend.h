// LlamaBackend: a GGUF model run in this process by llama.cpp (CPU, or a GPU
// when llama.cpp was built with one), with an optional LoRA adapter.
//
// It owns the model, one context and the adapter. The KV cache of the last
// request stays in the context: a request whose tokens start like the
// previous one's (same instructions and schema) decodes only the rest.
// complete() takes a mutex; one request runs at a time.
#pragma once

#include <memory>

#include "t2sql/llm_backend.h"

namespace t2sql {

Result<std::unique_ptr<LlmBackend>> make_llama_backend(const LlmBackendOptions& options);

}  // namespace t2sql
