// quantize_model: llama.cpp's own quantizer, so that a QLoRA base is exactly
// what llama.cpp would produce.
#include <llama.h>

#include <filesystem>
#include <map>

#include "t2sql/train.h"
#include "llm/llama_runtime.h"

namespace t2sql {

Status quantize_model(const std::string& in_path, const std::string& out_path, const std::string& type,
                      int threads, bool pure) {
  static const std::map<std::string, llama_ftype> kTypes = {
      {"q4_0", LLAMA_FTYPE_MOSTLY_Q4_0}, {"q4_k", LLAMA_FTYPE_MOSTLY_Q4_K_M}, {"q4_k_m", LLAMA_FTYPE_MOSTLY_Q4_K_M},
      {"q8_0", LLAMA_FTYPE_MOSTLY_Q8_0}, {"f16", LLAMA_FTYPE_MOSTLY_F16},     {"f32", LLAMA_FTYPE_ALL_F32}};
  auto it = kTypes.find(type);
  if (it == kTypes.end()) return invalid_argument("quantize: unknown type '" + type + "' (q4_0, q4_k, q8_0, f16, f32)");
  if (!std::filesystem::is_regular_file(in_path)) return not_found("quantize: model not found: " + in_path);
  llama_runtime_init();
  llama_model_quantize_params p = llama_model_quantize_default_params();
  p.ftype = it->second;
  p.nthread = threads;
  p.pure = pure;
  const std::string tmp = out_path + ".tmp";
  if (llama_model_quantize(in_path.c_str(), tmp.c_str(), &p) != 0) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return invalid_argument("quantize: llama.cpp failed to quantize " + in_path + ": " + llama_take_last_error());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, out_path, ec);
  if (ec) return internal_error("quantize: cannot write " + out_path);
  return Status();
}

}  // namespace t2sql
