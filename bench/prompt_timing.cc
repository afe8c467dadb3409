#include "prompt_timing.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "llama.h"
#include "llm/llama_model.h"

namespace t2sql {

Result<PromptTiming> time_to_first_token(const std::string& model_path, const std::string& prompt, int n_ctx,
                                         int threads) {
  // All layers on a GPU when the build has one.
  auto loaded = LlamaModel::load(model_path, {.n_gpu_layers = 999});
  if (!loaded.ok()) return loaded.status();
  llama_model* model = loaded->get();
  const llama_vocab* vocab = loaded->vocab();
  int32_t n = -llama_tokenize(vocab, prompt.data(), static_cast<int32_t>(prompt.size()), nullptr, 0, true, false);
  std::vector<llama_token> tokens(static_cast<size_t>(std::max(n, 0)));
  llama_tokenize(vocab, prompt.data(), static_cast<int32_t>(prompt.size()), tokens.data(), n, true, false);
  if (n + 1 > n_ctx) {
    return resource_exhausted("prompt of " + std::to_string(n) + " tokens does not fit a context of " +
                              std::to_string(n_ctx));
  }
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(n_ctx);
  cp.n_batch = 512;
  cp.n_ubatch = 512;
  int t = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cp.n_threads = t;
  cp.n_threads_batch = t;
  llama_context* ctx = llama_init_from_model(model, cp);
  if (!ctx) {
    return internal_error("cannot create a context of " + std::to_string(n_ctx) + " tokens");
  }
  auto start = std::chrono::steady_clock::now();
  Status status;
  for (int32_t pos = 0; pos < n && status.ok(); pos += 512) {
    int32_t count = std::min<int32_t>(512, n - pos);
    llama_batch batch = llama_batch_get_one(tokens.data() + pos, count);
    if (llama_decode(ctx, batch) != 0) status = internal_error("llama_decode failed");
  }
  if (status.ok()) {
    // The first token: greedy over the last position's logits.
    const float* logits = llama_get_logits_ith(ctx, -1);
    int n_vocab = llama_vocab_n_tokens(vocab);
    llama_token next = static_cast<llama_token>(std::max_element(logits, logits + n_vocab) - logits);
    (void)next;
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  llama_free(ctx);
  if (!status.ok()) return status;
  return PromptTiming{n, ms};
}

}  // namespace t2sql
