#include "train/llama_runner.h"

#include <llama.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "llm/llama_model.h"
#include "llm/llama_runtime.h"

namespace t2sql::train {

struct LlamaRunner::Impl {
  LlamaModel model;
  llama_context* ctx = nullptr;
  llama_adapter_lora* lora = nullptr;
  const llama_vocab* vocab = nullptr;
  ~Impl() {  // the context and the adapter before the model they use
    if (ctx) llama_free(ctx);
    if (lora) llama_adapter_lora_free(lora);
  }
};

LlamaRunner::~LlamaRunner() = default;

Result<std::unique_ptr<LlamaRunner>> LlamaRunner::open(const std::string& model_path, const std::string& lora_path,
                                                       float lora_scale, int n_ctx, int threads) {
  if (!std::filesystem::is_regular_file(model_path)) return not_found("model not found: " + model_path);
  std::unique_ptr<LlamaRunner> r(new LlamaRunner());
  r->impl_ = std::make_unique<Impl>();
  Impl& d = *r->impl_;
  auto model = LlamaModel::load(model_path);
  if (!model.ok()) return model.status();
  d.model = std::move(*model);
  d.vocab = d.model.vocab();
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(n_ctx);
  cp.n_batch = static_cast<uint32_t>(n_ctx);
  if (threads > 0) cp.n_threads = cp.n_threads_batch = threads;
  d.ctx = llama_init_from_model(d.model.get(), cp);
  if (!d.ctx) return internal_error("llama.cpp cannot create a context: " + llama_take_last_error());
  if (!lora_path.empty()) {
    if (!std::filesystem::is_regular_file(lora_path)) return not_found("adapter not found: " + lora_path);
    d.lora = llama_adapter_lora_init(d.model.get(), lora_path.c_str());
    if (!d.lora) return invalid_argument("llama.cpp cannot load adapter " + lora_path + ": " + llama_take_last_error());
    float scale = lora_scale;
    llama_adapter_lora* list[] = {d.lora};
    if (llama_set_adapters_lora(d.ctx, list, 1, &scale) != 0) return internal_error("cannot apply the adapter");
  }
  return r;
}

int LlamaRunner::n_vocab() const { return llama_vocab_n_tokens(impl_->vocab); }

std::vector<int32_t> LlamaRunner::tokenize(const std::string& text) const {
  std::vector<llama_token> toks(text.size() + 8);
  const int n = llama_tokenize(impl_->vocab, text.data(), static_cast<int32_t>(text.size()), toks.data(),
                               static_cast<int32_t>(toks.size()), true, true);
  toks.resize(static_cast<size_t>(std::max(0, n)));
  return toks;
}

Result<int> LlamaRunner::decode_prompt(const std::string& text) {
  Impl& d = *impl_;
  llama_memory_clear(llama_get_memory(d.ctx), true);
  std::vector<llama_token> toks(text.size() + 8);
  int n = llama_tokenize(d.vocab, text.data(), static_cast<int32_t>(text.size()), toks.data(),
                         static_cast<int32_t>(toks.size()), true, true);
  if (n <= 0) return invalid_argument("the text tokenizes to nothing");
  toks.resize(static_cast<size_t>(n));
  if (llama_decode(d.ctx, llama_batch_get_one(toks.data(), n)) != 0) return internal_error("llama_decode failed");
  return n;
}

Result<std::vector<float>> LlamaRunner::last_logits(const std::string& text) {
  auto n = decode_prompt(text);
  if (!n.ok()) return n.status();
  const float* l = llama_get_logits_ith(impl_->ctx, -1);
  return std::vector<float>(l, l + n_vocab());
}

Result<std::vector<double>> LlamaRunner::next_token_logprobs(const std::vector<int32_t>& tokens) {
  Impl& d = *impl_;
  const auto n = static_cast<int32_t>(tokens.size());
  if (n < 2) return invalid_argument("next_token_logprobs: fewer than two tokens");
  for (int32_t t : tokens)
    if (t < 0 || t >= n_vocab()) return invalid_argument("next_token_logprobs: token id out of the vocabulary");
  llama_memory_clear(llama_get_memory(d.ctx), true);
  llama_batch batch = llama_batch_init(n, 0, 1);
  for (int32_t i = 0; i < n; ++i) {
    batch.token[i] = tokens[static_cast<size_t>(i)];
    batch.pos[i] = i;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = 1;
  }
  batch.n_tokens = n;
  const int rc = llama_decode(d.ctx, batch);
  llama_batch_free(batch);
  if (rc != 0) return internal_error("llama_decode failed");
  std::vector<double> out;
  for (int32_t i = 0; i + 1 < n; ++i) {
    const float* l = llama_get_logits_ith(d.ctx, i);
    double mx = -INFINITY, sum = 0;
    for (int t = 0; t < n_vocab(); ++t) mx = std::max(mx, static_cast<double>(l[t]));
    for (int t = 0; t < n_vocab(); ++t) sum += std::exp(l[t] - mx);
    out.push_back(l[tokens[static_cast<size_t>(i) + 1]] - mx - std::log(sum));
  }
  return out;
}

Result<std::string> LlamaRunner::greedy(const std::string& prompt, int max_tokens) {
  Impl& d = *impl_;
  auto n = decode_prompt(prompt);
  if (!n.ok()) return n.status();
  std::string out;
  for (int i = 0; i < max_tokens; ++i) {
    const float* l = llama_get_logits_ith(d.ctx, -1);
    llama_token best = 0;
    for (int t = 1; t < n_vocab(); ++t)
      if (l[t] > l[best]) best = t;
    if (llama_vocab_is_eog(d.vocab, best)) break;
    char buf[256];
    const int k = llama_token_to_piece(d.vocab, best, buf, sizeof buf, 0, false);
    if (k > 0) out.append(buf, static_cast<size_t>(k));
    if (llama_decode(d.ctx, llama_batch_get_one(&best, 1)) != 0) return internal_error("llama_decode failed");
  }
  return out;
}

}  // namespace t2sql::train
