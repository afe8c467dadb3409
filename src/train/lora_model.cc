#include "train/lora_model.h"

#include <ggml-alloc.h>
#include <ggml-backend.h>
#include <ggml-cpu.h>
#include <ggml.h>
#include <gguf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "base/progress_bar.h"
#include "llm/llama_runtime.h"

namespace t2sql::train {
namespace {

// Graph capacity: a block with its backward pass takes about 200 nodes (874
// for 4 blocks and the head); sized per graph, since a graph's context and
// hash tables grow with its capacity, not with its use.
int graph_capacity(int n_layers) {
  return 2048 + 512 * n_layers;
}

struct Layer {
  ggml_tensor *attn_norm = nullptr, *ffn_norm = nullptr;
  ggml_tensor *attn_post_norm = nullptr, *ffn_post_norm = nullptr;  // gemma2
  ggml_tensor *wq = nullptr, *wk = nullptr, *wv = nullptr, *wo = nullptr;
  ggml_tensor *bq = nullptr, *bk = nullptr, *bv = nullptr, *bo = nullptr;
  ggml_tensor *sq = nullptr, *sk = nullptr, *sv = nullptr, *so = nullptr;
  ggml_tensor *gate = nullptr, *up = nullptr, *down = nullptr;
  ggml_tensor *bgate = nullptr, *bup = nullptr, *bdown = nullptr;
  ggml_tensor *sgate = nullptr, *sup = nullptr, *sdown = nullptr;
};

// The adapter of one matrix.
struct LoraPair {
  ggml_tensor* a = nullptr;  // [n_in, r]
  ggml_tensor* b = nullptr;  // [r, n_out]
};

const std::map<std::string, std::string> kTargetTensor = {
    {"q", "attn_q"}, {"k", "attn_k"}, {"v", "attn_v"}, {"o", "attn_output"},
    {"gate", "ffn_gate"}, {"up", "ffn_up"}, {"down", "ffn_down"}, {"output", "output"}};

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct GgufFree {
  void operator()(gguf_context* c) const { gguf_free(c); }
};

}  // namespace

struct LoraModel::Impl {
  ggml_backend_t cpu = nullptr;
  ggml_backend_t gpu = nullptr;
  ggml_backend_sched_t sched = nullptr;
  ggml_context* wctx = nullptr;
  ggml_backend_buffer_t wbuf = nullptr;
  ggml_context* actx = nullptr;
  ggml_backend_buffer_t abuf = nullptr;
  std::map<std::string, ggml_tensor*> weights;
  ggml_tensor *tok_embd = nullptr, *output_norm = nullptr, *output = nullptr, *output_b = nullptr,
              *rope_freqs = nullptr;
  std::vector<Layer> layers;
  // layers x targets; null pairs where a target is not trained.
  std::vector<std::map<std::string, LoraPair>> lora;
  LoraPair output_lora;  // the output layer's adapter, when "output" is a target
  // The accumulated gradient of each parameter (same order as params_), in
  // its own backend buffer, added to in place by the backward graphs.
  ggml_context* gctx = nullptr;
  ggml_backend_buffer_t gbuf = nullptr;
  std::map<const ggml_tensor*, ggml_tensor*> grad_of;
  // AdamW moments, host, concatenated in params_ order.
  std::vector<float> adam_m, adam_v;
  size_t compute_peak = 0, saved_peak = 0;
  int nodes_peak = 0;  // the most nodes of one graph so far

  ~Impl() {
    if (sched) ggml_backend_sched_free(sched);
    if (gbuf) ggml_backend_buffer_free(gbuf);
    if (gctx) ggml_free(gctx);
    if (abuf) ggml_backend_buffer_free(abuf);
    if (actx) ggml_free(actx);
    if (wbuf) ggml_backend_buffer_free(wbuf);
    if (wctx) ggml_free(wctx);
    if (gpu) ggml_backend_free(gpu);
    if (cpu) ggml_backend_free(cpu);
  }

  ggml_backend_t main_backend() const { return gpu ? gpu : cpu; }

  ggml_tensor* get(const std::string& name) const {
    auto it = weights.find(name);
    return it == weights.end() ? nullptr : it->second;
  }
};

LoraModel::LoraModel() : impl_(std::make_unique<Impl>()) {}
LoraModel::~LoraModel() = default;

Result<std::unique_ptr<LoraModel>> LoraModel::load(const std::string& path, int threads, bool use_gpu) {
  llama_runtime_init();
  if (!std::filesystem::is_regular_file(path)) return not_found("base model not found: " + path);
  if (std::string why = gguf_file_problem(path); !why.empty()) return invalid_argument(path + ": " + why);
  std::unique_ptr<LoraModel> m(new LoraModel());
  Impl& d = *m->impl_;
  gguf_init_params gp{/*no_alloc=*/true, /*ctx=*/&d.wctx};
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_from_file(path.c_str(), gp));
  if (!g) return invalid_argument("not a GGUF file (or a damaged one): " + path);

  auto str_key = [&](const std::string& k) -> std::string {
    const int64_t id = gguf_find_key(g.get(), k.c_str());
    return id < 0 || gguf_get_kv_type(g.get(), id) != GGUF_TYPE_STRING ? "" : gguf_get_val_str(g.get(), id);
  };
  auto num_key = [&](const std::string& k, double fallback) -> double {
    const int64_t id = gguf_find_key(g.get(), k.c_str());
    if (id < 0) return fallback;
    switch (gguf_get_kv_type(g.get(), id)) {
      case GGUF_TYPE_UINT32: return gguf_get_val_u32(g.get(), id);
      case GGUF_TYPE_INT32: return gguf_get_val_i32(g.get(), id);
      case GGUF_TYPE_UINT64: return static_cast<double>(gguf_get_val_u64(g.get(), id));
      case GGUF_TYPE_FLOAT32: return gguf_get_val_f32(g.get(), id);
      case GGUF_TYPE_FLOAT64: return gguf_get_val_f64(g.get(), id);
      default: return fallback;
    }
  };
  if (str_key("general.type") == "adapter")
    return invalid_argument(path + " is a LoRA adapter, not a base model: pass the model it was trained on as --base");
  ModelShape& s = m->shape_;
  s.arch = str_key("general.architecture");
  // Mistral's GGUFs are llama (llama.cpp's converter maps Mistral to llama).
  if (s.arch != "llama" && s.arch != "qwen2" && s.arch != "gemma" && s.arch != "gemma2")
    return invalid_argument("cannot train '" + path + "': architecture '" + s.arch +
                            "' is not supported by the trainer (supported: llama and Mistral, qwen2, gemma, gemma2)");
  const std::string a = s.arch;
  if (num_key(a + ".expert_count", 0) > 0)
    return invalid_argument("cannot train '" + path + "': mixture-of-experts models are not supported by the trainer");
  const std::string scaling = str_key(a + ".rope.scaling.type");
  if (!scaling.empty() && scaling != "none" && scaling != "linear")
    return invalid_argument("cannot train '" + path + "': rope scaling '" + scaling + "' is not supported by the trainer");
  s.n_embd = static_cast<int>(num_key(a + ".embedding_length", 0));
  s.n_layer = static_cast<int>(num_key(a + ".block_count", 0));
  s.n_head = static_cast<int>(num_key(a + ".attention.head_count", 0));
  s.n_head_kv = static_cast<int>(num_key(a + ".attention.head_count_kv", s.n_head));
  s.n_ff = static_cast<int>(num_key(a + ".feed_forward_length", 0));
  s.n_ctx_train = static_cast<int>(num_key(a + ".context_length", 2048));
  s.rms_eps = static_cast<float>(num_key(a + ".attention.layer_norm_rms_epsilon", 1e-5));
  s.rope_freq_base = static_cast<float>(num_key(a + ".rope.freq_base", 10000.0));
  const double factor = num_key(a + ".rope.scaling.factor", 0.0);
  s.rope_freq_scale = factor > 0 ? static_cast<float>(1.0 / factor) : 1.0f;
  s.attn_scale = static_cast<float>(num_key(a + ".attention.scale", 0.0));
  const bool gemma = a == "gemma" || a == "gemma2";
  s.rope_mode = a == "llama" ? 0 : 2;
  if (s.n_embd <= 0 || s.n_layer <= 0 || s.n_head <= 0 || s.n_head_kv <= 0 || s.n_head % s.n_head_kv != 0 ||
      (s.n_embd % s.n_head != 0 && num_key(a + ".attention.key_length", 0) <= 0))
    return invalid_argument("cannot train '" + path + "': missing or inconsistent hyper-parameters in its metadata");
  s.n_embd_head = static_cast<int>(num_key(a + ".attention.key_length", s.n_embd / s.n_head));
  if (num_key(a + ".attention.value_length", s.n_embd_head) != s.n_embd_head)
    return invalid_argument("cannot train '" + path + "': keys and values of different sizes are not supported by the trainer");
  s.n_rot = static_cast<int>(num_key(a + ".rope.dimension_count", s.n_embd_head));
  if (s.n_rot != s.n_embd_head)
    return invalid_argument("cannot train '" + path + "': partial rotary embeddings are not supported by the trainer");
  if (gemma) {
    // llama.cpp scales the embeddings and the queries itself (models/gemma*.cpp).
    s.embd_scale = std::sqrt(static_cast<float>(s.n_embd));
    s.ffn_gelu = true;
    // Gemma 2 27B (46 layers) divides by sqrt(n_embd/n_head), the others by sqrt(head size).
    const int scale_dim = a == "gemma2" && s.n_layer == 46 ? s.n_embd / s.n_head : s.n_embd_head;
    s.attn_scale = 1.0f / std::sqrt(static_cast<float>(scale_dim));
  }
  s.swa_layers.assign(static_cast<size_t>(s.n_layer), false);
  s.rope_freq_base_swa = static_cast<float>(num_key(a + ".rope.freq_base_swa", s.rope_freq_base));
  if (a == "gemma2") {
    s.attn_softcap = static_cast<float>(num_key(a + ".attn_logit_softcapping", 50.0));
    s.final_softcap = static_cast<float>(num_key(a + ".final_logit_softcapping", 30.0));
    s.n_swa = static_cast<int>(num_key(a + ".attention.sliding_window", 4096));
    // Local (sliding-window) layers: the GGUF's pattern, as an array of
    // flags or a period n (layer il is local when il % n < n - 1); Gemma 2: 2.
    const int64_t pk = gguf_find_key(g.get(), (a + ".attention.sliding_window_pattern").c_str());
    if (pk >= 0 && gguf_get_kv_type(g.get(), pk) == GGUF_TYPE_ARRAY) {
      if (gguf_get_arr_type(g.get(), pk) != GGUF_TYPE_BOOL ||
          gguf_get_arr_n(g.get(), pk) < static_cast<size_t>(s.n_layer))
        return invalid_argument("cannot train '" + path + "': unreadable sliding_window_pattern");
      const auto* flags = static_cast<const int8_t*>(gguf_get_arr_data(g.get(), pk));
      for (int il = 0; il < s.n_layer; ++il) s.swa_layers[static_cast<size_t>(il)] = flags[il] != 0;
    } else {
      const int n_pattern = static_cast<int>(num_key(a + ".attention.sliding_window_pattern", 2));
      for (int il = 0; il < s.n_layer; ++il)
        s.swa_layers[static_cast<size_t>(il)] = n_pattern == 0 || il % n_pattern < n_pattern - 1;
    }
  }

  for (ggml_tensor* t = ggml_get_first_tensor(d.wctx); t; t = ggml_get_next_tensor(d.wctx, t))
    d.weights[ggml_get_name(t)] = t;
  d.tok_embd = d.get("token_embd.weight");
  d.output_norm = d.get("output_norm.weight");
  d.output = d.get("output.weight");
  d.output_b = d.get("output.bias");
  d.rope_freqs = d.get("rope_freqs.weight");
  if (!d.output) d.output = d.tok_embd;  // tied embeddings
  if (!d.tok_embd || !d.output_norm)
    return invalid_argument("cannot train '" + path + "': token_embd or output_norm is missing");
  s.n_vocab = static_cast<int>(d.tok_embd->ne[1]);
  d.layers.resize(static_cast<size_t>(s.n_layer));
  for (int il = 0; il < s.n_layer; ++il) {
    const std::string p = "blk." + std::to_string(il) + ".";
    Layer& L = d.layers[static_cast<size_t>(il)];
    if (d.get(p + "attn_qkv.weight"))
      return invalid_argument("cannot train '" + path + "': fused QKV weights are not supported by the trainer");
    if (d.get(p + "ffn_gate_inp.weight"))
      return invalid_argument("cannot train '" + path + "': mixture-of-experts layers are not supported by the trainer");
    L.attn_norm = d.get(p + "attn_norm.weight");
    L.ffn_norm = d.get(p + "ffn_norm.weight");
    L.attn_post_norm = d.get(p + "post_attention_norm.weight");
    L.ffn_post_norm = d.get(p + "post_ffw_norm.weight");
    if (s.arch == "gemma2" && (!L.attn_post_norm || !L.ffn_post_norm))
      return invalid_argument("cannot train '" + path + "': layer " + std::to_string(il) +
                              " lacks gemma2's post_attention_norm or post_ffw_norm");
    L.wq = d.get(p + "attn_q.weight");
    L.wk = d.get(p + "attn_k.weight");
    L.wv = d.get(p + "attn_v.weight");
    L.wo = d.get(p + "attn_output.weight");
    L.bq = d.get(p + "attn_q.bias");
    L.bk = d.get(p + "attn_k.bias");
    L.bv = d.get(p + "attn_v.bias");
    L.bo = d.get(p + "attn_output.bias");
    L.sq = d.get(p + "attn_q.scale");
    L.sk = d.get(p + "attn_k.scale");
    L.sv = d.get(p + "attn_v.scale");
    L.so = d.get(p + "attn_output.scale");
    L.gate = d.get(p + "ffn_gate.weight");
    L.up = d.get(p + "ffn_up.weight");
    L.down = d.get(p + "ffn_down.weight");
    L.bgate = d.get(p + "ffn_gate.bias");
    L.bup = d.get(p + "ffn_up.bias");
    L.bdown = d.get(p + "ffn_down.bias");
    L.sgate = d.get(p + "ffn_gate.scale");
    L.sup = d.get(p + "ffn_up.scale");
    L.sdown = d.get(p + "ffn_down.scale");
    if (!L.attn_norm || !L.ffn_norm || !L.wq || !L.wk || !L.wv || !L.wo || !L.gate || !L.up || !L.down)
      return invalid_argument("cannot train '" + path + "': layer " + std::to_string(il) +
                              " lacks a tensor of the llama layout (attn_q/k/v/output, ffn_gate/up/down, norms)");
  }
  s.n_ff = static_cast<int>(d.layers[0].gate->ne[1]);
  s.weight_type = ggml_type_name(d.layers[0].wq->type);

  // Backends: the GPU when asked for and present (CUDA builds), the CPU always.
  d.cpu = ggml_backend_cpu_init();
  if (!d.cpu) return internal_error("cannot start the CPU backend");
  const int n_threads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ggml_backend_cpu_set_n_threads(d.cpu, n_threads);
  if (use_gpu) {
    d.gpu = ggml_backend_init_by_type(GGML_BACKEND_DEVICE_TYPE_GPU, nullptr);
    if (!d.gpu) return unavailable("--gpu: no GPU backend in this build or no GPU found");
  }
  m->backend_name_ = ggml_backend_name(d.main_backend());
  d.wbuf = ggml_backend_alloc_ctx_tensors(d.wctx, d.main_backend());
  if (!d.wbuf) return resource_exhausted("cannot allocate memory for the weights of " + path);
  ggml_backend_buffer_set_usage(d.wbuf, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);

  // Straight into the weight buffer when it is host memory (the CPU): no
  // staging copy of the largest tensor (the embeddings) beside the weights.
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return not_found("cannot open " + path);
  const bool host = ggml_backend_buffer_is_host(d.wbuf);
  std::vector<uint8_t> staging;
  const size_t data_offset = gguf_get_data_offset(g.get());
  bool read_ok = true;
  for (int64_t i = 0; i < gguf_get_n_tensors(g.get()) && read_ok; ++i) {
    ggml_tensor* t = d.get(gguf_get_tensor_name(g.get(), i));
    const size_t n = ggml_nbytes(t);
    if (!host) staging.resize(n);
    void* dst = host ? t->data : staging.data();
    read_ok = std::fseek(f, static_cast<long>(data_offset + gguf_get_tensor_offset(g.get(), i)), SEEK_SET) == 0 &&
              std::fread(dst, 1, n, f) == n;
    if (read_ok && !host) ggml_backend_tensor_set(t, staging.data(), 0, n);
  }
  std::fclose(f);
  if (!read_ok) return invalid_argument("truncated model file: " + path);

  std::vector<ggml_backend_t> backends;
  if (d.gpu) backends.push_back(d.gpu);
  backends.push_back(d.cpu);
  d.sched =
      ggml_backend_sched_new(backends.data(), nullptr, static_cast<int>(backends.size()), graph_capacity(s.n_layer),
                             /*parallel=*/false, /*op_offload=*/true);
  return m;
}

Status LoraModel::init_adapter(const LoraConfig& config) {
  Impl& d = *impl_;
  if (config.rank <= 0) return invalid_argument("LoRA rank must be positive");
  if (config.dropout < 0 || config.dropout >= 1) return invalid_argument("LoRA dropout must be in [0, 1)");
  if (config.targets.empty()) return invalid_argument("no LoRA target matrices");
  for (const auto& t : config.targets)
    if (!kTargetTensor.count(t))
      return invalid_argument("unknown LoRA target '" + t + "' (use q, k, v, o, gate, up, down, output)");
  const bool with_output =
      std::find(config.targets.begin(), config.targets.end(), "output") != config.targets.end();
  if (with_output && d.output == d.tok_embd)
    return invalid_argument("LoRA target 'output': this model ties its output layer to the token embeddings");
  config_ = config;
  if (d.gbuf) ggml_backend_buffer_free(d.gbuf);
  if (d.gctx) ggml_free(d.gctx);
  d.gbuf = nullptr;
  d.gctx = nullptr;
  d.grad_of.clear();
  if (d.abuf) ggml_backend_buffer_free(d.abuf);
  if (d.actx) ggml_free(d.actx);
  params_.clear();
  d.lora.assign(d.layers.size(), {});
  const size_t n_tensors = d.layers.size() * config.targets.size() * 2 + 8;
  ggml_init_params ip{n_tensors * ggml_tensor_overhead(), nullptr, /*no_alloc=*/true};
  d.actx = ggml_init(ip);
  for (size_t il = 0; il < d.layers.size(); ++il) {
    const Layer& L = d.layers[il];
    const std::map<std::string, ggml_tensor*> base = {{"q", L.wq}, {"k", L.wk}, {"v", L.wv}, {"o", L.wo},
                                                      {"gate", L.gate}, {"up", L.up}, {"down", L.down}};
    for (const auto& t : config.targets) {
      if (t == "output") continue;
      ggml_tensor* w = base.at(t);
      const std::string name = "blk." + std::to_string(il) + "." + kTargetTensor.at(t) + ".weight";
      LoraPair p;
      p.a = ggml_new_tensor_2d(d.actx, GGML_TYPE_F32, w->ne[0], config.rank);
      p.b = ggml_new_tensor_2d(d.actx, GGML_TYPE_F32, config.rank, w->ne[1]);
      ggml_set_name(p.a, (name + ".lora_a").c_str());
      ggml_set_name(p.b, (name + ".lora_b").c_str());
      ggml_set_param(p.a);
      ggml_set_param(p.b);
      d.lora[il][t] = p;
      params_.push_back(p.a);
      params_.push_back(p.b);
    }
  }
  d.output_lora = LoraPair{};
  if (with_output) {
    LoraPair p;
    p.a = ggml_new_tensor_2d(d.actx, GGML_TYPE_F32, d.output->ne[0], config.rank);
    p.b = ggml_new_tensor_2d(d.actx, GGML_TYPE_F32, config.rank, d.output->ne[1]);
    ggml_set_name(p.a, "output.weight.lora_a");
    ggml_set_name(p.b, "output.weight.lora_b");
    ggml_set_param(p.a);
    ggml_set_param(p.b);
    d.output_lora = p;
    params_.push_back(p.a);
    params_.push_back(p.b);
  }
  d.abuf = ggml_backend_alloc_ctx_tensors(d.actx, d.main_backend());
  if (!d.abuf) return resource_exhausted("cannot allocate the adapter");
  ggml_init_params gp{params_.size() * ggml_tensor_overhead() + 1024, nullptr, /*no_alloc=*/true};
  d.gctx = ggml_init(gp);
  for (ggml_tensor* p : params_) {
    ggml_tensor* gt = ggml_dup_tensor(d.gctx, p);
    ggml_format_name(gt, "%s.grad", ggml_get_name(p));
    d.grad_of[p] = gt;
  }
  d.gbuf = ggml_backend_alloc_ctx_tensors(d.gctx, d.main_backend());
  if (!d.gbuf) return resource_exhausted("cannot allocate the adapter's gradient");
  ggml_backend_buffer_clear(d.gbuf, 0);
  d.adam_m.assign(static_cast<size_t>(adapter_parameter_count()), 0.0f);
  d.adam_v.assign(d.adam_m.size(), 0.0f);
  // A as PEFT does (uniform, bound 1/sqrt(n_in)); B zero so training starts at the base model.
  std::mt19937_64 rng(config.seed);
  for (ggml_tensor* p : params_) {
    std::vector<float> v(static_cast<size_t>(ggml_nelements(p)), 0.0f);
    const std::string name = ggml_get_name(p);
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".lora_a") == 0) {
      const float bound = 1.0f / std::sqrt(static_cast<float>(p->ne[0]));
      std::uniform_real_distribution<float> u(-bound, bound);
      for (float& x : v) x = u(rng);
    }
    ggml_backend_tensor_set(p, v.data(), 0, ggml_nbytes(p));
  }
  return Status();
}

int64_t LoraModel::adapter_parameter_count() const {
  int64_t n = 0;
  for (ggml_tensor* p : params_) n += ggml_nelements(p);
  return n;
}

std::vector<float> LoraModel::get_parameters() const {
  std::vector<float> out(static_cast<size_t>(adapter_parameter_count()));
  size_t off = 0;
  for (ggml_tensor* p : params_) {
    ggml_backend_tensor_get(p, out.data() + off, 0, ggml_nbytes(p));
    off += static_cast<size_t>(ggml_nelements(p));
  }
  return out;
}

void LoraModel::set_parameters(const std::vector<float>& values) {
  size_t off = 0;
  for (ggml_tensor* p : params_) {
    ggml_backend_tensor_set(p, values.data() + off, 0, ggml_nbytes(p));
    off += static_cast<size_t>(ggml_nelements(p));
  }
}

size_t LoraModel::weight_bytes() const {
  size_t n = impl_->wbuf ? ggml_backend_buffer_get_size(impl_->wbuf) : 0;
  if (impl_->abuf) n += ggml_backend_buffer_get_size(impl_->abuf);
  return n;
}

namespace {

std::string mib(size_t bytes) { return ProgressBar::format_mib(bytes); }

}  // namespace

std::string LoraModel::memory_report() const {
  const Impl& d = *impl_;
  // Weights by role and type.
  std::map<std::string, size_t> by;
  size_t total = 0;
  for (const auto& [name, t] : d.weights) {
    std::string role = name.rfind("blk.", 0) == 0 ? "layers" : name.substr(0, name.find('.'));
    by[role + " " + ggml_type_name(t->type)] += ggml_nbytes(t);
    total += ggml_nbytes(t);
  }
  std::string out = "weights " + mib(total) + " (" + shape_.weight_type + " layers):";
  for (const auto& [k, n] : by) out += " " + k + " " + mib(n) + ",";
  out.back() = '\n';
  if (d.output == d.tok_embd) out += "output tied to token_embd\n";
  const size_t adapter = d.abuf ? ggml_backend_buffer_get_size(d.abuf) : 0;
  out += "adapter " + mib(adapter) + ", its gradient " + mib(d.gbuf ? ggml_backend_buffer_get_size(d.gbuf) : 0) +
         ", AdamW moments " + mib((d.adam_m.size() + d.adam_v.size()) * sizeof(float)) + "\n";
  out += "compute buffer " + mib(d.compute_peak) + " (largest graph so far: " + std::to_string(d.nodes_peak) +
         " nodes), saved layer inputs " + mib(d.saved_peak) + (checkpointing_ ? " (gradient checkpointing)" : "") +
         "\n";
  return out;
}

// One ggml graph under construction: its context, the inputs every graph
// shares (positions, causal mask), and the dropout masks to draw once the
// graph is allocated.
struct LoraModel::GraphCtx {
  ggml_context* ctx = nullptr;
  ggml_tensor* pos = nullptr;
  ggml_tensor* mask = nullptr;
  ggml_tensor* mask_swa = nullptr;  // causal and within the sliding window (gemma2's local layers)
  int n_swa = 0;
  std::vector<std::pair<ggml_tensor*, uint64_t>> drop;  // mask, its random stream
  int capacity;
  explicit GraphCtx(int n_layers) : capacity(graph_capacity(n_layers)) {
    ggml_init_params ip{static_cast<size_t>(capacity) * ggml_tensor_overhead() +
                            3 * ggml_graph_overhead_custom(static_cast<size_t>(capacity), true),
                        nullptr, /*no_alloc=*/true};
    ctx = ggml_init(ip);
  }
  ~GraphCtx() { ggml_free(ctx); }
  GraphCtx(const GraphCtx&) = delete;
  GraphCtx& operator=(const GraphCtx&) = delete;
  ggml_tensor* input(ggml_type type, int64_t ne0, int64_t ne1 = 1) {
    ggml_tensor* t = ggml_new_tensor_2d(ctx, type, ne0, ne1);
    ggml_set_input(t);
    return t;
  }
};

// Functions whose ggml ops have no backward pass (GELU, tanh), written with
// ops that have one: sigmoid(z) = exp(-softplus(-z)), stable for any z.
ggml_tensor* sigmoid_of(ggml_context* ctx, ggml_tensor* z) {
  return ggml_exp(ctx, ggml_neg(ctx, ggml_softplus(ctx, ggml_neg(ctx, z))));
}

// GELU, tanh approximation as ggml's: x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)).
ggml_tensor* gelu_of(ggml_context* ctx, ggml_tensor* x) {
  const float c = 2.0f * std::sqrt(2.0f / static_cast<float>(M_PI));
  ggml_tensor* x3 = ggml_mul(ctx, ggml_mul(ctx, x, x), x);
  ggml_tensor* u = ggml_add(ctx, x, ggml_scale(ctx, x3, 0.044715f));
  return ggml_mul(ctx, x, sigmoid_of(ctx, ggml_scale(ctx, u, c)));
}

// Soft-capping: cap * tanh(x / cap) = 2 cap sigmoid(2 x / cap) - cap.
ggml_tensor* softcap_of(ggml_context* ctx, ggml_tensor* x, float cap) {
  return ggml_scale_bias(ctx, sigmoid_of(ctx, ggml_scale(ctx, x, 2.0f / cap)), 2.0f * cap, -cap);
}

// The graph pieces: the embeddings, one transformer block and the loss head,
// as llama.cpp's graphs of the architecture compute them.
struct LoraModel::Builder {
  const LoraModel& m;
  GraphCtx& g;
  int T, B;
  float p_drop;
  uint64_t dropout_seed;

  // The token embeddings (Gemma: times sqrt(n_embd)).
  ggml_tensor* embed(ggml_tensor* tokens) {
    ggml_tensor* x = ggml_get_rows(g.ctx, m.impl_->tok_embd, tokens);  // [n_embd, N]
    return m.shape_.embd_scale != 1.0f ? ggml_scale(g.ctx, x, m.shape_.embd_scale) : x;
  }

  ggml_tensor* layer(int il, ggml_tensor* inpL) {
    const Impl& d = *m.impl_;
    const ModelShape& s = m.shape_;
    ggml_context* ctx = g.ctx;
    const int N = T * B, hd = s.n_embd_head;
    if (!g.pos) {
      g.pos = g.input(GGML_TYPE_I32, T);
      g.mask = g.input(GGML_TYPE_F32, T, T);
    }
    const bool swa = s.swa_layers[static_cast<size_t>(il)];
    if (swa && !g.mask_swa) {
      g.mask_swa = g.input(GGML_TYPE_F32, T, T);
      g.n_swa = s.n_swa;
    }
    const Layer& L = d.layers[static_cast<size_t>(il)];
    const auto& lora = d.lora.empty() ? std::map<std::string, LoraPair>{} : d.lora[static_cast<size_t>(il)];
    auto pair = [&](const char* t) -> const LoraPair* {
      auto it = lora.find(t);
      return it == lora.end() ? nullptr : &it->second;
    };
    auto needs = [&](std::initializer_list<const char*> ts) {
      for (const char* t : ts)
        if (pair(t)) return true;
      return false;
    };
    // Each mask's stream is a function of (seed, layer, slot), so that a
    // recomputed layer draws the masks of its first forward pass.
    auto dropout_mask = [&](int slot, int64_t dim) -> ggml_tensor* {
      if (p_drop <= 0) return nullptr;
      ggml_tensor* t = g.input(GGML_TYPE_F32, dim, N);
      g.drop.emplace_back(t, splitmix64(dropout_seed ^ splitmix64(static_cast<uint64_t>(il) * 4 + slot + 1)));
      return t;
    };
    const float lora_scale = m.config_.alpha / static_cast<float>(m.config_.rank);
    // y = W x (* s) + alpha/r * B A drop(x) (+ b): llama.cpp's build_lora_mm order.
    auto linear = [&](ggml_tensor* w, ggml_tensor* bias, ggml_tensor* scale, const LoraPair* lp, ggml_tensor* x,
                      ggml_tensor* drop) {
      ggml_tensor* y = ggml_mul_mat(ctx, w, x);
      if (scale) y = ggml_mul(ctx, y, scale);
      if (lp && lp->a) {
        ggml_tensor* xin = drop ? ggml_mul(ctx, x, drop) : x;
        ggml_tensor* ab = ggml_mul_mat(ctx, lp->b, ggml_mul_mat(ctx, lp->a, xin));
        y = ggml_add(ctx, y, ggml_scale(ctx, ab, lora_scale));
      }
      if (bias) y = ggml_add(ctx, y, bias);
      return y;
    };
    const float kq_scale = s.attn_scale != 0.0f ? s.attn_scale : 1.0f / std::sqrt(static_cast<float>(hd));
    ggml_tensor* cur = ggml_mul(ctx, ggml_rms_norm(ctx, inpL, s.rms_eps), L.attn_norm);
    ggml_tensor* drop_attn = needs({"q", "k", "v"}) ? dropout_mask(0, s.n_embd) : nullptr;
    ggml_tensor* q = linear(L.wq, L.bq, L.sq, pair("q"), cur, drop_attn);
    ggml_tensor* k = linear(L.wk, L.bk, L.sk, pair("k"), cur, drop_attn);
    ggml_tensor* v = linear(L.wv, L.bv, L.sv, pair("v"), cur, drop_attn);
    q = ggml_reshape_4d(ctx, q, hd, s.n_head, T, B);
    k = ggml_reshape_4d(ctx, k, hd, s.n_head_kv, T, B);
    v = ggml_reshape_4d(ctx, v, hd, s.n_head_kv, T, B);
    const float rope_base = swa ? s.rope_freq_base_swa : s.rope_freq_base;
    q = ggml_rope_ext(ctx, q, g.pos, d.rope_freqs, s.n_rot, s.rope_mode, s.n_ctx_train, rope_base, s.rope_freq_scale,
                      0.0f, 1.0f, 32.0f, 1.0f);
    k = ggml_rope_ext(ctx, k, g.pos, d.rope_freqs, s.n_rot, s.rope_mode, s.n_ctx_train, rope_base, s.rope_freq_scale,
                      0.0f, 1.0f, 32.0f, 1.0f);
    ggml_tensor* qp = ggml_permute(ctx, q, 0, 2, 1, 3);                  // [hd, T, nh, B]
    ggml_tensor* kp = ggml_cont(ctx, ggml_permute(ctx, k, 0, 2, 1, 3));  // [hd, T, nkv, B]
    // Grouped-query attention: ggml's backward pass of a broadcast matrix
    // product handles a broadcast in dimension 2 only, so the heads and the
    // sequences share that dimension (query head b*nh + h meets key head
    // b*nkv + h/(nh/nkv), as the broadcast maps them).
    const bool gqa = s.n_head_kv != s.n_head && B > 1;
    if (gqa) {
      qp = ggml_reshape_3d(ctx, ggml_cont(ctx, qp), hd, T, s.n_head * B);
      kp = ggml_reshape_3d(ctx, kp, hd, T, s.n_head_kv * B);
    }
    ggml_tensor* kq = ggml_mul_mat(ctx, kp, qp);  // [T_k, T_q, nh, B] ([T_k, T_q, nh*B] under gqa)
    ggml_tensor* mask = swa ? g.mask_swa : g.mask;
    if (s.attn_softcap > 0) {
      // Gemma 2 scales the queries, then caps the scores.
      kq = softcap_of(ctx, ggml_scale(ctx, kq, kq_scale), s.attn_softcap);
      kq = ggml_soft_max_ext(ctx, kq, mask, 1.0f, 0.0f);
    } else {
      kq = ggml_soft_max_ext(ctx, kq, mask, kq_scale, 0.0f);
    }
    ggml_tensor* vt = ggml_cont(ctx, ggml_permute(ctx, v, 1, 2, 0, 3));  // [T, hd, nkv, B]
    if (gqa) vt = ggml_reshape_3d(ctx, vt, T, hd, s.n_head_kv * B);
    ggml_tensor* kqv = ggml_mul_mat(ctx, vt, kq);  // [hd, T_q, nh, B]
    if (gqa) kqv = ggml_reshape_4d(ctx, kqv, hd, T, s.n_head, B);
    kqv = ggml_cont(ctx, ggml_permute(ctx, kqv, 0, 2, 1, 3));            // [hd, nh, T, B]
    cur = ggml_reshape_2d(ctx, kqv, hd * s.n_head, N);
    ggml_tensor* drop_o = pair("o") ? dropout_mask(1, hd * s.n_head) : nullptr;
    cur = linear(L.wo, L.bo, L.so, pair("o"), cur, drop_o);
    if (L.attn_post_norm) cur = ggml_mul(ctx, ggml_rms_norm(ctx, cur, s.rms_eps), L.attn_post_norm);
    ggml_tensor* ffn_inp = ggml_add(ctx, cur, inpL);
    cur = ggml_mul(ctx, ggml_rms_norm(ctx, ffn_inp, s.rms_eps), L.ffn_norm);
    ggml_tensor* drop_ffn = needs({"gate", "up"}) ? dropout_mask(2, s.n_embd) : nullptr;
    ggml_tensor* up = linear(L.up, L.bup, L.sup, pair("up"), cur, drop_ffn);
    ggml_tensor* gate = linear(L.gate, L.bgate, L.sgate, pair("gate"), cur, drop_ffn);
    cur = ggml_mul(ctx, s.ffn_gelu ? gelu_of(ctx, gate) : ggml_silu(ctx, gate), up);
    ggml_tensor* drop_down = pair("down") ? dropout_mask(3, s.n_ff) : nullptr;
    cur = linear(L.down, L.bdown, L.sdown, pair("down"), cur, drop_down);
    if (L.ffn_post_norm) cur = ggml_mul(ctx, ggml_rms_norm(ctx, cur, s.rms_eps), L.ffn_post_norm);
    return ggml_add(ctx, cur, ffn_inp);
  }

  // The final norm, the output layer at the scored positions only (it is the
  // largest matrix) and the mean cross-entropy.
  ggml_tensor* loss(ggml_tensor* hidden, ggml_tensor* rows, ggml_tensor* labels) {
    const Impl& d = *m.impl_;
    ggml_context* ctx = g.ctx;
    ggml_tensor* out = ggml_mul(ctx, ggml_rms_norm(ctx, hidden, m.shape_.rms_eps), d.output_norm);
    out = ggml_get_rows(ctx, out, rows);
    ggml_tensor* logits = ggml_mul_mat(ctx, d.output, out);
    if (d.output_lora.a) {
      const float lora_scale = m.config_.alpha / static_cast<float>(m.config_.rank);
      ggml_tensor* ab = ggml_mul_mat(ctx, d.output_lora.b, ggml_mul_mat(ctx, d.output_lora.a, out));
      logits = ggml_add(ctx, logits, ggml_scale(ctx, ab, lora_scale));
    }
    if (d.output_b) logits = ggml_add(ctx, logits, d.output_b);
    if (m.shape_.final_softcap > 0) logits = softcap_of(ctx, logits, m.shape_.final_softcap);
    ggml_tensor* loss = ggml_cross_entropy_loss(ctx, logits, labels);
    ggml_set_output(loss);
    return loss;
  }
};

// Appends the backward pass of `graph` (whose loss is `loss`): the adapter's
// gradients are added in place to the persistent accumulators, so no
// gradient is kept in the compute buffer past its last use.
ggml_cgraph* LoraModel::with_backward(ggml_context* ctx, ggml_cgraph* graph, ggml_tensor* loss) {
  ggml_set_loss(loss);
  ggml_cgraph* gb = ggml_graph_dup(ctx, graph, /*force_grads=*/true);
  std::vector<ggml_tensor*> accs(static_cast<size_t>(ggml_graph_n_nodes(gb)), nullptr);
  for (int i = 0; i < ggml_graph_n_nodes(gb); ++i) {
    auto it = impl_->grad_of.find(ggml_graph_node(gb, i));
    if (it != impl_->grad_of.end()) accs[static_cast<size_t>(i)] = it->second;
  }
  ggml_build_backward_expand(ctx, gb, accs.data());
  return gb;
}

// Allocates `graph` in the one compute buffer, sets the inputs, and runs it.
// `seed_grad` is the loss's gradient (the micro-batch's weight); 0 for a
// forward-only graph. `set_more` sets graph-specific inputs.
Status LoraModel::run_graph(GraphCtx& g, ggml_cgraph* graph, const TokenBatch& batch, ggml_tensor* tokens,
                            ggml_tensor* rows, ggml_tensor* labels, ggml_tensor* loss, float seed_grad,
                            const std::function<void()>& set_more) {
  Impl& d = *impl_;
  const int T = batch.n_tokens, n_scored = static_cast<int>(batch.scored.size());
  ggml_backend_sched_reset(d.sched);
  if (!ggml_backend_sched_alloc_graph(d.sched, graph))
    return resource_exhausted("cannot allocate the compute graph (batch " + std::to_string(batch.n_seq) + " x " +
                              std::to_string(T) + " tokens)");
  d.nodes_peak = std::max(d.nodes_peak, ggml_graph_n_nodes(graph));
  for (ggml_backend_t b : {d.gpu, d.cpu})
    if (b) d.compute_peak = std::max(d.compute_peak, ggml_backend_sched_get_buffer_size(d.sched, b));
  if (tokens) ggml_backend_tensor_set(tokens, batch.tokens.data(), 0, ggml_nbytes(tokens));
  if (g.pos) {
    std::vector<int32_t> positions(static_cast<size_t>(T));
    for (int i = 0; i < T; ++i) positions[static_cast<size_t>(i)] = i;
    ggml_backend_tensor_set(g.pos, positions.data(), 0, ggml_nbytes(g.pos));
    std::vector<float> mask_row(static_cast<size_t>(T));  // one row at a time
    for (int iq = 0; iq < T; ++iq) {
      for (int ik = 0; ik < T; ++ik) mask_row[static_cast<size_t>(ik)] = ik <= iq ? 0.0f : -INFINITY;
      ggml_backend_tensor_set(g.mask, mask_row.data(), static_cast<size_t>(iq) * g.mask->nb[1],
                              mask_row.size() * sizeof(float));
      if (!g.mask_swa) continue;
      // llama.cpp's standard sliding window: a key n_swa or more positions back is hidden.
      for (int ik = 0; ik < T; ++ik)
        if (iq - ik >= g.n_swa) mask_row[static_cast<size_t>(ik)] = -INFINITY;
      ggml_backend_tensor_set(g.mask_swa, mask_row.data(), static_cast<size_t>(iq) * g.mask_swa->nb[1],
                              mask_row.size() * sizeof(float));
    }
  }
  if (rows) {
    ggml_backend_tensor_set(rows, batch.scored.data(), 0, ggml_nbytes(rows));
    // One-hot labels, one row at a time: no host copy of the whole matrix.
    std::vector<float> lab(static_cast<size_t>(shape_.n_vocab), 0.0f);
    for (int i = 0; i < n_scored; ++i) {
      const int32_t t = batch.targets[static_cast<size_t>(i)];
      lab[static_cast<size_t>(t)] = 1.0f;
      ggml_backend_tensor_set(labels, lab.data(), static_cast<size_t>(i) * labels->nb[1], lab.size() * sizeof(float));
      lab[static_cast<size_t>(t)] = 0.0f;
    }
  }
  {
    // Dropout masks drawn after the graph is allocated, in slices, so that
    // no host copy of a whole mask sits beside the compute buffer.
    constexpr size_t kSlice = 16384;
    std::vector<float> v(kSlice);
    const float p_drop = config_.dropout;
    const float keep = 1.0f / (1.0f - p_drop);
    for (const auto& [t, stream] : g.drop) {
      const auto n = static_cast<size_t>(ggml_nelements(t));
      for (size_t start = 0; start < n; start += kSlice) {
        const size_t len = std::min(kSlice, n - start);
        for (size_t i = 0; i < len; ++i) {
          const double u = static_cast<double>(splitmix64(stream + start + i) >> 11) * 0x1.0p-53;
          v[i] = u < p_drop ? 0.0f : keep;
        }
        ggml_backend_tensor_set(t, v.data(), start * sizeof(float), len * sizeof(float));
      }
    }
  }
  if (set_more) set_more();
  if (seed_grad != 0.0f) {
    ggml_tensor* lg = ggml_graph_get_grad_acc(graph, loss);
    if (!lg) return internal_error("the training graph has no loss gradient");
    ggml_backend_tensor_set(lg, &seed_grad, 0, sizeof(float));
  }
  if (ggml_backend_sched_graph_compute(d.sched, graph) != GGML_STATUS_SUCCESS)
    return internal_error("the compute graph failed");
  return Status();
}

void LoraModel::zero_grads() {
  if (impl_->gbuf) ggml_backend_buffer_clear(impl_->gbuf, 0);
}

Result<double> LoraModel::compute(const TokenBatch& batch, std::vector<float>* grads, uint64_t dropout_seed,
                                  float grad_weight) {
  if (!grads) return forward_backward(batch, false, 0, 0.0f);
  zero_grads();
  auto loss = forward_backward(batch, true, dropout_seed, grad_weight);
  if (!loss.ok()) return loss;
  grads->assign(static_cast<size_t>(adapter_parameter_count()), 0.0f);
  size_t off = 0;
  for (ggml_tensor* p : params_) {
    ggml_backend_tensor_get(impl_->grad_of.at(p), grads->data() + off, 0, ggml_nbytes(p));
    off += static_cast<size_t>(ggml_nelements(p));
  }
  return loss;
}

Result<double> LoraModel::accumulate(const TokenBatch& batch, uint64_t dropout_seed, float grad_weight) {
  return forward_backward(batch, true, dropout_seed, grad_weight);
}

Result<double> LoraModel::forward_backward(const TokenBatch& batch, bool train, uint64_t dropout_seed,
                                           float grad_weight) {
  Impl& d = *impl_;
  const ModelShape& s = shape_;
  const int T = batch.n_tokens, B = batch.n_seq, N = T * B;
  const int n_scored = static_cast<int>(batch.scored.size());
  if (T <= 0 || B <= 0 || static_cast<int>(batch.tokens.size()) != N) return invalid_argument("bad token batch");
  if (n_scored == 0 || batch.targets.size() != batch.scored.size()) return invalid_argument("batch scores nothing");
  for (int32_t t : batch.targets)
    if (t < 0 || t >= s.n_vocab) return invalid_argument("token id out of the model's vocabulary");
  for (int32_t t : batch.tokens)
    if (t < 0 || t >= s.n_vocab) return invalid_argument("token id out of the model's vocabulary");
  if (train && params_.empty()) return invalid_argument("no adapter to train");
  const float p_drop = train ? config_.dropout : 0.0f;

  if (!train || !checkpointing_) {
    GraphCtx g(s.n_layer);
    Builder bld{*this, g, T, B, p_drop, dropout_seed};
    ggml_tensor* tokens = g.input(GGML_TYPE_I32, N);
    ggml_tensor* rows = g.input(GGML_TYPE_I32, n_scored);
    ggml_tensor* labels = g.input(GGML_TYPE_F32, s.n_vocab, n_scored);
    ggml_tensor* x = bld.embed(tokens);  // [n_embd, N]
    for (int il = 0; il < s.n_layer; ++il) x = bld.layer(il, x);
    ggml_tensor* loss = bld.loss(x, rows, labels);
    ggml_cgraph* graph = ggml_new_graph_custom(g.ctx, g.capacity, /*grads=*/train);
    ggml_build_forward_expand(graph, loss);
    if (train) graph = with_backward(g.ctx, graph, loss);
    if (Status st = run_graph(g, graph, batch, tokens, rows, labels, loss, train ? grad_weight : 0.0f, nullptr);
        !st.ok())
      return st;
    float loss_v = 0;
    ggml_backend_tensor_get(loss, &loss_v, 0, sizeof(float));
    return static_cast<double>(loss_v);
  }

  // Gradient checkpointing. The layer inputs of a forward pass are kept; the
  // backward pass goes one graph per layer, from the top: the layer is
  // recomputed from its saved input and differentiated against the gradient
  // that reached its output (loss_l = sum(y_l * g_l), whose gradient at y_l
  // is g_l), which yields its adapter's gradients and the gradient at its
  // input for the layer below.
  // Layer 0's input is not kept: its graph looks the embeddings up again.
  const int L = s.n_layer;
  ggml_init_params sp{static_cast<size_t>(L + 2) * ggml_tensor_overhead() + 1024, nullptr, /*no_alloc=*/true};
  ggml_context* sctx = ggml_init(sp);
  std::vector<ggml_tensor*> saved(static_cast<size_t>(L) + 1, nullptr);
  for (int il = 1; il <= L; ++il) saved[static_cast<size_t>(il)] = ggml_new_tensor_2d(sctx, GGML_TYPE_F32, s.n_embd, N);
  ggml_tensor* g_out = ggml_new_tensor_2d(sctx, GGML_TYPE_F32, s.n_embd, N);  // the gradient flowing down
  ggml_backend_buffer_t sbuf = ggml_backend_alloc_ctx_tensors(sctx, d.main_backend());
  struct SavedFree {
    ggml_context* c;
    ggml_backend_buffer_t b;
    ~SavedFree() {
      if (b) ggml_backend_buffer_free(b);
      ggml_free(c);
    }
  } saved_guard{sctx, sbuf};
  if (!sbuf) return resource_exhausted("cannot allocate the saved layer inputs");
  d.saved_peak = std::max(d.saved_peak, ggml_backend_buffer_get_size(sbuf));

  // Forward, one graph per layer (so that only one layer's dropout masks
  // and activations exist at a time), each writing its output into the
  // next layer's saved input.
  for (int il = 0; il < L; ++il) {
    GraphCtx g(1);
    Builder bld{*this, g, T, B, p_drop, dropout_seed};
    ggml_tensor* tokens = il == 0 ? g.input(GGML_TYPE_I32, N) : nullptr;
    ggml_tensor* x = il == 0 ? bld.embed(tokens) : saved[static_cast<size_t>(il)];
    ggml_cgraph* graph = ggml_new_graph_custom(g.ctx, g.capacity, false);
    ggml_build_forward_expand(graph, ggml_cpy(g.ctx, bld.layer(il, x), saved[static_cast<size_t>(il) + 1]));
    if (Status st = run_graph(g, graph, batch, tokens, nullptr, nullptr, nullptr, 0.0f, nullptr); !st.ok()) return st;
  }
  // An input of the graph (set from a saved tensor), with the gradient at it wanted.
  auto grad_input = [&](GraphCtx& g, bool need_grad) {
    ggml_tensor* x = g.input(GGML_TYPE_F32, s.n_embd, N);
    if (need_grad) ggml_set_param(x);
    return x;
  };
  float loss_v = 0;
  {  // The head: final norm, output layer, loss.
    GraphCtx g(1);
    Builder bld{*this, g, T, B, p_drop, dropout_seed};
    ggml_tensor* rows = g.input(GGML_TYPE_I32, n_scored);
    ggml_tensor* labels = g.input(GGML_TYPE_F32, s.n_vocab, n_scored);
    ggml_tensor* x = grad_input(g, true);
    ggml_tensor* loss = bld.loss(x, rows, labels);
    ggml_cgraph* graph = ggml_new_graph_custom(g.ctx, g.capacity, true);
    ggml_build_forward_expand(graph, loss);
    graph = with_backward(g.ctx, graph, loss);
    ggml_tensor* gx = ggml_graph_get_grad(graph, x);
    if (!gx) return internal_error("no gradient reaches the last layer");
    ggml_set_output(gx);
    auto set_x = [&] { ggml_backend_tensor_copy(saved[static_cast<size_t>(L)], x); };
    if (Status st = run_graph(g, graph, batch, nullptr, rows, labels, loss, grad_weight, set_x); !st.ok()) return st;
    ggml_backend_tensor_get(loss, &loss_v, 0, sizeof(float));
    ggml_backend_tensor_copy(gx, g_out);
  }
  for (int il = L - 1; il >= 0; --il) {
    const bool has_adapter = !d.lora.empty() && !d.lora[static_cast<size_t>(il)].empty();
    if (il == 0 && !has_adapter) break;  // nothing below to pass a gradient to
    GraphCtx g(1);
    Builder bld{*this, g, T, B, p_drop, dropout_seed};
    ggml_tensor* tokens = il == 0 ? g.input(GGML_TYPE_I32, N) : nullptr;
    ggml_tensor* x = il == 0 ? bld.embed(tokens) : grad_input(g, true);
    ggml_tensor* upstream = g.input(GGML_TYPE_F32, s.n_embd, N);
    ggml_tensor* y = bld.layer(il, x);
    ggml_tensor* loss = ggml_sum(g.ctx, ggml_mul(g.ctx, y, upstream));
    ggml_cgraph* graph = ggml_new_graph_custom(g.ctx, g.capacity, true);
    ggml_build_forward_expand(graph, loss);
    graph = with_backward(g.ctx, graph, loss);
    ggml_tensor* gx = il > 0 ? ggml_graph_get_grad(graph, x) : nullptr;
    if (il > 0 && !gx) return internal_error("no gradient reaches layer " + std::to_string(il));
    if (gx) ggml_set_output(gx);
    auto set_inputs = [&] {
      if (il > 0) ggml_backend_tensor_copy(saved[static_cast<size_t>(il)], x);
      ggml_backend_tensor_copy(g_out, upstream);
    };
    if (Status st = run_graph(g, graph, batch, tokens, nullptr, nullptr, loss, 1.0f, set_inputs); !st.ok()) return st;
    if (gx) ggml_backend_tensor_copy(gx, g_out);
  }
  return static_cast<double>(loss_v);
}

namespace {

// Calls fn(values, grad, m, v, n) for each parameter tensor on host memory:
// the backend's own when it is host memory, else a copy written back after.
void for_each_host_param(const std::vector<ggml_tensor*>& params,
                         const std::map<const ggml_tensor*, ggml_tensor*>& grad_of, std::vector<float>& m,
                         std::vector<float>& v, bool write_back,
                         const std::function<void(float*, const float*, float*, float*, size_t)>& fn) {
  std::vector<float> pv, gv;
  size_t off = 0;
  for (ggml_tensor* p : params) {
    ggml_tensor* gt = grad_of.at(p);
    const auto n = static_cast<size_t>(ggml_nelements(p));
    const bool host = ggml_backend_buffer_is_host(p->buffer) && ggml_backend_buffer_is_host(gt->buffer);
    float* pd = static_cast<float*>(p->data);
    float* gd = static_cast<float*>(gt->data);
    if (!host) {
      pv.resize(n);
      gv.resize(n);
      ggml_backend_tensor_get(p, pv.data(), 0, n * sizeof(float));
      ggml_backend_tensor_get(gt, gv.data(), 0, n * sizeof(float));
      pd = pv.data();
      gd = gv.data();
    }
    fn(pd, gd, m.data() + off, v.data() + off, n);
    if (!host && write_back) ggml_backend_tensor_set(p, pv.data(), 0, n * sizeof(float));
    off += n;
  }
}

}  // namespace

double LoraModel::grad_norm() const {
  double norm2 = 0;
  Impl& d = *impl_;
  for_each_host_param(params_, d.grad_of, d.adam_m, d.adam_v, false,
                      [&](float*, const float* g, float*, float*, size_t n) {
                        for (size_t i = 0; i < n; ++i) norm2 += static_cast<double>(g[i]) * g[i];
                      });
  return std::sqrt(norm2);
}

void LoraModel::adamw_step(double lr, double weight_decay, double grad_scale, int step) {
  const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  const double bc1 = 1.0 - std::pow(beta1, step), bc2 = 1.0 - std::pow(beta2, step);
  Impl& d = *impl_;
  for_each_host_param(params_, d.grad_of, d.adam_m, d.adam_v, true,
                      [&](float* p, const float* gr, float* m, float* v, size_t n) {
                        for (size_t i = 0; i < n; ++i) {
                          const double g = gr[i] * grad_scale;
                          m[i] = static_cast<float>(beta1 * m[i] + (1 - beta1) * g);
                          v[i] = static_cast<float>(beta2 * v[i] + (1 - beta2) * g * g);
                          const double mh = m[i] / bc1, vh = v[i] / bc2;
                          p[i] = static_cast<float>(p[i] - lr * (mh / (std::sqrt(vh) + eps) + weight_decay * p[i]));
                        }
                      });
}

Status LoraModel::write_state(const std::string& path, const std::function<void(gguf_context*)>& add_meta) const {
  const Impl& d = *impl_;
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_empty());
  if (add_meta) add_meta(g.get());
  // Tensors that point at the state where it lies (host memory on the CPU),
  // or at one host copy of the adapter otherwise.
  ggml_init_params ip{3 * params_.size() * ggml_tensor_overhead() + 1024, nullptr, /*no_alloc=*/true};
  ggml_context* ctx = ggml_init(ip);
  std::vector<float> copy;
  const bool host = d.abuf && ggml_backend_buffer_is_host(d.abuf);
  if (!host) copy = get_parameters();
  size_t off = 0;
  for (ggml_tensor* p : params_) {
    const auto n = static_cast<size_t>(ggml_nelements(p));
    const std::pair<const char*, float*> parts[] = {{"", host ? static_cast<float*>(p->data) : copy.data() + off},
                                                    {".adam_m", const_cast<float*>(d.adam_m.data()) + off},
                                                    {".adam_v", const_cast<float*>(d.adam_v.data()) + off}};
    for (const auto& [suffix, data] : parts) {
      ggml_tensor* t = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, static_cast<int64_t>(n));
      ggml_format_name(t, "%s%s", ggml_get_name(p), suffix);
      t->data = data;  // read only, by the writer
      gguf_add_tensor(g.get(), t);
    }
    off += n;
  }
  const std::string tmp = path + ".tmp";
  const bool ok = gguf_write_to_file(g.get(), tmp.c_str(), false);
  ggml_free(ctx);
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) return internal_error("cannot write checkpoint " + path);
  return Status();
}

Result<gguf_context*> LoraModel::read_state(const std::string& path) {
  Impl& d = *impl_;
  ggml_context* meta = nullptr;
  gguf_init_params gp{/*no_alloc=*/true, &meta};
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_from_file(path.c_str(), gp));
  if (!g) return not_found("--resume: no readable checkpoint at " + path);
  struct MetaFree {
    ggml_context* c;
    ~MetaFree() { ggml_free(c); }
  } meta_guard{meta};
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return not_found("--resume: cannot open " + path);
  const size_t data_offset = gguf_get_data_offset(g.get());
  std::vector<float> buf;
  bool ok = true;
  size_t off = 0;
  for (ggml_tensor* p : params_) {
    const auto n = static_cast<size_t>(ggml_nelements(p));
    const std::string name = ggml_get_name(p);
    for (const char* suffix : {"", ".adam_m", ".adam_v"}) {
      const int64_t id = gguf_find_tensor(g.get(), (name + suffix).c_str());
      ggml_tensor* t = ok && id >= 0 ? ggml_get_tensor(meta, (name + suffix).c_str()) : nullptr;
      ok = t && t->type == GGML_TYPE_F32 && static_cast<size_t>(ggml_nelements(t)) == n;
      if (!ok) break;
      float* dst = std::strcmp(suffix, ".adam_m") == 0   ? d.adam_m.data() + off
                   : std::strcmp(suffix, ".adam_v") == 0 ? d.adam_v.data() + off
                                                         : nullptr;
      if (!dst) {
        buf.resize(n);
        dst = buf.data();
      }
      ok = std::fseek(f, static_cast<long>(data_offset + gguf_get_tensor_offset(g.get(), id)), SEEK_SET) == 0 &&
           std::fread(dst, sizeof(float), n, f) == n;
      if (!ok) break;
      if (dst == buf.data()) ggml_backend_tensor_set(p, buf.data(), 0, n * sizeof(float));
    }
    if (!ok) break;
    off += n;
  }
  std::fclose(f);
  if (!ok) return invalid_argument("--resume: checkpoint " + path + " does not match this adapter's shape");
  return g.release();
}

Status LoraModel::save_adapter(const std::string& path) const {
  const Impl& d = *impl_;
  if (params_.empty()) return invalid_argument("no adapter to save");
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_empty());
  gguf_set_val_str(g.get(), "general.architecture", shape_.arch.c_str());
  gguf_set_val_str(g.get(), "general.type", "adapter");
  gguf_set_val_str(g.get(), "general.name", "t2sql-lora");
  gguf_set_val_str(g.get(), "adapter.type", "lora");
  gguf_set_val_f32(g.get(), "adapter.lora.alpha", config_.alpha);
  gguf_set_val_u32(g.get(), "t2sql.lora.rank", static_cast<uint32_t>(config_.rank));
  // The writer reads the adapter where it lies when that is host memory (the
  // CPU backend); otherwise from one host copy.
  const bool on_host = d.abuf && ggml_backend_buffer_is_host(d.abuf);
  size_t bytes = 0;
  if (!on_host)
    for (ggml_tensor* p : params_) bytes += ggml_nbytes(p);
  ggml_init_params ip{params_.size() * ggml_tensor_overhead() + bytes + 1024, nullptr, /*no_alloc=*/on_host};
  ggml_context* host = ggml_init(ip);
  for (ggml_tensor* p : params_) {
    if (on_host) {
      gguf_add_tensor(g.get(), p);
      continue;
    }
    ggml_tensor* c = ggml_dup_tensor(host, p);
    ggml_set_name(c, ggml_get_name(p));
    ggml_backend_tensor_get(p, c->data, 0, ggml_nbytes(p));
    gguf_add_tensor(g.get(), c);
  }
  const std::string tmp = path + ".tmp";
  const bool ok = gguf_write_to_file(g.get(), tmp.c_str(), false);
  ggml_free(host);
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) return internal_error("cannot write the adapter to " + path);
  return Status();
}

Status LoraModel::load_adapter(const std::string& path) {
  ggml_context* meta = nullptr;
  gguf_init_params gp{/*no_alloc=*/false, &meta};
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_from_file(path.c_str(), gp));
  if (!g) return invalid_argument("not a GGUF adapter: " + path);
  for (ggml_tensor* p : params_) {
    ggml_tensor* t = ggml_get_tensor(meta, ggml_get_name(p));
    if (!t || !ggml_are_same_shape(t, p) || t->type != GGML_TYPE_F32) {
      ggml_free(meta);
      return invalid_argument("adapter " + path + " does not match: tensor " + ggml_get_name(p));
    }
    ggml_backend_tensor_set(p, t->data, 0, ggml_nbytes(p));
  }
  ggml_free(meta);
  return Status();
}

}  // namespace t2sql::train
