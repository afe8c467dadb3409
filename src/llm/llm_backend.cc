#include "t2sql/llm_backend.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "llm/http_backend.h"
#include "llm/llama_backend.h"
#include "t2sql/model_hub.h"

namespace t2sql {

Result<std::unique_ptr<LlmBackend>> make_llm_backend(const LlmBackendOptions& options) {
  if (!options.model_path.empty() && !options.url.empty()) {
    return invalid_argument("give either a model file or an LLM server URL, not both");
  }
  if (!options.model_path.empty()) {
    // A name in the model cache (`t2sql model pull`) stands for its file
    // when no file of that name exists.
    std::error_code ec;
    if (!std::filesystem::exists(options.model_path, ec)) {
      if (auto cached = resolve_cached_model(options.model_path)) {
        LlmBackendOptions named = options;
        named.model_path = *cached;
        return make_llama_backend(named);
      }
    }
    return make_llama_backend(options);
  }
  if (!options.url.empty()) {
    if (!options.lora_path.empty()) {
      return invalid_argument("a LoRA adapter is loaded by the server itself; --lora needs a local --model");
    }
    return make_http_backend(options);
  }
  return invalid_argument("no language model configured: give a GGUF model file (--model) or a server URL (--llm-url)");
}

Result<std::pair<std::string, float>> parse_lora_spec(const std::string& spec) {
  if (spec.empty()) return invalid_argument("empty LoRA adapter path");
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::make_pair(spec, 1.0f);
  std::string tail = spec.substr(colon + 1);
  // "C:\..." or a path with a colon in a directory name: only a number after
  // the last colon is a scale.
  if (tail.empty() || tail.find('/') != std::string::npos) return std::make_pair(spec, 1.0f);
  size_t used = 0;
  float scale = 0;
  try {
    scale = std::stof(tail, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != tail.size() || !std::isfinite(scale)) {
    return invalid_argument("bad LoRA scale '" + tail + "' in '" + spec + "' (expected PATH[:SCALE], e.g. a.gguf:0.5)");
  }
  return std::make_pair(spec.substr(0, colon), scale);
}

}  // namespace t2sql
