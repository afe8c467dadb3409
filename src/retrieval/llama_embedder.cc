#include "retrieval/llama_embedder.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "gguf.h"
#include "llama.h"
#include "llm/llama_model.h"
#include "llm/llama_runtime.h"
#include "base/hashing.h"

namespace t2sql {

namespace {

constexpr uint32_t kMaxContext = 512;  // descriptions and questions are short

struct GgufFree {
  void operator()(gguf_context* c) const { gguf_free(c); }
};
using GgufPtr = std::unique_ptr<gguf_context, GgufFree>;

std::string gguf_string(const gguf_context* g, const std::string& key) {
  int64_t id = gguf_find_key(g, key.c_str());
  if (id < 0 || gguf_get_kv_type(g, id) != GGUF_TYPE_STRING) return "";
  return gguf_get_val_str(g, id);
}

int64_t gguf_int(const gguf_context* g, const std::string& key, int64_t fallback) {
  int64_t id = gguf_find_key(g, key.c_str());
  if (id < 0) return fallback;
  switch (gguf_get_kv_type(g, id)) {
    case GGUF_TYPE_UINT32: return gguf_get_val_u32(g, id);
    case GGUF_TYPE_INT32: return gguf_get_val_i32(g, id);
    case GGUF_TYPE_UINT64: return static_cast<int64_t>(gguf_get_val_u64(g, id));
    case GGUF_TYPE_INT64: return gguf_get_val_i64(g, id);
    default: return fallback;
  }
}

// What the file says it is, read without loading any weights.
struct ModelFacts {
  std::string arch;
  int64_t pooling = -1;  // <arch>.pooling_type; -1 when absent
  int64_t context = 0;
};

Result<ModelFacts> inspect(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("embedding model not found: " + path);
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() != 4 || std::memcmp(magic, "GGUF", 4) != 0) {
    return invalid_argument("not a GGUF file: " + path + " (an embedding model must be GGUF)");
  }
  GgufPtr g(gguf_init_from_file(path.c_str(), {/*no_alloc=*/true, /*ctx=*/nullptr}));
  if (!g) return invalid_argument("GGUF file is damaged or of an unsupported version: " + path);
  ModelFacts facts;
  std::string type = gguf_string(g.get(), "general.type");
  if (type == "adapter") {
    return invalid_argument(path + " is a LoRA adapter, not an embedding model: pass the base model instead");
  }
  facts.arch = gguf_string(g.get(), "general.architecture");
  if (facts.arch.empty()) return invalid_argument(path + " names no architecture (general.architecture): not a model");
  if (facts.arch == "clip" || facts.arch == "mmproj") {
    return invalid_argument(path + " is a vision projector (" + facts.arch + "), not an embedding model");
  }
  if (gguf_get_n_tensors(g.get()) == 0) {
    return invalid_argument(path + " holds a tokenizer only (no weights), not an embedding model");
  }
  if (gguf_int(g.get(), facts.arch + ".block_count", 0) <= 0) {
    return invalid_argument(path + " has no " + facts.arch + ".block_count: not a complete model");
  }
  facts.pooling = gguf_int(g.get(), facts.arch + ".pooling_type", -1);
  if (facts.pooling == LLAMA_POOLING_TYPE_RANK) {
    return invalid_argument(path + " is a reranker (rank pooling), not an embedding model");
  }
  facts.context = gguf_int(g.get(), facts.arch + ".context_length", kMaxContext);
  return facts;
}

const char* pooling_name(int pooling) {
  switch (pooling) {
    case LLAMA_POOLING_TYPE_MEAN: return "mean";
    case LLAMA_POOLING_TYPE_CLS: return "cls";
    case LLAMA_POOLING_TYPE_LAST: return "last";
    default: return "none";
  }
}

class LlamaEmbedder : public Embedder {
 public:
  ~LlamaEmbedder() override {
    if (ctx_) llama_free(ctx_);
  }

  static Result<std::unique_ptr<Embedder>> open(const std::string& path, int threads) {
    auto facts = inspect(path);
    if (!facts.ok()) return facts.status();
    auto e = std::unique_ptr<LlamaEmbedder>(new LlamaEmbedder());
    auto model = LlamaModel::load(path);
    if (!model.ok()) return invalid_argument(model.status().message() + " (architecture " + facts->arch + ")");
    e->model_ = std::move(*model);
    if (llama_model_has_encoder(e->model_.get()) && llama_model_has_decoder(e->model_.get())) {
      return invalid_argument(path + " is an encoder-decoder model; embeddings need an encoder or a decoder model");
    }
    e->encoder_ = llama_model_has_encoder(e->model_.get());
    llama_context_params cp = llama_context_default_params();
    uint32_t n_ctx = static_cast<uint32_t>(std::clamp<int64_t>(facts->context, 8, kMaxContext));
    cp.n_ctx = n_ctx;
    cp.n_batch = n_ctx;
    cp.n_ubatch = n_ctx;  // a non-causal model must see the whole text in one micro-batch
    cp.n_seq_max = 1;
    cp.embeddings = true;
    // Metadata decides; a decoder with no pooling of its own is mean-pooled.
    cp.pooling_type = facts->pooling > 0 ? LLAMA_POOLING_TYPE_UNSPECIFIED : LLAMA_POOLING_TYPE_MEAN;
    int n_threads = threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
    cp.n_threads = n_threads;
    cp.n_threads_batch = n_threads;
    e->ctx_ = llama_init_from_model(e->model_.get(), cp);
    if (!e->ctx_) return internal_error("llama.cpp could not create an embedding context for " + path);
    e->n_ctx_ = n_ctx;
    e->pooling_ = llama_pooling_type(e->ctx_);
    e->dim_ = llama_model_n_embd_out(e->model_.get());
    if (e->dim_ <= 0) e->dim_ = llama_model_n_embd(e->model_.get());
    struct stat st {};
    ::stat(path.c_str(), &st);
    std::string base = path.substr(path.find_last_of('/') + 1);
    e->id_ = "gguf:" + base + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtime) + ":" + facts->arch +
             ":" + pooling_name(e->pooling_) + ":" + std::to_string(e->dim_);
    return std::unique_ptr<Embedder>(std::move(e));
  }

  std::string id() const override { return id_; }
  int dim() const override { return dim_; }

  Status embed(const std::vector<std::string>& texts, float* out, const ProgressFn& progress) override {
    const llama_vocab* vocab = model_.vocab();
    std::vector<llama_token> tokens(n_ctx_);
    llama_batch batch = llama_batch_init(static_cast<int32_t>(n_ctx_), 0, 1);
    Status status;
    const int64_t total = static_cast<int64_t>(texts.size());
    for (int64_t t = 0; t < total && status.ok(); ++t) {
      const std::string& text = texts[t];
      int32_t n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                                 static_cast<int32_t>(tokens.size()), true, false);
      if (n < 0) {  // longer than the context: embed its beginning
        std::vector<llama_token> all(static_cast<size_t>(-n));
        llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), all.data(),
                       static_cast<int32_t>(all.size()), true, false);
        n = static_cast<int32_t>(n_ctx_);
        std::copy(all.begin(), all.begin() + n, tokens.begin());
      }
      float* row = out + t * dim_;
      std::fill(row, row + dim_, 0.0f);
      if (n == 0) continue;
      batch.n_tokens = n;
      for (int32_t i = 0; i < n; ++i) {
        batch.token[i] = tokens[i];
        batch.pos[i] = i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;
      }
      if (llama_memory_t mem = llama_get_memory(ctx_)) llama_memory_clear(mem, true);
      int32_t rc = encoder_ ? llama_encode(ctx_, batch) : llama_decode(ctx_, batch);
      if (rc != 0) {
        status = internal_error("llama.cpp failed to embed a text (code " + std::to_string(rc) + ")");
        break;
      }
      const float* e = llama_get_embeddings_seq(ctx_, 0);
      if (!e) {
        status = internal_error("the model returned no pooled embedding");
        break;
      }
      double norm = 0;
      for (int i = 0; i < dim_; ++i) norm += static_cast<double>(e[i]) * e[i];
      float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
      for (int i = 0; i < dim_; ++i) row[i] = e[i] * scale;
      if (progress) progress("embed", t + 1, total);
    }
    llama_batch_free(batch);
    return status;
  }

 private:
  LlamaEmbedder() = default;

  LlamaModel model_;  // outlives ctx_, which the destructor frees first
  llama_context* ctx_ = nullptr;
  bool encoder_ = false;
  uint32_t n_ctx_ = 0;
  int pooling_ = 0;
  int dim_ = 0;
  std::string id_;
};

// The weights llama.cpp asked for, kept to be written out: llama.cpp's own
// saver leaves out the token embeddings of models without an output layer
// (BERT), so the file is written from these instead.
struct TinyTensor {
  std::string name;
  int64_t ne[GGML_MAX_DIMS];
  std::vector<float> values;
};

struct TinyInit {
  uint32_t seed;
  std::vector<TinyTensor> tensors;
};

void init_tensor(ggml_tensor* tensor, void* userdata) {
  auto* init = static_cast<TinyInit*>(userdata);
  std::string name = tensor->name;
  const int64_t n = ggml_nelements(tensor);
  std::vector<float> values(static_cast<size_t>(n));
  auto ends_with = [&](const char* s) {
    size_t len = std::strlen(s);
    return name.size() >= len && name.compare(name.size() - len, len, s) == 0;
  };
  // Norm scales at 1, biases at 0 and rope factors at 1, as a fresh model
  // has them; everything else small and random.
  bool is_norm = name.find("norm") != std::string::npos;
  if (ends_with(".bias")) {
    std::fill(values.begin(), values.end(), 0.0f);
  } else if ((is_norm && ends_with(".weight")) || name.find("rope_freqs") != std::string::npos) {
    std::fill(values.begin(), values.end(), 1.0f);
  } else {
    std::mt19937 gen(init->seed ^ static_cast<uint32_t>(fnv1a64(name)));
    std::normal_distribution<float> dist(0.0f, 0.05f);
    for (auto& v : values) v = dist(gen);
  }
  if (tensor->type == GGML_TYPE_F32) {
    ggml_backend_tensor_set(tensor, values.data(), 0, ggml_nbytes(tensor));
  } else if (tensor->type == GGML_TYPE_F16) {
    std::vector<ggml_fp16_t> half(values.size());
    for (size_t i = 0; i < values.size(); ++i) half[i] = ggml_fp32_to_fp16(values[i]);
    ggml_backend_tensor_set(tensor, half.data(), 0, ggml_nbytes(tensor));
  }
  for (const auto& t : init->tensors) {
    if (t.name == name) return;
  }
  TinyTensor kept{name, {}, std::move(values)};
  for (int d = 0; d < GGML_MAX_DIMS; ++d) kept.ne[d] = tensor->ne[d];
  init->tensors.push_back(std::move(kept));
}

Status write_gguf(const std::string& path, const gguf_context* meta, const std::vector<TinyTensor>& tensors) {
  size_t bytes = 0;
  for (const auto& t : tensors) bytes += t.values.size() * sizeof(float) + ggml_tensor_overhead() + 64;
  ggml_init_params params{bytes + (1 << 20), nullptr, false};
  ggml_context* ctx = ggml_init(params);
  if (!ctx) return resource_exhausted("cannot allocate the tiny model's tensors");
  GgufPtr out(gguf_init_empty());
  gguf_set_kv(out.get(), meta);
  for (const auto& t : tensors) {
    ggml_tensor* x = ggml_new_tensor(ctx, GGML_TYPE_F32, GGML_MAX_DIMS, t.ne);
    std::memcpy(x->data, t.values.data(), t.values.size() * sizeof(float));
    ggml_set_name(x, t.name.c_str());
    gguf_add_tensor(out.get(), x);
  }
  bool ok = gguf_write_to_file(out.get(), path.c_str(), false);
  ggml_free(ctx);
  return ok ? Status() : unavailable("could not write " + path);
}

}  // namespace

Result<std::unique_ptr<Embedder>> make_llama_embedder(const std::string& path, int threads) {
  return LlamaEmbedder::open(path, threads);
}

Status write_tiny_embedding_model(const std::string& path, const std::string& arch, const std::string& vocab_path,
                                  int n_embd, int n_layer, uint32_t seed, int pooling) {
  if (arch != "bert" && arch != "llama") return invalid_argument("tiny embedding model arch must be bert or llama");
  GgufPtr vocab(gguf_init_from_file(vocab_path.c_str(), {/*no_alloc=*/true, /*ctx=*/nullptr}));
  if (!vocab) return not_found("vocabulary file not found or not GGUF: " + vocab_path);
  llama_runtime_init();
  GgufPtr meta(gguf_init_empty());
  gguf_set_kv(meta.get(), vocab.get());
  const std::string a = arch;
  const uint32_t n_head = 2, n_ctx = 256;
  gguf_set_val_str(meta.get(), "general.architecture", a.c_str());
  gguf_set_val_str(meta.get(), "general.name", ("t2sql-tiny-embed-" + a).c_str());
  gguf_set_val_u32(meta.get(), (a + ".context_length").c_str(), n_ctx);
  gguf_set_val_u32(meta.get(), (a + ".embedding_length").c_str(), static_cast<uint32_t>(n_embd));
  gguf_set_val_u32(meta.get(), (a + ".feed_forward_length").c_str(), static_cast<uint32_t>(2 * n_embd));
  gguf_set_val_u32(meta.get(), (a + ".block_count").c_str(), static_cast<uint32_t>(n_layer));
  gguf_set_val_u32(meta.get(), (a + ".attention.head_count").c_str(), n_head);
  gguf_set_val_u32(meta.get(), (a + ".attention.head_count_kv").c_str(), n_head);
  gguf_set_val_u32(meta.get(), (a + ".pooling_type").c_str(), static_cast<uint32_t>(pooling));
  if (arch == "bert") {
    gguf_set_val_f32(meta.get(), "bert.attention.layer_norm_epsilon", 1e-12f);
    gguf_set_val_bool(meta.get(), "bert.attention.causal", false);
    if (gguf_find_key(meta.get(), "tokenizer.ggml.token_type_count") < 0) {
      gguf_set_val_u32(meta.get(), "tokenizer.ggml.token_type_count", 2);
    }
  } else {
    gguf_set_val_f32(meta.get(), "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    gguf_set_val_u32(meta.get(), "llama.rope.dimension_count", static_cast<uint32_t>(n_embd / n_head));
    gguf_set_val_f32(meta.get(), "llama.rope.freq_base", 10000.0f);
  }
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  TinyInit init{seed, {}};
  llama_model* model = llama_model_init_from_user(meta.get(), init_tensor, &init, mp);
  if (!model) return internal_error("llama.cpp could not create the tiny " + arch + " model");
  llama_model_free(model);
  std::string tmp = path + ".tmp";
  Status s = write_gguf(tmp, meta.get(), init.tensors);
  if (!s.ok()) return s;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return internal_error("could not write " + path);
  return Status();
}

}  // namespace t2sql
