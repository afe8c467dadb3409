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

#include "llm/llama_runtime.h"

namespace t2sql::train {
namespace {

constexpr int kMaxNodes = 65536;

struct Layer {
  ggml_tensor *attn_norm = nullptr, *ffn_norm = nullptr;
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

  ~Impl() {
    if (sched) ggml_backend_sched_free(sched);
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
  if (s.arch != "llama" && s.arch != "qwen2" && s.arch != "mistral")
    return invalid_argument("cannot train '" + path + "': architecture '" + s.arch +
                            "' is not supported by the trainer (supported: llama, mistral, qwen2)");
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
  s.rope_mode = s.arch == "qwen2" ? 2 : 0;
  if (s.n_embd <= 0 || s.n_layer <= 0 || s.n_head <= 0 || s.n_head_kv <= 0 || s.n_embd % s.n_head != 0)
    return invalid_argument("cannot train '" + path + "': missing or inconsistent hyper-parameters in its metadata");
  s.n_rot = static_cast<int>(num_key(a + ".rope.dimension_count", s.n_embd / s.n_head));
  if (s.n_rot != s.n_embd / s.n_head)
    return invalid_argument("cannot train '" + path + "': partial rotary embeddings are not supported by the trainer");

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

  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return not_found("cannot open " + path);
  std::vector<uint8_t> staging;
  const size_t data_offset = gguf_get_data_offset(g.get());
  bool read_ok = true;
  for (int64_t i = 0; i < gguf_get_n_tensors(g.get()) && read_ok; ++i) {
    ggml_tensor* t = d.get(gguf_get_tensor_name(g.get(), i));
    const size_t n = ggml_nbytes(t);
    staging.resize(n);
    read_ok = std::fseek(f, static_cast<long>(data_offset + gguf_get_tensor_offset(g.get(), i)), SEEK_SET) == 0 &&
              std::fread(staging.data(), 1, n, f) == n;
    if (read_ok) ggml_backend_tensor_set(t, staging.data(), 0, n);
  }
  std::fclose(f);
  if (!read_ok) return invalid_argument("truncated model file: " + path);

  std::vector<ggml_backend_t> backends;
  if (d.gpu) backends.push_back(d.gpu);
  backends.push_back(d.cpu);
  d.sched = ggml_backend_sched_new(backends.data(), nullptr, static_cast<int>(backends.size()), kMaxNodes,
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

Result<double> LoraModel::compute(const TokenBatch& batch, std::vector<float>* grads, uint64_t dropout_seed,
                                  float grad_weight) {
  Impl& d = *impl_;
  const ModelShape& s = shape_;
  const int T = batch.n_tokens, B = batch.n_seq, N = T * B;
  const int n_scored = static_cast<int>(batch.scored.size());
  if (T <= 0 || B <= 0 || static_cast<int>(batch.tokens.size()) != N) return invalid_argument("bad token batch");
  if (n_scored == 0 || batch.targets.size() != batch.scored.size()) return invalid_argument("batch scores nothing");
  const bool train = grads != nullptr;
  const float p_drop = train ? config_.dropout : 0.0f;
  const int hd = s.n_embd / s.n_head;

  ggml_init_params ip{kMaxNodes * ggml_tensor_overhead() + 3 * ggml_graph_overhead_custom(kMaxNodes, true), nullptr,
                      /*no_alloc=*/true};
  ggml_context* ctx = ggml_init(ip);
  struct CtxFree {
    ggml_context* c;
    ~CtxFree() { ggml_free(c); }
  } ctx_guard{ctx};

  // Dropout masks: only their streams until the graph is allocated, then
  // drawn one at a time, so that no host copy of them all coexists with the
  // compute buffer.
  std::vector<std::pair<ggml_tensor*, uint64_t>> host_inputs;
  auto input_f32 = [&](int64_t ne0, int64_t ne1) {
    ggml_tensor* t = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, ne0, ne1);
    ggml_set_input(t);
    return t;
  };
  ggml_tensor* tokens = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, N);
  ggml_set_input(tokens);
  ggml_tensor* pos = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, T);
  ggml_set_input(pos);
  ggml_tensor* mask = input_f32(T, T);
  ggml_tensor* rows = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, n_scored);
  ggml_set_input(rows);
  ggml_tensor* labels = input_f32(s.n_vocab, n_scored);

  uint64_t mask_counter = 0;
  auto dropout_mask = [&](int64_t dim) -> ggml_tensor* {
    ggml_tensor* t = input_f32(dim, N);
    host_inputs.emplace_back(t, splitmix64(dropout_seed ^ splitmix64(++mask_counter)));
    return t;
  };

  const float lora_scale = config_.alpha / static_cast<float>(config_.rank);
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

  ggml_tensor* inpL = ggml_get_rows(ctx, d.tok_embd, tokens);  // [n_embd, N]
  const float kq_scale = s.attn_scale != 0.0f ? s.attn_scale : 1.0f / std::sqrt(static_cast<float>(hd));
  for (int il = 0; il < s.n_layer; ++il) {
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
    ggml_tensor* cur = ggml_mul(ctx, ggml_rms_norm(ctx, inpL, s.rms_eps), L.attn_norm);
    ggml_tensor* drop_attn = p_drop > 0 && needs({"q", "k", "v"}) ? dropout_mask(s.n_embd) : nullptr;
    ggml_tensor* q = linear(L.wq, L.bq, L.sq, pair("q"), cur, drop_attn);
    ggml_tensor* k = linear(L.wk, L.bk, L.sk, pair("k"), cur, drop_attn);
    ggml_tensor* v = linear(L.wv, L.bv, L.sv, pair("v"), cur, drop_attn);
    q = ggml_reshape_4d(ctx, q, hd, s.n_head, T, B);
    k = ggml_reshape_4d(ctx, k, hd, s.n_head_kv, T, B);
    v = ggml_reshape_4d(ctx, v, hd, s.n_head_kv, T, B);
    q = ggml_rope_ext(ctx, q, pos, d.rope_freqs, s.n_rot, s.rope_mode, s.n_ctx_train, s.rope_freq_base,
                      s.rope_freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
    k = ggml_rope_ext(ctx, k, pos, d.rope_freqs, s.n_rot, s.rope_mode, s.n_ctx_train, s.rope_freq_base,
                      s.rope_freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
    ggml_tensor* qp = ggml_permute(ctx, q, 0, 2, 1, 3);               // [hd, T, nh, B]
    ggml_tensor* kp = ggml_cont(ctx, ggml_permute(ctx, k, 0, 2, 1, 3));  // [hd, T, nkv, B]
    ggml_tensor* kq = ggml_mul_mat(ctx, kp, qp);                       // [T_k, T_q, nh, B]
    kq = ggml_soft_max_ext(ctx, kq, mask, kq_scale, 0.0f);
    ggml_tensor* vt = ggml_cont(ctx, ggml_permute(ctx, v, 1, 2, 0, 3));  // [T, hd, nkv, B]
    ggml_tensor* kqv = ggml_mul_mat(ctx, vt, kq);                       // [hd, T_q, nh, B]
    kqv = ggml_cont(ctx, ggml_permute(ctx, kqv, 0, 2, 1, 3));           // [hd, nh, T, B]
    cur = ggml_reshape_2d(ctx, kqv, hd * s.n_head, N);
    ggml_tensor* drop_o = p_drop > 0 && pair("o") ? dropout_mask(hd * s.n_head) : nullptr;
    cur = linear(L.wo, L.bo, L.so, pair("o"), cur, drop_o);
    ggml_tensor* ffn_inp = ggml_add(ctx, cur, inpL);
    cur = ggml_mul(ctx, ggml_rms_norm(ctx, ffn_inp, s.rms_eps), L.ffn_norm);
    ggml_tensor* drop_ffn = p_drop > 0 && needs({"gate", "up"}) ? dropout_mask(s.n_embd) : nullptr;
    ggml_tensor* up = linear(L.up, L.bup, L.sup, pair("up"), cur, drop_ffn);
    ggml_tensor* gate = linear(L.gate, L.bgate, L.sgate, pair("gate"), cur, drop_ffn);
    cur = ggml_mul(ctx, ggml_silu(ctx, gate), up);
    ggml_tensor* drop_down = p_drop > 0 && pair("down") ? dropout_mask(s.n_ff) : nullptr;
    cur = linear(L.down, L.bdown, L.sdown, pair("down"), cur, drop_down);
    inpL = ggml_add(ctx, cur, ffn_inp);
  }
  ggml_tensor* out = ggml_mul(ctx, ggml_rms_norm(ctx, inpL, s.rms_eps), d.output_norm);
  // Only the scored positions go through the (large) output layer.
  out = ggml_get_rows(ctx, out, rows);
  ggml_tensor* logits = linear(d.output, d.output_b, nullptr, d.output_lora.a ? &d.output_lora : nullptr, out, nullptr);
  ggml_tensor* loss = ggml_cross_entropy_loss(ctx, logits, labels);
  ggml_set_output(loss);

  ggml_cgraph* graph = ggml_new_graph_custom(ctx, kMaxNodes, /*grads=*/train);
  ggml_build_forward_expand(graph, loss);
  std::vector<ggml_tensor*> param_grads;
  if (train) {
    ggml_set_loss(loss);
    if (params_.empty()) return invalid_argument("no adapter to train");
    ggml_cgraph* gb = ggml_graph_dup(ctx, graph, /*force_grads=*/true);
    ggml_build_backward_expand(ctx, gb, nullptr);
    for (ggml_tensor* p : params_) {
      ggml_tensor* gp = ggml_graph_get_grad(gb, p);
      if (gp) ggml_set_output(gp);
      param_grads.push_back(gp);
    }
    graph = gb;
  }

  ggml_backend_sched_reset(d.sched);
  if (!ggml_backend_sched_alloc_graph(d.sched, graph))
    return resource_exhausted("cannot allocate the compute graph (batch " + std::to_string(B) + " x " +
                              std::to_string(T) + " tokens)");

  ggml_backend_tensor_set(tokens, batch.tokens.data(), 0, ggml_nbytes(tokens));
  std::vector<int32_t> positions(static_cast<size_t>(T));
  for (int i = 0; i < T; ++i) positions[static_cast<size_t>(i)] = i;
  ggml_backend_tensor_set(pos, positions.data(), 0, ggml_nbytes(pos));
  std::vector<float> mask_v(static_cast<size_t>(T) * T);
  for (int iq = 0; iq < T; ++iq)
    for (int ik = 0; ik < T; ++ik) mask_v[static_cast<size_t>(iq) * T + ik] = ik <= iq ? 0.0f : -INFINITY;
  ggml_backend_tensor_set(mask, mask_v.data(), 0, ggml_nbytes(mask));
  ggml_backend_tensor_set(rows, batch.scored.data(), 0, ggml_nbytes(rows));
  {
    std::vector<float> lab(static_cast<size_t>(s.n_vocab) * n_scored, 0.0f);
    for (int i = 0; i < n_scored; ++i) {
      const int32_t t = batch.targets[static_cast<size_t>(i)];
      if (t < 0 || t >= s.n_vocab) return invalid_argument("token id out of the model's vocabulary");
      lab[static_cast<size_t>(i) * s.n_vocab + t] = 1.0f;
    }
    ggml_backend_tensor_set(labels, lab.data(), 0, ggml_nbytes(labels));
  }
  {
    std::vector<float> v;
    const float keep = 1.0f / (1.0f - p_drop);
    for (const auto& [t, stream] : host_inputs) {
      v.resize(static_cast<size_t>(ggml_nelements(t)));
      for (size_t i = 0; i < v.size(); ++i) {
        const double u = static_cast<double>(splitmix64(stream + i) >> 11) * 0x1.0p-53;
        v[i] = u < p_drop ? 0.0f : keep;
      }
      ggml_backend_tensor_set(t, v.data(), 0, ggml_nbytes(t));
    }
  }
  if (train) ggml_graph_reset(graph);

  if (ggml_backend_sched_graph_compute(d.sched, graph) != GGML_STATUS_SUCCESS)
    return internal_error("the compute graph failed");
  float loss_v = 0;
  ggml_backend_tensor_get(loss, &loss_v, 0, sizeof(float));
  if (train) {
    // Accumulated one tensor at a time: no second full-size host copy.
    if (grads->size() != static_cast<size_t>(adapter_parameter_count()))
      grads->assign(static_cast<size_t>(adapter_parameter_count()), 0.0f);
    std::vector<float> tmp;
    size_t off = 0;
    for (size_t i = 0; i < params_.size(); ++i) {
      const auto n = static_cast<size_t>(ggml_nelements(params_[i]));
      if (param_grads[i]) {
        tmp.resize(n);
        ggml_backend_tensor_get(param_grads[i], tmp.data(), 0, n * sizeof(float));
        for (size_t k = 0; k < n; ++k) (*grads)[off + k] += grad_weight * tmp[k];
      }
      off += n;
    }
  }
  return static_cast<double>(loss_v);
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
  size_t bytes = 0;
  for (ggml_tensor* p : params_) bytes += ggml_nbytes(p);
  ggml_init_params ip{params_.size() * ggml_tensor_overhead() + bytes + 1024, nullptr, false};
  ggml_context* host = ggml_init(ip);
  for (ggml_tensor* p : params_) {
    ggml_tensor* c = ggml_dup_tensor(host, p);
    ggml_set_name(c, ggml_get_name(p));
    ggml_backend_tensor_get(p, c->data, 0, ggml_nbytes(p));
    gguf_add_tensor(g.get(), c);
  }
  (void)d;
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
