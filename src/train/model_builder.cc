// init_model: a GGUF model from scratch, for each architecture the tensor set
// and metadata keys that llama.cpp's converter writes for the real models
// (llama.cpp's src/models/<arch>.cpp names what the loader requires), beside
// the tokenizer keys of a bundle vocab file. The file is written directly
// with the gguf API, tensor by tensor, then loaded once by llama.cpp to check
// it (llama_model_init_from_user would create every optional tensor of the
// architecture: biases Llama has not, an output layer Qwen2.5 ties).
#include <ggml.h>
#include <gguf.h>
#include <llama.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "base/data_dir.h"
#include "llm/llama_model.h"
#include "t2sql/train.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

// The tokenizer vocabularies that come with t2sql (share/t2sql/vocab, copied
// from llama.cpp's models/ by the build; base/data_dir.h says where it looks).
Result<std::string> vocab_dir() {
  return find_data_file("vocab");
}

// What sets one architecture apart, as the real models have it.
struct ArchSpec {
  const char* name;
  const char* gguf_arch;  // general.architecture (mistral is llama in GGUF)
  const char* vocab;      // the bundle tokenizer closest to the real one
  float rope_freq_base;
  float rms_eps;
  bool qkv_bias;       // qwen2
  bool tied_output;    // no output.weight: the token embeddings are the output layer
  bool head_dim_keys;  // attention.key_length / value_length written (gemma)
  bool post_norms;     // attn_post_norm, ffn_post_norm (gemma2)
  bool soft_capping;   // attention and final logit soft-capping, sliding window (gemma2)
};

// The bundle has no Gemma 1/2 tokenizer (a 256k SentencePiece vocabulary);
// gemma-4's (262k, the same family's successor) is the closest real one.
constexpr ArchSpec kArchs[] = {
    {"llama", "llama", "llama-bpe", 10000.0f, 1e-5f, false, false, false, false, false},
    {"mistral", "llama", "llama-spm", 1000000.0f, 1e-5f, false, false, false, false, false},
    {"qwen2", "qwen2", "qwen2", 1000000.0f, 1e-6f, true, true, false, false, false},
    {"gemma", "gemma", "gemma-4", 10000.0f, 1e-6f, false, true, true, false, false},
    {"gemma2", "gemma2", "gemma-4", 10000.0f, 1e-6f, false, true, true, true, true},
};

const ArchSpec* find_arch(const std::string& name) {
  for (const ArchSpec& a : kArchs)
    if (name == a.name) return &a;
  return nullptr;
}

// Optional tensors start as the identity: norms 1 (for Gemma that is the
// stored 1 + w with w = 0), biases 0; the matrices are random, each from its
// own stream, so that the same seed gives the same model whatever the order.
void fill_values(const std::string& name, uint32_t seed, float std_dev, std::vector<float>& values) {
  auto ends_with = [&](const char* s) {
    const size_t k = std::strlen(s);
    return name.size() >= k && name.compare(name.size() - k, k, s) == 0;
  };
  if (ends_with(".bias")) {
    std::fill(values.begin(), values.end(), 0.0f);
  } else if (name.find("norm") != std::string::npos) {
    std::fill(values.begin(), values.end(), 1.0f);
  } else {
    std::seed_seq seq{seed, static_cast<uint32_t>(std::hash<std::string>{}(name))};
    std::mt19937 rng(seq);
    std::normal_distribution<float> normal(0.0f, std_dev);
    for (float& v : values) v = normal(rng);
  }
}

struct GgufDeleter {
  void operator()(gguf_context* c) const { gguf_free(c); }
};
using GgufPtr = std::unique_ptr<gguf_context, GgufDeleter>;

struct GgmlDeleter {
  void operator()(ggml_context* c) const { ggml_free(c); }
};

}  // namespace

std::vector<std::string> model_architectures() {
  std::vector<std::string> out;
  for (const ArchSpec& a : kArchs) out.push_back(a.name);
  return out;
}

std::vector<std::string> available_vocabs() {
  std::vector<std::string> out;
  auto dir = vocab_dir();
  if (!dir.ok()) return out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(*dir, ec)) {
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
  const ArchSpec* arch = find_arch(o.arch);
  if (!arch) {
    std::string names;
    for (const auto& a : model_architectures()) names += (names.empty() ? "" : ", ") + a;
    return invalid_argument("model init: unknown architecture '" + o.arch + "' (supported: " + names + ")");
  }
  if (o.n_embd <= 0 || o.n_layer <= 0 || o.n_head <= 0 || o.n_ctx <= 0 || o.n_head_kv < 0 || o.head_dim < 0 ||
      o.sliding_window < 0)
    return invalid_argument("model init: n_embd, n_layer, n_head and n_ctx must be positive");
  if (o.head_dim > 0 && !arch->head_dim_keys)
    return invalid_argument("model init: --head-dim is for gemma and gemma2; " + o.arch +
                            " has heads of n_embd/n_head");
  if (o.sliding_window > 0 && !arch->soft_capping)
    return invalid_argument("model init: --sliding-window is for gemma2 (llama.cpp runs " + o.arch + " without one)");
  if (o.head_dim == 0 && o.n_embd % o.n_head != 0)
    return invalid_argument("model init: n_embd (" + std::to_string(o.n_embd) + ") must be a multiple of n_head (" +
                            std::to_string(o.n_head) + ")");
  const int head_dim = o.head_dim > 0 ? o.head_dim : o.n_embd / o.n_head;
  if (head_dim % 2 != 0) return invalid_argument("model init: the head size must be even (rotary embeddings)");
  int n_head_kv = o.n_head_kv;
  if (n_head_kv == 0) n_head_kv = std::string(arch->name) == "mistral" && o.n_head % 4 == 0 ? o.n_head / 4 : o.n_head;
  if (o.n_head % n_head_kv != 0) return invalid_argument("model init: n_head must be a multiple of n_head_kv");
  int n_ff = o.n_ff;
  if (n_ff <= 0) n_ff = std::max(32, (o.n_embd * 8 / 3 + 31) / 32 * 32);
  if (!(o.init_std > 0.0f)) return invalid_argument("model init: init std must be positive");
  const float rope_freq_base = o.rope_freq_base > 0 ? o.rope_freq_base : arch->rope_freq_base;

  const std::string vocab_name = o.vocab.empty() ? arch->vocab : o.vocab;
  fs::path vocab_path = vocab_name;
  if (vocab_path.extension() != ".gguf") {
    auto dir = vocab_dir();
    if (!dir.ok()) return not_found("model init: no tokenizer vocabularies: " + dir.status().message());
    vocab_path = fs::path(*dir) / ("ggml-vocab-" + vocab_name + ".gguf");
    if (!fs::is_regular_file(vocab_path)) {
      std::string names;
      for (const auto& v : available_vocabs()) names += (names.empty() ? "" : ", ") + v;
      return not_found("model init: unknown vocab '" + vocab_name + "': no " + vocab_path.string() +
                       " (available: " + names + ")");
    }
  } else if (!fs::is_regular_file(vocab_path)) {
    return not_found("model init: vocab file not found: " + vocab_path.string());
  }
  gguf_init_params gp{/*no_alloc=*/true, /*ctx=*/nullptr};
  GgufPtr vocab(gguf_init_from_file(vocab_path.c_str(), gp));
  if (!vocab) return invalid_argument("model init: cannot read vocab file " + vocab_path.string());
  const int64_t tokens_key = gguf_find_key(vocab.get(), "tokenizer.ggml.tokens");
  if (tokens_key < 0) return invalid_argument("model init: " + vocab_path.string() + " holds no tokenizer");
  const auto n_vocab = static_cast<int64_t>(gguf_get_arr_n(vocab.get(), tokens_key));

  // The architecture's keys, then the tokenizer keys of the vocab file and
  // nothing else of it.
  GgufPtr meta(gguf_init_empty());
  const std::string a = arch->gguf_arch;
  auto u32 = [&](const std::string& key, int64_t v) {
    gguf_set_val_u32(meta.get(), (a + "." + key).c_str(), static_cast<uint32_t>(v));
  };
  auto f32 = [&](const std::string& key, float v) { gguf_set_val_f32(meta.get(), (a + "." + key).c_str(), v); };
  gguf_set_val_str(meta.get(), "general.architecture", a.c_str());
  gguf_set_val_str(meta.get(), "general.name", ("t2sql-init-" + std::string(arch->name)).c_str());
  gguf_set_val_u32(meta.get(), "general.file_type", 0);  // all F32
  u32("vocab_size", n_vocab);
  u32("context_length", o.n_ctx);
  u32("embedding_length", o.n_embd);
  u32("block_count", o.n_layer);
  u32("feed_forward_length", n_ff);
  u32("attention.head_count", o.n_head);
  u32("attention.head_count_kv", n_head_kv);
  f32("attention.layer_norm_rms_epsilon", arch->rms_eps);
  f32("rope.freq_base", rope_freq_base);
  if (arch->head_dim_keys) {
    u32("attention.key_length", head_dim);
    u32("attention.value_length", head_dim);
  } else {
    u32("rope.dimension_count", head_dim);
  }
  if (arch->soft_capping) {  // Gemma 2's values
    f32("attn_logit_softcapping", 50.0f);
    f32("final_logit_softcapping", 30.0f);
    u32("attention.sliding_window", o.sliding_window > 0 ? o.sliding_window : 4096);
  }
  GgufPtr tokenizer(gguf_init_empty());
  gguf_set_kv(tokenizer.get(), vocab.get());
  for (int64_t i = gguf_get_n_kv(tokenizer.get()) - 1; i >= 0; --i) {
    const std::string key = gguf_get_key(tokenizer.get(), i);
    if (key.rfind("tokenizer.", 0) != 0) gguf_remove_key(tokenizer.get(), key.c_str());
  }
  gguf_set_kv(meta.get(), tokenizer.get());

  // The tensor set, in the converter's order.
  struct TensorSpec {
    std::string name;
    int64_t ne0, ne1;
  };
  std::vector<TensorSpec> specs;
  const int64_t q_dim = static_cast<int64_t>(o.n_head) * head_dim, kv_dim = static_cast<int64_t>(n_head_kv) * head_dim;
  specs.push_back({"token_embd.weight", o.n_embd, n_vocab});
  for (int il = 0; il < o.n_layer; ++il) {
    const std::string p = "blk." + std::to_string(il) + ".";
    specs.push_back({p + "attn_norm.weight", o.n_embd, 1});
    specs.push_back({p + "attn_q.weight", o.n_embd, q_dim});
    specs.push_back({p + "attn_k.weight", o.n_embd, kv_dim});
    specs.push_back({p + "attn_v.weight", o.n_embd, kv_dim});
    if (arch->qkv_bias) {
      specs.push_back({p + "attn_q.bias", q_dim, 1});
      specs.push_back({p + "attn_k.bias", kv_dim, 1});
      specs.push_back({p + "attn_v.bias", kv_dim, 1});
    }
    specs.push_back({p + "attn_output.weight", q_dim, o.n_embd});
    if (arch->post_norms) specs.push_back({p + "post_attention_norm.weight", o.n_embd, 1});
    specs.push_back({p + "ffn_norm.weight", o.n_embd, 1});
    specs.push_back({p + "ffn_gate.weight", o.n_embd, n_ff});
    specs.push_back({p + "ffn_up.weight", o.n_embd, n_ff});
    specs.push_back({p + "ffn_down.weight", n_ff, o.n_embd});
    if (arch->post_norms) specs.push_back({p + "post_ffw_norm.weight", o.n_embd, 1});
  }
  specs.push_back({"output_norm.weight", o.n_embd, 1});
  if (!arch->tied_output) specs.push_back({"output.weight", o.n_embd, n_vocab});

  ggml_init_params ip{(specs.size() + 1) * ggml_tensor_overhead(), nullptr, /*no_alloc=*/true};
  std::unique_ptr<ggml_context, GgmlDeleter> tctx(ggml_init(ip));
  for (const TensorSpec& t : specs) {
    ggml_tensor* x = t.ne1 == 1 ? ggml_new_tensor_1d(tctx.get(), GGML_TYPE_F32, t.ne0)
                                : ggml_new_tensor_2d(tctx.get(), GGML_TYPE_F32, t.ne0, t.ne1);
    ggml_set_name(x, t.name.c_str());
    gguf_add_tensor(meta.get(), x);
  }

  // Header, then each tensor's values as they are drawn (no copy of the
  // whole model in memory), padded to the file's alignment.
  std::error_code ec;
  const fs::path out(o.out_path);
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  const fs::path tmp = out.string() + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return internal_error("model init: cannot write " + tmp.string());
  bool ok = gguf_write_to_file_ptr(meta.get(), f, /*only_meta=*/true);
  const size_t alignment = gguf_get_alignment(meta.get());
  std::vector<float> values;
  const char zeros[64] = {};
  for (const TensorSpec& t : specs) {
    if (!ok) break;
    values.assign(static_cast<size_t>(t.ne0 * t.ne1), 0.0f);
    fill_values(t.name, o.seed, o.init_std, values);
    const size_t bytes = values.size() * sizeof(float);
    ok = std::fwrite(values.data(), 1, bytes, f) == bytes;
    const size_t pad = (alignment - bytes % alignment) % alignment;
    ok = ok && std::fwrite(zeros, 1, pad, f) == pad;
  }
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    fs::remove(tmp, ec);
    return internal_error("model init: cannot write " + tmp.string());
  }

  // llama.cpp must load what was written, or nothing is left behind.
  if (auto check = LlamaModel::load(tmp.string()); !check.ok()) {
    fs::remove(tmp, ec);
    return internal_error("model init: llama.cpp refused the " + o.arch + " model: " + check.status().message());
  }
  fs::rename(tmp, out, ec);
  if (ec) return internal_error("model init: cannot write " + out.string() + ": " + ec.message());
  return Status();
}

}  // namespace t2sql
