// HttpBackend: a client of an OpenAI-compatible completion server
// (llama-server, vLLM, Ollama): POST /v1/completions with the prompt text, or
// /v1/chat/completions with the prompt's chat messages. A GBNF grammar goes
// in the "grammar" field, which llama-server honours (others ignore it).
//
// Owns only its settings; each request opens its own connection. Connection
// errors, 429 and 5xx answers are retried (`retries` times, 0.2 s doubling
// back-off); a 4xx answer is returned at once with the server's message.
// Errors: kUnavailable (unreachable, or still failing after the retries),
// kDeadlineExceeded (read timeout), kInvalidArgument (a 4xx, a malformed reply).
#pragma once

#include <memory>

#include "t2sql/llm_backend.h"

namespace t2sql {

Result<std::unique_ptr<LlmBackend>> make_http_backend(const LlmBackendOptions& options);

}  // namespace t2sql
