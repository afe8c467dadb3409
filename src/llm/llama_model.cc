#include "llm/llama_model.h"

#include <llama.h>

#include <utility>

#include "llm/llama_runtime.h"

namespace t2sql {

Result<LlamaModel> LlamaModel::load(const std::string& path, const LlamaModelOptions& options) {
  llama_runtime_init();
  if (std::string problem = gguf_file_problem(path); !problem.empty()) {
    std::string msg = "model '" + path + "': " + problem;
    return problem == "no such file" ? not_found(msg) : invalid_argument(msg);
  }
  llama_take_last_error();  // what is left is this load's reason
  llama_model_params params = llama_model_default_params();
  params.n_gpu_layers = options.n_gpu_layers;
  params.vocab_only = options.vocab_only;
  llama_model* model = llama_model_load_from_file(path.c_str(), params);
  if (model == nullptr) {
    std::string why = llama_take_last_error();
    return invalid_argument("cannot load model '" + path +
                            "': " + (why.empty() ? "truncated or unsupported GGUF file" : why));
  }
  return LlamaModel(model);
}

LlamaModel::LlamaModel(LlamaModel&& other) noexcept : model_(std::exchange(other.model_, nullptr)) {}

LlamaModel& LlamaModel::operator=(LlamaModel&& other) noexcept {
  if (this != &other) {
    if (model_ != nullptr) llama_model_free(model_);
    model_ = std::exchange(other.model_, nullptr);
  }
  return *this;
}

LlamaModel::~LlamaModel() {
  if (model_ != nullptr) llama_model_free(model_);
}

const llama_vocab* LlamaModel::vocab() const {
  return model_ ? llama_model_get_vocab(model_) : nullptr;
}

std::string LlamaModel::chat_template() const {
  const char* tmpl = model_ ? llama_model_chat_template(model_, nullptr) : nullptr;
  return tmpl ? tmpl : "";
}

}  // namespace t2sql
