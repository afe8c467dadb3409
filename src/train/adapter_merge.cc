// merge_lora: W' = W + scale * alpha/r * (B A) for every adapted matrix. The
// merged matrices are written in F32 (F16 stays F16; a quantized base
// becomes F32 there, quantize the result again if wanted); every other
// tensor and all metadata are copied unchanged.
#include <ggml.h>
#include <gguf.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "t2sql/train.h"
#include "llm/llama_runtime.h"

namespace t2sql {
namespace {

struct GgufFree {
  void operator()(gguf_context* c) const { gguf_free(c); }
};
struct CtxFree {
  void operator()(ggml_context* c) const { ggml_free(c); }
};

std::vector<float> to_f32(const ggml_tensor* t) {
  const int64_t n = ggml_nelements(t);
  std::vector<float> out(static_cast<size_t>(n));
  if (t->type == GGML_TYPE_F32) {
    std::memcpy(out.data(), t->data, out.size() * sizeof(float));
  } else {
    const auto* traits = ggml_get_type_traits(t->type);
    const int64_t row = t->ne[0];
    for (int64_t r = 0; r < n / row; ++r)
      traits->to_float(static_cast<const char*>(t->data) + r * t->nb[1], out.data() + r * row, row);
  }
  return out;
}

}  // namespace

Status merge_lora(const std::string& base_path, const std::string& adapter_path, const std::string& out_path,
                  float scale) {
  llama_runtime_init();
  ggml_context* bctx_raw = nullptr;
  std::unique_ptr<gguf_context, GgufFree> base(gguf_init_from_file(base_path.c_str(), {false, &bctx_raw}));
  if (!base) return invalid_argument("merge: cannot read base model " + base_path);
  std::unique_ptr<ggml_context, CtxFree> bctx(bctx_raw);
  ggml_context* actx_raw = nullptr;
  std::unique_ptr<gguf_context, GgufFree> ad(gguf_init_from_file(adapter_path.c_str(), {false, &actx_raw}));
  if (!ad) return invalid_argument("merge: cannot read adapter " + adapter_path);
  std::unique_ptr<ggml_context, CtxFree> actx(actx_raw);

  auto str = [](gguf_context* g, const char* k) -> std::string {
    const int64_t id = gguf_find_key(g, k);
    return id < 0 || gguf_get_kv_type(g, id) != GGUF_TYPE_STRING ? "" : gguf_get_val_str(g, id);
  };
  if (str(ad.get(), "general.type") != "adapter" || str(ad.get(), "adapter.type") != "lora")
    return invalid_argument("merge: " + adapter_path + " is not a LoRA adapter");
  if (str(ad.get(), "general.architecture") != str(base.get(), "general.architecture"))
    return invalid_argument("merge: the adapter was made for architecture '" +
                            str(ad.get(), "general.architecture") + "', the base is '" +
                            str(base.get(), "general.architecture") + "'");
  const int64_t ka = gguf_find_key(ad.get(), "adapter.lora.alpha");
  const float alpha = ka < 0 ? 0.0f : gguf_get_val_f32(ad.get(), ka);

  // Pairs by base tensor name.
  std::map<std::string, std::pair<ggml_tensor*, ggml_tensor*>> pairs;
  for (int64_t i = 0; i < gguf_get_n_tensors(ad.get()); ++i) {
    std::string name = gguf_get_tensor_name(ad.get(), i);
    ggml_tensor* t = ggml_get_tensor(actx.get(), name.c_str());
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".lora_a") == 0)
      pairs[name.substr(0, name.size() - 7)].first = t;
    else if (name.size() > 7 && name.compare(name.size() - 7, 7, ".lora_b") == 0)
      pairs[name.substr(0, name.size() - 7)].second = t;
  }

  std::unique_ptr<gguf_context, GgufFree> out(gguf_init_empty());
  gguf_set_kv(out.get(), base.get());
  size_t extra = 0;
  for (const auto& [name, ab] : pairs) {
    ggml_tensor* w = ggml_get_tensor(bctx.get(), name.c_str());
    if (!w) return invalid_argument("merge: the adapter has " + name + " but the base does not");
    if (!ab.first || !ab.second) return invalid_argument("merge: " + name + " lacks lora_a or lora_b");
    if (ab.first->ne[0] != w->ne[0] || ab.second->ne[1] != w->ne[1] || ab.first->ne[1] != ab.second->ne[0])
      return invalid_argument("merge: the adapter does not fit the base (tensor " + name + ")");
    extra += static_cast<size_t>(ggml_nelements(w)) * sizeof(float) + ggml_tensor_overhead();
  }
  std::unique_ptr<ggml_context, CtxFree> mctx(ggml_init({extra + 1024, nullptr, false}));
  std::map<std::string, ggml_tensor*> merged;
  for (const auto& [name, ab] : pairs) {
    ggml_tensor* w = ggml_get_tensor(bctx.get(), name.c_str());
    std::vector<float> wf = to_f32(w);
    const std::vector<float> a = to_f32(ab.first), b = to_f32(ab.second);
    const int64_t n_in = w->ne[0], n_out = w->ne[1], r = ab.first->ne[1];
    const float s = scale * (alpha != 0.0f ? alpha / static_cast<float>(r) : 1.0f);
    // W[o][i] += s * sum_k B[o][k] A[k][i]  (ggml rows: W row o is n_in long, A row k, B row o)
    for (int64_t o = 0; o < n_out; ++o) {
      float* wrow = wf.data() + o * n_in;
      for (int64_t k = 0; k < r; ++k) {
        const float bk = s * b[static_cast<size_t>(o * r + k)];
        if (bk == 0.0f) continue;
        const float* arow = a.data() + k * n_in;
        for (int64_t i = 0; i < n_in; ++i) wrow[i] += bk * arow[i];
      }
    }
    const ggml_type type = w->type == GGML_TYPE_F16 ? GGML_TYPE_F16 : GGML_TYPE_F32;
    ggml_tensor* m = ggml_new_tensor(mctx.get(), type, GGML_MAX_DIMS, w->ne);
    ggml_set_name(m, name.c_str());
    if (type == GGML_TYPE_F32) std::memcpy(m->data, wf.data(), wf.size() * sizeof(float));
    else ggml_fp32_to_fp16_row(wf.data(), static_cast<ggml_fp16_t*>(m->data), static_cast<int64_t>(wf.size()));
    merged[name] = m;
  }
  for (int64_t i = 0; i < gguf_get_n_tensors(base.get()); ++i) {
    const std::string name = gguf_get_tensor_name(base.get(), i);
    auto it = merged.find(name);
    gguf_add_tensor(out.get(), it != merged.end() ? it->second : ggml_get_tensor(bctx.get(), name.c_str()));
  }
  std::error_code ec;
  if (std::filesystem::path(out_path).has_parent_path())
    std::filesystem::create_directories(std::filesystem::path(out_path).parent_path(), ec);
  const std::string tmp = out_path + ".tmp";
  if (!gguf_write_to_file(out.get(), tmp.c_str(), false)) return internal_error("merge: cannot write " + out_path);
  std::filesystem::rename(tmp, out_path, ec);
  if (ec) return internal_error("merge: cannot write " + out_path + ": " + ec.message());
  return Status();
}

}  // namespace t2sql
