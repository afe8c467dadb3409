// LlamaRunner: a GGUF model (plus an optional LoRA adapter) run by llama.cpp
// itself, the way inference runs it. The trainer's checks use it: logits of
// a text, and greedy continuations, so that an adapter is judged by llama.cpp
// and not by the training graph. Owns the model and context; not
// thread-safe. open() returns kNotFound / kInvalidArgument for a missing or
// unloadable model or adapter.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql::train {

class LlamaRunner {
 public:
  ~LlamaRunner();
  static Result<std::unique_ptr<LlamaRunner>> open(const std::string& model_path, const std::string& lora_path = "",
                                                   float lora_scale = 1.0f, int n_ctx = 1024, int threads = 0);

  // Logits (n_vocab floats) after the last token of `text`.
  Result<std::vector<float>> last_logits(const std::string& text);
  // Under llama.cpp, in one batch: entry i is log p(tokens[i + 1] | tokens[0..i])
  // (tokens.size() - 1 entries).
  Result<std::vector<double>> next_token_logprobs(const std::vector<int32_t>& tokens);
  // Greedy continuation of `prompt` until end of generation or max_tokens.
  Result<std::string> greedy(const std::string& prompt, int max_tokens);
  int n_vocab() const;
  // The model's tokens for `text` (with BOS when the model adds one).
  std::vector<int32_t> tokenize(const std::string& text) const;

 private:
  LlamaRunner() = default;
  Result<int> decode_prompt(const std::string& text);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace t2sql::train
