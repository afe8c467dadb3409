// init_model: a llama-architecture GGUF from scratch. The hyper-parameters go
// into GGUF metadata beside the tokenizer keys of a bundle vocab file;
// llama.cpp creates every tensor of the architecture from them
// (llama_model_init_from_user) and we fill the values.
#include <ggml.h>
#include <gguf.h>
#include <llama.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>

#include "t2sql/train.h"
#include "llm/llama_runtime.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

fs::path vocab_dir() {
  if (const char* env = std::getenv("T2SQL_VOCAB_DIR")) return env;
  return fs::path(T2SQL_LLAMA_DIR) / "models";
}

struct InitData {
  uint32_t seed;
  float std;
};

// Optional tensors llama.cpp creates for every model must start as the
// identity: norms and scales 1, biases 0, rope frequency factors 1. Only the
// matrices are random, or training diverges.
void fill_tensor(ggml_tensor* t, void* user) {
  const auto* d = static_cast<const InitData*>(user);
  const std::string name = ggml_get_name(t);
  const int64_t n = ggml_nelements(t);
  std::vector<float> values(static_cast<size_t>(n));
  auto ends_with = [&](const char* s) {
    const size_t k = std::strlen(s);
    return name.size() >= k && name.compare(name.size() - k, k, s) == 0;
  };
  if (ends_with(".bias")) {
    std::fill(values.begin(), values.end(), 0.0f);
  } else if (name.find("scale") != std::string::npos || name.find("norm") != std::string::npos ||
             name.find("rope_freqs") != std::string::npos || name.find("rope_factors") != std::string::npos) {
    std::fill(values.begin(), values.end(), 1.0f);
  } else {
    // A per-tensor stream: the same seed gives the same model whatever order
    // llama.cpp creates the tensors in.
    std::seed_seq seq{d->seed, static_cast<uint32_t>(std::hash<std::string>{}(name))};
    std::mt19937 rng(seq);
    std::normal_distribution<float> normal(0.0f, d->std);
    for (float& v : values) v = normal(rng);
  }
  if (t->type == GGML_TYPE_F32) {
    ggml_backend_tensor_set(t, values.data(), 0, ggml_nbytes(t));
  } else {
    std::vector<ggml_fp16_t> half(values.size());
    for (size_t i = 0; i < values.size(); ++i) half[i] = ggml_fp32_to_fp16(values[i]);
    ggml_backend_tensor_set(t, half.data(), 0, ggml_nbytes(t));
  }
}

struct GgufDeleter {
  void operator()(gguf_context* c) const { gguf_free(c); }
};
using GgufPtr = std::unique_ptr<gguf_context, GgufDeleter>;

}  // namespace

std::vector<std::string> available_vocabs() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(vocab_dir(), ec)) {
    const std::string f = e.path().filename().string();
    const std::string prefix = "ggml-vocab-", suffix = ".gguf";
    if (f.rfind(prefix, 0) == 0 && f.size() > prefix.size() + suffix.size() &&
        f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(f.substr(prefix.size(), f.size() - prefix.size() - suffix.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status init_model(const ModelInitOptions& o) {
  if (o.out_path.empty()) return invalid_argument("model init: --out is required");
  const int n_head_kv = o.n_head_kv > 0 ? o.n_head_kv : o.n_head;
  if (o.n_embd <= 0 || o.n_layer <= 0 || o.n_head <= 0 || o.n_ctx <= 0)
    return invalid_argument("model init: n_embd, n_layer, n_head and n_ctx must be positive");
  if (o.n_embd % o.n_head != 0)
    return invalid_argument("model init: n_embd (" + std::to_string(o.n_embd) + ") must be a multiple of n_head (" +
                            std::to_string(o.n_head) + ")");
  if ((o.n_embd / o.n_head) % 2 != 0) return invalid_argument("model init: the head size n_embd/n_head must be even");
  if (o.n_head % n_head_kv != 0) return invalid_argument("model init: n_head must be a multiple of n_head_kv");
  int n_ff = o.n_ff;
  if (n_ff <= 0) n_ff = std::max(32, (o.n_embd * 8 / 3 + 31) / 32 * 32);
  if (!(o.init_std > 0.0f)) return invalid_argument("model init: init std must be positive");

  fs::path vocab_path = o.vocab;
  if (vocab_path.extension() != ".gguf") vocab_path = vocab_dir() / ("ggml-vocab-" + o.vocab + ".gguf");
  if (!fs::is_regular_file(vocab_path)) {
    std::string names;
    for (const auto& v : available_vocabs()) names += (names.empty() ? "" : ", ") + v;
    return not_found("model init: unknown vocab '" + o.vocab + "' (available: " + names + ")");
  }

  gguf_init_params gp{/*no_alloc=*/true, /*ctx=*/nullptr};
  GgufPtr vocab(gguf_init_from_file(vocab_path.c_str(), gp));
  if (!vocab) return invalid_argument("model init: cannot read vocab file " + vocab_path.string());
  const int64_t tokens_key = gguf_find_key(vocab.get(), "tokenizer.ggml.tokens");
  if (tokens_key < 0) return invalid_argument("model init: " + vocab_path.string() + " holds no tokenizer");
  const auto n_vocab = static_cast<uint32_t>(gguf_get_arr_n(vocab.get(), tokens_key));

  // The tokenizer keys of the vocab file, and nothing else of it.
  GgufPtr meta(gguf_init_empty());
  gguf_set_kv(meta.get(), vocab.get());
  for (int64_t i = gguf_get_n_kv(meta.get()) - 1; i >= 0; --i) {
    const std::string key = gguf_get_key(meta.get(), i);
    if (key.rfind("tokenizer.", 0) != 0) gguf_remove_key(meta.get(), key.c_str());
  }
  gguf_set_val_str(meta.get(), "general.architecture", "llama");
  gguf_set_val_str(meta.get(), "general.name", "t2sql-init");
  gguf_set_val_u32(meta.get(), "llama.vocab_size", n_vocab);
  gguf_set_val_u32(meta.get(), "llama.context_length", static_cast<uint32_t>(o.n_ctx));
  gguf_set_val_u32(meta.get(), "llama.embedding_length", static_cast<uint32_t>(o.n_embd));
  gguf_set_val_u32(meta.get(), "llama.block_count", static_cast<uint32_t>(o.n_layer));
  gguf_set_val_u32(meta.get(), "llama.feed_forward_length", static_cast<uint32_t>(n_ff));
  gguf_set_val_u32(meta.get(), "llama.attention.head_count", static_cast<uint32_t>(o.n_head));
  gguf_set_val_u32(meta.get(), "llama.attention.head_count_kv", static_cast<uint32_t>(n_head_kv));
  gguf_set_val_f32(meta.get(), "llama.attention.layer_norm_rms_epsilon", 1e-5f);
  gguf_set_val_u32(meta.get(), "llama.rope.dimension_count", static_cast<uint32_t>(o.n_embd / o.n_head));
  gguf_set_val_f32(meta.get(), "llama.rope.freq_base", o.rope_freq_base);

  llama_runtime_init();
  InitData data{o.seed, o.init_std};
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  llama_model* model = llama_model_init_from_user(meta.get(), fill_tensor, &data, mp);
  if (!model) return internal_error("model init: llama.cpp refused the model: " + llama_take_last_error());

  std::error_code ec;
  const fs::path out(o.out_path);
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  const fs::path tmp = out.string() + ".tmp";
  llama_model_save_to_file(model, tmp.c_str());
  llama_model_free(model);
  fs::rename(tmp, out, ec);
  if (ec) return internal_error("model init: cannot write " + out.string() + ": " + ec.message());
  return Status();
}

}  // namespace t2sql
