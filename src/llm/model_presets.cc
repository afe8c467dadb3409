#include "t2sql/model_hub.h"

namespace t2sql {

// Repository and file names as their publisher, ggml-org (the llama.cpp
// project), names them in llama.cpp's own presets (common/arg.cpp at the
// pinned commit: --fim-qwen-1.5b-default, -3b-, -7b-, and the 0.5B draft of
// --fim-qwen-7b-spec). They are the Qwen2.5-Coder base models quantized to
// Q8_0; the licence is that of the Qwen2.5-Coder weights (Apache-2.0, except
// the 3B: Qwen Research License). No instruct-tuned or SQL-tuned GGUF is
// listed: none of their publishers' own pages could be checked (README
// "Models").
const std::vector<ModelPreset>& model_presets() {
  static const std::vector<ModelPreset> presets = {
      {.name = "qwen2.5-coder-0.5b",
       .repo = "ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF",
       .file = "qwen2.5-coder-0.5b-q8_0.gguf",
       .size = "0.5B",
       .prompt_style = "t2sql",
       .license = "Apache-2.0",
       .note = "about 0.5 GB; fast on any CPU, best with few-shot examples or a LoRA"},
      {.name = "qwen2.5-coder-1.5b",
       .repo = "ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF",
       .file = "qwen2.5-coder-1.5b-q8_0.gguf",
       .size = "1.5B",
       .prompt_style = "t2sql",
       .license = "Apache-2.0",
       .note = "about 1.6 GB"},
      {.name = "qwen2.5-coder-3b",
       .repo = "ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF",
       .file = "qwen2.5-coder-3b-q8_0.gguf",
       .size = "3B",
       .prompt_style = "t2sql",
       .license = "Qwen Research License (non-commercial)",
       .note = "about 3.3 GB"},
      {.name = "qwen2.5-coder-7b",
       .repo = "ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF",
       .file = "qwen2.5-coder-7b-q8_0.gguf",
       .size = "7B",
       .prompt_style = "t2sql",
       .license = "Apache-2.0",
       .note = "about 8 GB; needs 10 GB of memory"},
  };
  return presets;
}

}  // namespace t2sql
