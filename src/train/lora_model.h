// LoraModel: a frozen GGUF base model (llama-style decoder, F32/F16 or
// quantized weights) plus trainable LoRA matrices, and the ggml graphs that
// train them. The forward pass follows llama.cpp's llama/qwen2 graphs
// operation for operation, so that an adapter trained here behaves the same
// when llama.cpp applies it (y = W x + alpha/r * B A x).
//
// Owns the weights (one backend buffer), the adapter (another), and a ggml
// backend scheduler (CPU, or GPU + CPU in a CUDA build). Not thread-safe: one
// training loop uses one LoraModel.
//
// Errors: load() refuses, with the reason, a file that is not a GGUF model,
// an architecture or tensor layout the graph does not implement (MoE, fused
// QKV, ...), and shapes that do not fit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "t2sql/status.h"

struct ggml_context;
struct ggml_tensor;
struct ggml_cgraph;
struct gguf_context;

namespace t2sql::train {

struct ModelShape {
  std::string arch;
  int n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, n_ff = 0, n_rot = 0, n_ctx_train = 0;
  float rms_eps = 1e-5f, rope_freq_base = 10000.0f, rope_freq_scale = 1.0f, attn_scale = 0.0f;
  int rope_mode = 0;  // ggml rope mode: 0 normal (llama), 2 neox (qwen2)
  std::string weight_type;  // the type of the attention/MLP matrices, e.g. "f32", "q4_0"
};

// One batch for the graph: `n_seq` sequences of `n_tokens` each (right-padded),
// and the positions whose next token is scored.
struct TokenBatch {
  int n_tokens = 0, n_seq = 0;
  int n_real = 0;  // tokens that are not padding
  std::vector<int32_t> tokens;   // n_seq * n_tokens, sequence-major
  std::vector<int32_t> scored;   // flat indices (seq * n_tokens + t) whose prediction counts
  std::vector<int32_t> targets;  // the token expected at each scored index (the next token)
};

struct LoraConfig {
  int rank = 64;
  float alpha = 32.0f;
  float dropout = 0.0f;
  // Which matrices get an adapter: q, k, v, o, gate, up, down.
  std::vector<std::string> targets = {"q", "k", "v", "o", "gate", "up", "down"};
  uint32_t seed = 42;
};

class LoraModel {
 public:
  ~LoraModel();
  LoraModel(const LoraModel&) = delete;
  LoraModel& operator=(const LoraModel&) = delete;

  // Reads the base; `threads` 0 = all cores; `use_gpu` only in CUDA builds.
  static Result<std::unique_ptr<LoraModel>> load(const std::string& path, int threads, bool use_gpu);

  const ModelShape& shape() const { return shape_; }

  // Creates fresh adapter matrices (A small random, B zero).
  Status init_adapter(const LoraConfig& config);
  const LoraConfig& lora_config() const { return config_; }
  int64_t adapter_parameter_count() const;

  // The adapter's tensors in a fixed order (a, b per target per layer).
  const std::vector<ggml_tensor*>& parameters() const { return params_; }
  // Host copies of every parameter, concatenated in parameters() order.
  std::vector<float> get_parameters() const;
  void set_parameters(const std::vector<float>& values);

  // Forward (and, when grads is not null, backward) on one batch. Returns
  // the mean cross-entropy over the scored positions; grad_weight *
  // d(loss)/d(param) is added to `grads` (concatenated like
  // get_parameters(); zero-filled first when its size does not match).
  // `dropout_seed` picks the dropout masks (ignored when dropout is 0 or
  // grads is null).
  Result<double> compute(const TokenBatch& batch, std::vector<float>* grads, uint64_t dropout_seed,
                         float grad_weight = 1.0f);

  // Writes the adapter as a llama.cpp LoRA GGUF (general.type=adapter).
  Status save_adapter(const std::string& path) const;
  // Loads an adapter written by save_adapter (or any llama.cpp LoRA GGUF
  // whose tensors match this base).
  Status load_adapter(const std::string& path);

  // Peak bytes of the weights, adapter and the largest compute graph so far.
  size_t weight_bytes() const;
  const std::string& backend_name() const { return backend_name_; }

 private:
  LoraModel();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ModelShape shape_;
  LoraConfig config_;
  std::vector<ggml_tensor*> params_;
  std::string backend_name_;
};

}  // namespace t2sql::train
