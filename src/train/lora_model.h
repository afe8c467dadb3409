// LoraModel: a frozen GGUF base model (a llama, qwen2, gemma or gemma2
// decoder, F32/F16 or quantized weights) plus trainable LoRA matrices, and the
// ggml graphs that train them. The forward pass follows llama.cpp's graphs of
// those architectures (src/models/<arch>.cpp) operation for operation, so
// that an adapter trained here behaves the same when llama.cpp applies it
// (y = W x + alpha/r * B A x).
//
// Owns the weights (one backend buffer), the adapter and its gradient (two
// more), the AdamW moments (host), and a ggml backend scheduler (CPU, or GPU +
// CPU in a CUDA build) whose one compute buffer every graph reuses. Nothing
// adapter-sized is copied to the host on the CPU backend: the optimiser and
// checkpoints work on the backend's own memory. Not thread-safe: one training
// loop uses one LoraModel.
//
// Errors: load() refuses, with the reason, a file that is not a GGUF model,
// an architecture or tensor layout the graph does not implement (MoE, fused
// QKV, ...), and shapes that do not fit.
#pragma once

#include <cstdint>
#include <functional>
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
  int n_embd_head = 0;  // the head size: n_embd/n_head, or the GGUF's attention.key_length (Gemma)
  float rms_eps = 1e-5f, rope_freq_base = 10000.0f, rope_freq_scale = 1.0f, attn_scale = 0.0f;
  int rope_mode = 0;  // ggml rope mode: 0 normal (llama), 2 neox (qwen2, gemma, gemma2)
  // Gemma: the embeddings times sqrt(n_embd) and GELU in the feed-forward.
  float embd_scale = 1.0f;
  bool ffn_gelu = false;
  // Gemma 2: soft-capping (0: none), sliding-window attention on the layers
  // marked in swa_layers, with its own rope base there.
  float attn_softcap = 0.0f, final_softcap = 0.0f;
  int n_swa = 0;
  std::vector<bool> swa_layers;
  float rope_freq_base_swa = 10000.0f;
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

  // Training: zero_grads(), then accumulate() per micro-batch, then
  // adamw_step(). accumulate() runs forward and backward on one batch,
  // returns the mean cross-entropy over the scored positions and adds
  // grad_weight * d(loss)/d(param) to the gradient kept beside the adapter.
  // `dropout_seed` picks the dropout masks (ignored when dropout is 0).
  void zero_grads();
  Result<double> accumulate(const TokenBatch& batch, uint64_t dropout_seed, float grad_weight = 1.0f);
  // The L2 norm of the accumulated gradient.
  double grad_norm() const;
  // One AdamW step (decoupled weight decay, bias-corrected moments; `step` is
  // 1-based) on the accumulated gradient times grad_scale (for clipping).
  void adamw_step(double lr, double weight_decay, double grad_scale, int step);

  // Forward only (grads null), or zero_grads + accumulate with the gradient
  // copied to `grads` (concatenated like get_parameters()).
  Result<double> compute(const TokenBatch& batch, std::vector<float>* grads, uint64_t dropout_seed,
                         float grad_weight = 1.0f);

  // Gradient checkpointing: keep only each layer's input from the forward
  // pass and recompute the layer's activations, one layer at a time, in the
  // backward pass. Peak memory of the activations falls from all layers' to
  // one layer's, for about one more forward pass of time. Same gradients
  // (up to float rounding order).
  void set_gradient_checkpointing(bool on) { checkpointing_ = on; }

  // The training state (adapter values and both AdamW moments) as a GGUF
  // file, written to path + ".tmp" and renamed; `add_meta` adds the
  // trainer's own keys. read_state() restores the state and returns the
  // file's metadata (the caller frees it with gguf_free).
  Status write_state(const std::string& path, const std::function<void(gguf_context*)>& add_meta) const;
  Result<gguf_context*> read_state(const std::string& path);

  // Writes the adapter as a llama.cpp LoRA GGUF (general.type=adapter).
  Status save_adapter(const std::string& path) const;
  // Loads an adapter written by save_adapter (or any llama.cpp LoRA GGUF
  // whose tensors match this base).
  Status load_adapter(const std::string& path);

  // Bytes of the weights and the adapter.
  size_t weight_bytes() const;
  // Where the memory goes: the weights by role and type, the adapter, its
  // gradient and AdamW moments, the compute buffer (the largest graph so far)
  // and the saved layer inputs of gradient checkpointing; one line each.
  std::string memory_report() const;
  const std::string& backend_name() const { return backend_name_; }

 private:
  LoraModel();
  struct Impl;
  struct GraphCtx;
  struct Builder;
  Result<double> forward_backward(const TokenBatch& batch, bool train, uint64_t dropout_seed, float grad_weight);
  ggml_cgraph* with_backward(ggml_context* ctx, ggml_cgraph* graph, ggml_tensor* loss);
  Status run_graph(GraphCtx& g, ggml_cgraph* graph, const TokenBatch& batch, ggml_tensor* tokens, ggml_tensor* rows,
                   ggml_tensor* labels, ggml_tensor* loss, float seed_grad, const std::function<void()>& set_more);
  std::unique_ptr<Impl> impl_;
  ModelShape shape_;
  LoraConfig config_;
  std::vector<ggml_tensor*> params_;
  std::string backend_name_;
  bool checkpointing_ = false;
};

}  // namespace t2sql::train
