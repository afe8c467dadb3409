// Fine-tuning: models made from scratch, training data generated from a
// database, LoRA/QLoRA training of GGUF models, adapters merged or quantized.
//
//   t2sql::ModelInitOptions init{.out_path = "tiny.gguf", .vocab = "gpt-2"};
//   if (auto s = t2sql::init_model(init); !s.ok()) die(s.message());
//   t2sql::TrainOptions train{.base_path = "tiny.gguf", .data_path = "data/", .out_path = "sql.lora.gguf"};
//   auto report = t2sql::train_lora(train);
//
// None of these functions keep global state besides llama.cpp's backend
// (initialised once per process); they are safe to call from one thread at a
// time. Failures caused by the user, a file or the data are returned as
// Status; nothing is written when the inputs are refused.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

class Database;

// A model with random weights, the tensor set and metadata of a real
// architecture as llama.cpp's converter writes them, and a real tokenizer.
// Architectures (model_architectures()):
//   llama    Llama 2/3: SwiGLU, normal RoPE, separate output layer
//   mistral  Mistral 7B: written as llama (llama.cpp has no mistral
//            architecture: its converter maps Mistral to llama), GQA
//   qwen2    Qwen2/2.5(-Coder): Q/K/V biases, NEOX RoPE, output tied to the
//            token embeddings
//   gemma    Gemma: embeddings scaled by sqrt(n_embd), GELU, NEOX RoPE, tied
//            output, head size independent of n_embd/n_head
//   gemma2   Gemma 2: gemma + post-attention/post-FFN norms, attention and
//            final logit soft-capping, sliding-window attention on even layers
// Norm weights are stored as the converter stores them (for Gemma, 1 + w):
// a new model's norms are 1, its biases 0.
struct ModelInitOptions {
  std::string out_path;
  std::string arch = "llama";
  // A tokenizer of the llama.cpp bundle: models/ggml-vocab-<vocab>.gguf
  // (gpt-2, llama-spm, llama-bpe, qwen2, ...), or a path to any GGUF with
  // one; empty: the architecture's own (llama-bpe, llama-spm, qwen2,
  // gemma-4 for both Gemmas).
  std::string vocab;
  int n_embd = 256;
  int n_layer = 2;
  int n_head = 4;
  int n_head_kv = 0;  // 0: n_head (mistral: n_head/4 when it divides)
  int n_ff = 0;       // 0: the multiple of 32 nearest 8/3 * n_embd
  int head_dim = 0;   // 0: n_embd/n_head (gemma, gemma2 may set another)
  int n_ctx = 512;
  int sliding_window = 0;  // gemma2 only; 0: 4096, as Gemma 2
  uint32_t seed = 42;
  float init_std = 0.02f;
  float rope_freq_base = 0.0f;  // 0: the architecture's (10000; 1e6 for mistral and qwen2)
};

// Writes the model; kInvalidArgument for shapes llama.cpp cannot run or an
// unknown architecture, kNotFound for an unknown vocab.
Status init_model(const ModelInitOptions& options);

// The architectures init_model writes and the trainer trains.
std::vector<std::string> model_architectures();

// Names of the tokenizers the bundle offers (the <vocab> part of the files).
std::vector<std::string> available_vocabs();


// One line of training progress (also one entry of the JSON log).
struct TrainProgress {
  int step = 0, total_steps = 0;
  double loss = 0;          // mean over the answer tokens of this step
  double val_loss = -1;     // < 0 when not evaluated at this step
  double learning_rate = 0;
  double tokens_per_s = 0;  // all tokens processed (prompt + answer)
  double elapsed_s = 0, eta_s = 0;
};

struct TrainOptions {
  std::string base_path;   // GGUF base model (F32, F16 or Q4_0/Q4_K/Q8_0 for QLoRA)
  std::string data_path;   // a JSONL file, or a folder with train.jsonl [+ valid.jsonl]
  std::string valid_path;  // optional separate validation JSONL
  std::string out_path;    // the adapter GGUF; the log, plot and checkpoints go beside it
  std::string prompt_format = "chat";  // or "sql-create-context"; as at inference (GeneratorOptions)
  std::string dialect = "sqlite";
  // LoRA
  int rank = 64;
  float alpha = 32.0f;
  float dropout = 0.05f;
  std::vector<std::string> targets = {"q", "k", "v", "o", "gate", "up", "down"};
  // Optimisation (AdamW)
  float learning_rate = 2e-4f;
  int warmup_steps = -1;           // -1: 3% of the steps
  std::string schedule = "cosine";  // cosine, linear, constant
  float weight_decay = 0.0f;
  float max_grad_norm = 1.0f;      // 0: no clipping
  int batch_size = 4;
  int grad_accum = 4;
  int epochs = 3;
  int max_steps = 0;               // > 0 overrides epochs
  int eval_every = 50;             // 0: only at the end
  int checkpoint_every = 50;       // 0: never
  int max_eval_examples = 200;
  uint32_t seed = 42;
  int max_seq_len = 512;
  int threads = 0;                 // 0: all cores
  bool gpu = false;                // CUDA builds only
  bool resume = false;             // continue from the checkpoint beside out_path
  bool reject_bad_lines = false;   // a malformed data line fails the run instead of being skipped
  // Keep only each layer's input in the forward pass and recompute the layer
  // in the backward pass: activation memory of one layer instead of all, for
  // about one more forward pass of time.
  bool gradient_checkpointing = false;
  bool verbose = false;            // where the memory goes, through on_info
  // Called after every optimiser step (and evaluation); may be empty.
  std::function<void(const TrainProgress&)> on_progress;
  // Called with each data problem (bad lines, examples too long); may be empty.
  std::function<void(const std::string&)> on_warning;
  // With verbose: memory by part (weights by role and type, adapter,
  // gradient, AdamW moments, compute buffer) and resident memory, after
  // loading, after tokenizing, after the first step and at the end.
  std::function<void(const std::string&)> on_info;
};

struct TrainReport {
  int steps = 0, total_steps = 0, resumed_from = 0;
  int n_train = 0, n_valid = 0, n_skipped = 0;
  int64_t trainable_parameters = 0;
  double final_loss = 0, final_val_loss = -1;
  double tokens_per_s = 0, elapsed_s = 0;
  size_t peak_rss_bytes = 0;
  std::string adapter_path, log_path, plot_path, checkpoint_path;
};

// LoRA (or QLoRA, with a quantized base) training. Files written: the adapter
// at out_path, <stem>.log.json (loss per step), <stem>.loss.svg, and
// <stem>.ckpt.gguf (the last checkpoint, removed after a finished run unless
// keep it is asked for by a later --resume).
Result<TrainReport> train_lora(const TrainOptions& options);

// Writes base + adapter as one model (merged weights in F32 or F16, the base's
// other tensors unchanged).
Status merge_lora(const std::string& base_path, const std::string& adapter_path, const std::string& out_path,
                  float scale = 1.0f);

// llama.cpp's quantizer: type is q4_0, q4_k (q4_k_m), q8_0, f16 or f32.
// llama.cpp keeps some tensors at a higher precision (the output layer at
// Q6_K for Q4_0); `pure` puts every matrix, output and token embeddings
// included, in `type`.
Status quantize_model(const std::string& in_path, const std::string& out_path, const std::string& type,
                      int threads = 0, bool pure = false);

// Options of `t2sql gen-data`.
struct GenDataOptions {
  std::string db_uri;       // empty: the demo warehouse
  std::string out_dir;
  double valid_fraction = 0.2;
  uint32_t seed = 42;
  int max_per_shape = 40;   // question/SQL pairs per SQL shape
  int paraphrases = 3;      // wordings per query
  // Pairs users accepted (FeedbackLog::accepted_examples(), gen-data
  // --include-feedback): verified by running like the rest (an empty result
  // is kept), always in the training split, and they win over a generated
  // pair with the same question.
  std::vector<std::pair<std::string, std::string>> feedback_pairs;  // question, sql
};
struct GenDataReport {
  int generated = 0, rejected = 0, duplicates = 0, n_train = 0, n_valid = 0, n_shapes = 0, n_valid_shapes = 0;
  int n_feedback = 0;  // feedback pairs kept (in training)
  std::vector<std::string> files;
};


// Question/SQL pairs made from `db`'s schema and values, each verified by
// running it; written to out_dir as train/valid JSONL (sql-create-context and
// chat shapes) plus manifest.json.
Result<GenDataReport> generate_training_data(Database& db, const GenDataOptions& options);

}  // namespace t2sql
