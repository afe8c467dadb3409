// LlmBackend: a language model that completes a prompt. Two implementations:
// a GGUF model run in-process by llama.cpp, and a client of an
// OpenAI-compatible server (llama-server, vLLM, Ollama). The LLM generator,
// the evaluation harness's judge and anything else that asks a model for text
// see only this interface.
//
//   auto backend = make_llm_backend({.model_path = "qwen2.5-coder-1.5b-q4_0.gguf"});
//   if (!backend.ok()) return fail(backend.status());
//   auto out = (*backend)->complete({.prompt = text, .grammar = gbnf, .max_tokens = 200});
//
// Errors: kNotFound (no model file), kInvalidArgument (not a GGUF file, a
// truncated one, an adapter made for another model, a grammar that does not
// parse), kUnavailable (a server that does not answer), kDeadlineExceeded.
// One backend may be shared by threads: the in-process one runs one request
// at a time (a mutex), the HTTP one holds no mutable state.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "t2sql/prompt.h"
#include "t2sql/status.h"

namespace t2sql {

struct LlmRequest {
  // The exact text to complete (the in-process backend and /v1/completions).
  std::string prompt;
  // The same prompt as chat messages (/v1/chat/completions uses these).
  std::vector<ChatMessage> messages;
  // A GBNF grammar the output must follow; empty = free text.
  std::string grammar;
  // In-process decoding only (a server gets the grammar alone): a token is
  // refused when this returns false for the completion so far with the
  // token's text appended. The SQL scope checker (names that exist) runs here.
  std::function<bool(const std::string& text)> accept_text;
  // In-process decoding only: how far the completion so far is from an end
  // (-1: it has ended; 0: it may end now; more: that many things left open,
  // see SqlScopeChecker::steps_to_end). Decoding keeps it within the tokens
  // left: a token after which it exceeds them is refused; near the limit a
  // token that raises it is refused; nearer still (and in the last
  // closing_tokens) decoding chooses, among the tokens the grammar and
  // accept_text allow, the one that brings it lowest (the likelier on a
  // tie), so that a statement ends within max_tokens.
  std::function<int(const std::string& text)> steps_to_end;
  // In-process decoding only: where the completion so far holds what keeps it
  // from ever ending (the offset of the first name the constraint refuses
  // once the statement is taken as finished, such as a qualifier that no FROM
  // clause declared), or std::string::npos. At a dead end, decoding goes back
  // to the token that began that name and bans it there, rather than
  // backtracking one token at a time through everything written since.
  std::function<size_t(const std::string& text)> refusal_cause;
  // In-process decoding only: text the constraint knows to bring the
  // completion nearer its end (the rest of a keyword the last word must
  // become, an alias that declares a qualifier). When the likeliest tokens
  // are all refused, decoding tries the first token of each before it
  // searches the vocabulary.
  std::function<std::vector<std::string>(const std::string& text)> continuations;
  int closing_tokens = 0;  // 0: a quarter of max_tokens, at least 8
  int max_tokens = 256;
  float temperature = 0.0f;  // <= 0: greedy, deterministic
  float top_p = 1.0f;
  uint32_t seed = 42;
  // Stop after the ";" that ends the first SQL statement.
  bool stop_at_statement_end = true;
  std::vector<std::string> stop;  // further stop strings
  // Generate exactly max_tokens, never stopping at end-of-text (benchmarks).
  bool ignore_eog = false;
  // In-process decoding: fill LlmResponse::mean_logprob (one pass over the
  // vocabulary's logits per token).
  bool logprobs = false;
};

struct LlmResponse {
  std::string text;  // the completion, without the prompt
  // "stop" (end of text or statement), "length" (token limit), "refused"
  // (accept_text refused every token the grammar allows, and backtracking
  // found no other way within its bound: a dead end).
  std::string finish_reason;
  // In-process decoding: how many times a dead end sent decoding back one
  // token (the token banned at its position, grammar and KV cache rolled back).
  int backtracks = 0;
  // With LlmRequest::logprobs: the mean, over the completion's tokens, of
  // each token's log-probability under the model (before any constraint).
  double mean_logprob = 0;
  int prompt_tokens = 0;
  int cached_tokens = 0;  // prompt tokens whose KV cache was reused from the previous request
  int completion_tokens = 0;
  double time_to_first_token_ms = 0;
  double total_ms = 0;
};

class LlmBackend {
 public:
  virtual ~LlmBackend() = default;
  // "llama:<model file name>" or "http:<model>@<url>".
  virtual std::string name() const = 0;
  // The model's chat template (GGUF tokenizer.chat_template); empty when the
  // backend does not know it (a server applies its own to chat messages).
  virtual std::string chat_template() const = 0;
  // True when prompts go as chat messages (an HTTP backend on the chat
  // endpoint); false when `LlmRequest::prompt` is completed as text.
  virtual bool uses_chat_messages() const = 0;
  virtual Result<LlmResponse> complete(const LlmRequest& request) = 0;
};

struct LlmBackendOptions {
  // In-process: a GGUF model file, an optional LoRA adapter (GGUF) and its scale.
  std::string model_path;
  std::string lora_path;
  float lora_scale = 1.0f;
  int threads = 0;         // 0: all cores
  int n_ctx = 4096;        // context size in tokens
  int n_batch = 512;       // prompt tokens decoded per step
  int n_gpu_layers = 999;  // layers offloaded when llama.cpp was built with a GPU backend
  // HTTP: an OpenAI-compatible server ("http://127.0.0.1:8080", with or without /v1).
  std::string url;
  std::string model_name;                         // the "model" field of requests
  std::string api_key_env = "T2SQL_LLM_API_KEY";  // environment variable holding a bearer token
  std::string endpoint = "completions";           // "completions" or "chat"
  int timeout_connect_ms = 3000;
  int timeout_read_ms = 120000;
  int retries = 2;  // extra tries after a connection error or a 5xx
};

// The in-process backend when model_path is set, else the HTTP one when url
// is set; kInvalidArgument when neither or both are.
Result<std::unique_ptr<LlmBackend>> make_llm_backend(const LlmBackendOptions& options);

// "adapter.gguf" -> (path, 1.0); "adapter.gguf:0.5" -> (path, 0.5). The
// `--lora PATH[:SCALE]` syntax; kInvalidArgument for a bad scale.
Result<std::pair<std::string, float>> parse_lora_spec(const std::string& spec);

}  // namespace t2sql
