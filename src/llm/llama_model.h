// LlamaModel: the one owner of a llama.cpp model loaded from a GGUF file.
// load() initialises llama.cpp once per process (llama_runtime_init: backend
// and log hook), checks the file's header, loads the weights (or only the
// vocabulary) and frees them in the destructor. Every t2sql user of
// llama_model_load_from_file goes through it, so that none forgets the
// runtime set-up or the free. Move-only; a loaded model is read-only and may
// be shared by contexts on several threads as llama.cpp allows.
//
//   auto m = LlamaModel::load(path, {.vocab_only = true});
//   if (!m.ok()) return m.status();
//   const llama_vocab* vocab = m->vocab();
//
// Errors: not_found when the file does not exist; invalid_argument when it is
// not a usable GGUF file or llama.cpp refuses it (with llama.cpp's last error
// line as the reason).
#pragma once

#include <string>

#include "t2sql/status.h"

struct llama_model;
struct llama_vocab;

namespace t2sql {

struct LlamaModelOptions {
  int n_gpu_layers = 0;     // layers offloaded to a GPU when llama.cpp was built with one
  bool vocab_only = false;  // the tokenizer and metadata, no weights
};

class LlamaModel {
 public:
  static Result<LlamaModel> load(const std::string& path, const LlamaModelOptions& options = {});

  LlamaModel() = default;
  LlamaModel(LlamaModel&& other) noexcept;
  LlamaModel& operator=(LlamaModel&& other) noexcept;
  LlamaModel(const LlamaModel&) = delete;
  LlamaModel& operator=(const LlamaModel&) = delete;
  ~LlamaModel();

  llama_model* get() const { return model_; }
  explicit operator bool() const { return model_ != nullptr; }
  const llama_vocab* vocab() const;
  // The model's own chat template (tokenizer.chat_template), or empty.
  std::string chat_template() const;

 private:
  explicit LlamaModel(llama_model* model) : model_(model) {}
  llama_model* model_ = nullptr;
};

}  // namespace t2sql
