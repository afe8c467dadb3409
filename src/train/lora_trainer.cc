// train_lora: the training loop. Deterministic by construction so that
// --resume reaches the same adapter as an uninterrupted run: the data order
// of epoch e is a shuffle seeded by (seed, e), dropout masks are seeded by
// (seed, step, micro-batch), the optimiser (AdamW) runs on the host over
// plain float vectors, and a checkpoint holds parameters, both moments, the
// step and the log so far, written atomically (tmp + rename).
#include <ggml.h>
#include <gguf.h>
#include <llama.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <sstream>

#include "t2sql/train.h"
#include "llm/llama_runtime.h"
#include "train/lora_model.h"
#include "train/loss_plot.h"
#include "train/training_data.h"
#include "train/training_text.h"

namespace t2sql {
namespace {

using nlohmann::json;
using train::LoraModel;
using train::TokenBatch;
using train::TrainingExample;
namespace fs = std::filesystem;

struct Tokenized {
  std::vector<int32_t> tokens;
  int prompt_len = 0;  // tokens [prompt_len, size) are the answer (+ eos)
};

struct GgufFree {
  void operator()(gguf_context* c) const { gguf_free(c); }
};

size_t peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<size_t>(ru.ru_maxrss) * 1024;
}

std::string stem_of(const std::string& out_path) {
  std::string s = out_path;
  for (const char* ext : {".gguf", ".GGUF"}) {
    const size_t n = std::strlen(ext);
    if (s.size() > n && s.compare(s.size() - n, n, ext) == 0) return s.substr(0, s.size() - n);
  }
  return s;
}

// Tokenizes with the base model's own vocabulary.
class Tokenizer {
 public:
  ~Tokenizer() {
    if (model_) llama_model_free(model_);
  }
  Status open(const std::string& path) {
    llama_runtime_init();
    llama_model_params p = llama_model_default_params();
    p.vocab_only = true;
    p.n_gpu_layers = 0;
    model_ = llama_model_load_from_file(path.c_str(), p);
    if (!model_) return invalid_argument("cannot read the tokenizer of " + path + ": " + llama_take_last_error());
    vocab_ = llama_model_get_vocab(model_);
    const char* tmpl = llama_model_chat_template(model_, nullptr);
    chat_template_ = tmpl ? tmpl : "";
    return Status();
  }
  std::vector<int32_t> tokenize(const std::string& text, bool add_special) const {
    std::vector<llama_token> out(text.size() + 8);
    int n = llama_tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), out.data(),
                           static_cast<int32_t>(out.size()), add_special, /*parse_special=*/true);
    if (n < 0) {
      out.resize(static_cast<size_t>(-n));
      n = llama_tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), out.data(),
                         static_cast<int32_t>(out.size()), add_special, true);
    }
    out.resize(static_cast<size_t>(std::max(0, n)));
    return out;
  }
  int32_t eos() const {
    llama_token t = llama_vocab_eot(vocab_);
    return t != LLAMA_TOKEN_NULL ? t : llama_vocab_eos(vocab_);
  }
  const std::string& chat_template() const { return chat_template_; }

 private:
  llama_model* model_ = nullptr;
  const llama_vocab* vocab_ = nullptr;
  std::string chat_template_;
};

// A fingerprint of everything that decides the training trajectory: a
// checkpoint made under other options or data must not be continued.
std::string fingerprint(const TrainOptions& o, const std::vector<Tokenized>& data) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  };
  for (const auto& t : data) {
    mix(t.tokens.data(), t.tokens.size() * sizeof(int32_t));
    mix(&t.prompt_len, sizeof(int));
  }
  json j = {{"rank", o.rank},         {"alpha", o.alpha},           {"dropout", o.dropout},
            {"targets", o.targets},   {"lr", o.learning_rate},      {"warmup", o.warmup_steps},
            {"schedule", o.schedule}, {"wd", o.weight_decay},       {"clip", o.max_grad_norm},
            {"batch", o.batch_size},  {"accum", o.grad_accum},      {"epochs", o.epochs},
            {"max_steps", o.max_steps}, {"seed", o.seed},           {"max_seq_len", o.max_seq_len},
            {"format", o.prompt_format}, {"data", std::to_string(h)}};
  return j.dump();
}

double learning_rate_at(const TrainOptions& o, int step, int total, int warmup) {
  // step is 1-based.
  if (warmup > 0 && step <= warmup) return o.learning_rate * static_cast<double>(step) / warmup;
  const int decay_steps = std::max(1, total - warmup);
  const double progress = std::clamp(static_cast<double>(step - warmup) / decay_steps, 0.0, 1.0);
  if (o.schedule == "linear") return o.learning_rate * (1.0 - progress);
  if (o.schedule == "constant") return o.learning_rate;
  return o.learning_rate * 0.5 * (1.0 + std::cos(M_PI * progress));
}

// The micro-batch of `ids`: right-padded to the longest, rounded up to 8 so
// that graphs of few distinct sizes repeat.
TokenBatch make_batch(const std::vector<Tokenized>& data, const std::vector<int>& ids, int32_t pad) {
  TokenBatch b;
  b.n_seq = static_cast<int>(ids.size());
  int longest = 1;
  for (int id : ids) longest = std::max(longest, static_cast<int>(data[static_cast<size_t>(id)].tokens.size()));
  b.n_tokens = (longest + 7) / 8 * 8;
  b.tokens.assign(static_cast<size_t>(b.n_tokens) * b.n_seq, pad);
  for (int s = 0; s < b.n_seq; ++s) {
    const Tokenized& t = data[static_cast<size_t>(ids[static_cast<size_t>(s)])];
    std::copy(t.tokens.begin(), t.tokens.end(), b.tokens.begin() + static_cast<ptrdiff_t>(s) * b.n_tokens);
    b.n_real += static_cast<int>(t.tokens.size());
    // Position i predicts token i+1; score where token i+1 is part of the answer.
    for (int i = std::max(0, t.prompt_len - 1); i + 1 < static_cast<int>(t.tokens.size()); ++i) {
      b.scored.push_back(s * b.n_tokens + i);
      b.targets.push_back(t.tokens[static_cast<size_t>(i) + 1]);
    }
  }
  return b;
}

struct Checkpoint {
  int step = 0;
  std::string fingerprint;
  json log;
  std::vector<float> params, m, v;
};

// Writes the trainer's own vectors: the tensors only point at them (a context
// without data), so a checkpoint costs no copy of the parameters or moments
// beyond the writer's one-tensor buffer.
Status write_checkpoint(const std::string& path, int step, const std::string& fingerprint, const json& log_json,
                        const std::vector<float>& params, const std::vector<float>& m, const std::vector<float>& v) {
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_empty());
  gguf_set_val_str(g.get(), "general.type", "t2sql-train-checkpoint");
  gguf_set_val_u32(g.get(), "t2sql.ckpt.step", static_cast<uint32_t>(step));
  gguf_set_val_str(g.get(), "t2sql.ckpt.fingerprint", fingerprint.c_str());
  const std::string log = log_json.dump();
  gguf_set_val_str(g.get(), "t2sql.ckpt.log", log.c_str());
  const size_t n = params.size();
  ggml_init_params ip{3 * ggml_tensor_overhead() + 1024, nullptr, /*no_alloc=*/true};
  ggml_context* ctx = ggml_init(ip);
  const std::pair<const char*, const std::vector<float>*> parts[] = {{"params", &params}, {"adam_m", &m}, {"adam_v", &v}};
  for (const auto& [name, vec] : parts) {
    ggml_tensor* t = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, static_cast<int64_t>(n));
    ggml_set_name(t, name);
    t->data = const_cast<float*>(vec->data());  // read only, by the writer
    gguf_add_tensor(g.get(), t);
  }
  const std::string tmp = path + ".tmp";
  const bool ok = gguf_write_to_file(g.get(), tmp.c_str(), false);
  ggml_free(ctx);
  std::error_code ec;
  if (ok) fs::rename(tmp, path, ec);
  if (!ok || ec) return internal_error("cannot write checkpoint " + path);
  return Status();
}

Result<Checkpoint> read_checkpoint(const std::string& path, size_t n_params) {
  ggml_context* ctx = nullptr;
  gguf_init_params gp{false, &ctx};
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_from_file(path.c_str(), gp));
  if (!g) return not_found("--resume: no readable checkpoint at " + path);
  Checkpoint c;
  const int64_t ks = gguf_find_key(g.get(), "t2sql.ckpt.step");
  const int64_t kf = gguf_find_key(g.get(), "t2sql.ckpt.fingerprint");
  const int64_t kl = gguf_find_key(g.get(), "t2sql.ckpt.log");
  if (ks < 0 || kf < 0 || kl < 0) {
    ggml_free(ctx);
    return invalid_argument("--resume: " + path + " is not a t2sql checkpoint");
  }
  c.step = static_cast<int>(gguf_get_val_u32(g.get(), ks));
  c.fingerprint = gguf_get_val_str(g.get(), kf);
  c.log = json::parse(gguf_get_val_str(g.get(), kl), nullptr, false);
  for (auto [name, vec] : {std::pair{"params", &c.params}, std::pair{"adam_m", &c.m}, std::pair{"adam_v", &c.v}}) {
    ggml_tensor* t = ggml_get_tensor(ctx, name);
    if (!t || static_cast<size_t>(ggml_nelements(t)) != n_params) {
      ggml_free(ctx);
      return invalid_argument("--resume: checkpoint " + path + " does not match this adapter's shape");
    }
    vec->assign(static_cast<const float*>(t->data), static_cast<const float*>(t->data) + n_params);
  }
  ggml_free(ctx);
  return c;
}

Status write_text(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) return internal_error("cannot write " + path);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return ec ? internal_error("cannot write " + path) : Status();
}

}  // namespace

Result<TrainReport> train_lora(const TrainOptions& o) {
  const auto t_start = std::chrono::steady_clock::now();
  if (o.out_path.empty()) return invalid_argument("train: --out is required");
  if (o.batch_size <= 0 || o.grad_accum <= 0) return invalid_argument("train: batch and grad-accum must be positive");
  if (o.epochs <= 0 && o.max_steps <= 0) return invalid_argument("train: give --epochs or --max-steps");
  if (!(o.learning_rate > 0)) return invalid_argument("train: the learning rate must be positive");
  if (o.schedule != "cosine" && o.schedule != "linear" && o.schedule != "constant")
    return invalid_argument("train: --schedule must be cosine, linear or constant");
  if (o.prompt_format != "sql-create-context" && o.prompt_format != "chat")
    return invalid_argument("train: --format must be sql-create-context or chat");
  if (o.max_seq_len < 16) return invalid_argument("train: --max-seq-len must be at least 16");

  auto files = train::resolve_data_files(o.data_path, o.valid_path);
  if (!files.ok()) return files.status();

  // Refuse an untrainable base before reading the data.
  auto model_r = LoraModel::load(o.base_path, o.threads, o.gpu);
  if (!model_r.ok()) return model_r.status();
  std::unique_ptr<LoraModel> model = std::move(*model_r);
  train::LoraConfig lc{o.rank, o.alpha, o.dropout, o.targets, o.seed};
  if (Status s = model->init_adapter(lc); !s.ok()) return s;

  Tokenizer tok;
  if (Status s = tok.open(o.base_path); !s.ok()) return s;

  TrainReport report;
  auto warn = [&](const std::string& m) {
    if (o.on_warning) o.on_warning(m);
  };
  auto load_set = [&](const std::string& path, std::vector<Tokenized>* out) -> Status {
    auto loaded = train::load_jsonl(path, o.reject_bad_lines);
    if (!loaded.ok()) return loaded.status();
    for (const auto& p : loaded->problems) {
      warn("skipped " + p.to_string());
      ++report.n_skipped;
    }
    for (const TrainingExample& ex : loaded->examples) {
      const train::TrainingText text = train::make_training_text(ex, o.prompt_format, tok.chat_template(), o.dialect);
      Tokenized t;
      t.tokens = tok.tokenize(text.prompt, /*add_special=*/true);
      t.prompt_len = static_cast<int>(t.tokens.size());
      const auto answer = tok.tokenize(text.answer, /*add_special=*/false);
      t.tokens.insert(t.tokens.end(), answer.begin(), answer.end());
      if (text.add_eos) t.tokens.push_back(tok.eos());
      if (static_cast<int>(t.tokens.size()) > o.max_seq_len) {
        if (o.reject_bad_lines)
          return invalid_argument(ex.source + ": " + std::to_string(t.tokens.size()) +
                                  " tokens, longer than --max-seq-len " + std::to_string(o.max_seq_len));
        warn("skipped " + ex.source + ": " + std::to_string(t.tokens.size()) + " tokens, longer than --max-seq-len " +
             std::to_string(o.max_seq_len));
        ++report.n_skipped;
        continue;
      }
      out->push_back(std::move(t));
    }
    return Status();
  };
  std::vector<Tokenized> train_set, valid_set;
  if (Status s = load_set(files->train, &train_set); !s.ok()) return s;
  if (!files->valid.empty())
    if (Status s = load_set(files->valid, &valid_set); !s.ok()) return s;
  if (train_set.empty()) return invalid_argument("train: no usable training examples in " + files->train);
  if (static_cast<int>(valid_set.size()) > o.max_eval_examples) valid_set.resize(static_cast<size_t>(o.max_eval_examples));
  report.n_train = static_cast<int>(train_set.size());
  report.n_valid = static_cast<int>(valid_set.size());
  report.trainable_parameters = model->adapter_parameter_count();

  const int per_step = o.batch_size * o.grad_accum;
  const int n = static_cast<int>(train_set.size());
  const int total_steps =
      o.max_steps > 0 ? o.max_steps : static_cast<int>((static_cast<int64_t>(o.epochs) * n + per_step - 1) / per_step);
  const int warmup = o.warmup_steps >= 0 ? o.warmup_steps : static_cast<int>(std::ceil(0.03 * total_steps));
  report.total_steps = total_steps;

  const std::string stem = stem_of(o.out_path);
  report.adapter_path = o.out_path;
  report.log_path = stem + ".log.json";
  report.plot_path = stem + ".loss.svg";
  report.checkpoint_path = stem + ".ckpt.gguf";
  std::error_code ec;
  if (fs::path(o.out_path).has_parent_path()) fs::create_directories(fs::path(o.out_path).parent_path(), ec);

  // The stream of example ids: epoch after epoch, each shuffled by (seed, epoch).
  std::vector<int> order;
  int order_epoch = -1;
  auto example_at = [&](int64_t k) {
    const int epoch = static_cast<int>(k / n);
    if (epoch != order_epoch) {
      order.resize(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      std::mt19937_64 rng((static_cast<uint64_t>(o.seed) << 32) ^ static_cast<uint64_t>(epoch + 1));
      for (int i = n - 1; i > 0; --i) {  // Fisher-Yates with our own draws: the same order on every libstdc++
        const int j = static_cast<int>(rng() % static_cast<uint64_t>(i + 1));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
      }
      order_epoch = epoch;
    }
    return order[static_cast<size_t>(k % n)];
  };

  const std::string fp = fingerprint(o, train_set);
  std::vector<float> params = model->get_parameters();
  std::vector<float> adam_m(params.size(), 0.0f), adam_v(params.size(), 0.0f);
  json log = {{"base", o.base_path},
              {"adapter", o.out_path},
              {"options", json::parse(fp)},
              {"n_train", report.n_train},
              {"n_valid", report.n_valid},
              {"trainable_parameters", report.trainable_parameters},
              {"steps", json::array()},
              {"eval", json::array()}};
  int start_step = 0;
  if (o.resume) {
    auto c = read_checkpoint(report.checkpoint_path, params.size());
    if (!c.ok()) return c.status();
    if (c->fingerprint != fp)
      return invalid_argument("--resume: the checkpoint " + report.checkpoint_path +
                              " was made with other options or data; run without --resume to start over");
    params = std::move(c->params);
    adam_m = std::move(c->m);
    adam_v = std::move(c->v);
    model->set_parameters(params);
    start_step = c->step;
    if (c->log.is_object()) log = c->log;
    report.resumed_from = start_step;
  }

  const int32_t pad = tok.eos();
  auto evaluate = [&]() -> Result<double> {
    double sum = 0;
    int64_t count = 0;
    for (size_t i = 0; i < valid_set.size(); i += static_cast<size_t>(o.batch_size)) {
      std::vector<int> ids;
      for (size_t j = i; j < std::min(valid_set.size(), i + static_cast<size_t>(o.batch_size)); ++j)
        ids.push_back(static_cast<int>(j));
      TokenBatch b = make_batch(valid_set, ids, pad);
      auto l = model->compute(b, nullptr, 0);
      if (!l.ok()) return l.status();
      sum += *l * static_cast<double>(b.scored.size());
      count += static_cast<int64_t>(b.scored.size());
    }
    return count ? sum / static_cast<double>(count) : -1.0;
  };
  auto write_log = [&]() {
    write_text(report.log_path, log.dump(1));
    std::vector<std::pair<int, double>> tr, va;
    for (const auto& s : log["steps"]) tr.emplace_back(s["step"].get<int>(), s["loss"].get<double>());
    for (const auto& s : log["eval"]) va.emplace_back(s["step"].get<int>(), s["val_loss"].get<double>());
    write_text(report.plot_path, train::loss_curve_svg(tr, va, "t2sql LoRA training loss"));
  };

  const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double tokens_done = 0;
  const auto t_loop = std::chrono::steady_clock::now();
  std::vector<float> step_grads(params.size());
  double last_loss = 0, last_val = -1;
  for (int step = start_step + 1; step <= total_steps; ++step) {
    // One optimiser step: grad_accum micro-batches, gradients weighted by
    // their scored tokens so that the step's loss is a mean over all of them.
    std::vector<TokenBatch> micro;
    int64_t scored_total = 0;
    for (int a = 0; a < o.grad_accum; ++a) {
      std::vector<int> ids;
      for (int b = 0; b < o.batch_size; ++b)
        ids.push_back(example_at(static_cast<int64_t>(step - 1) * per_step + a * o.batch_size + b));
      micro.push_back(make_batch(train_set, ids, pad));
      scored_total += static_cast<int64_t>(micro.back().scored.size());
    }
    std::fill(step_grads.begin(), step_grads.end(), 0.0f);
    double step_loss = 0;
    for (size_t a = 0; a < micro.size(); ++a) {
      const uint64_t dseed = (static_cast<uint64_t>(o.seed) << 32) ^ (static_cast<uint64_t>(step) * 64 + a);
      const double w = static_cast<double>(micro[a].scored.size()) / static_cast<double>(scored_total);
      auto l = model->compute(micro[a], &step_grads, dseed, static_cast<float>(w));
      if (!l.ok()) return l.status();
      step_loss += *l * w;
      tokens_done += static_cast<double>(micro[a].n_real);
    }
    if (!std::isfinite(step_loss)) return internal_error("train: the loss diverged at step " + std::to_string(step));
    double norm2 = 0;
    for (float g : step_grads) norm2 += static_cast<double>(g) * g;
    const double norm = std::sqrt(norm2);
    const double clip = o.max_grad_norm > 0 && norm > o.max_grad_norm ? o.max_grad_norm / (norm + 1e-6) : 1.0;
    const double lr = learning_rate_at(o, step, total_steps, warmup);
    const double bc1 = 1.0 - std::pow(beta1, step), bc2 = 1.0 - std::pow(beta2, step);
    for (size_t i = 0; i < params.size(); ++i) {
      const double g = step_grads[i] * clip;
      adam_m[i] = static_cast<float>(beta1 * adam_m[i] + (1 - beta1) * g);
      adam_v[i] = static_cast<float>(beta2 * adam_v[i] + (1 - beta2) * g * g);
      const double mh = adam_m[i] / bc1, vh = adam_v[i] / bc2;
      params[i] = static_cast<float>(params[i] - lr * (mh / (std::sqrt(vh) + eps) + o.weight_decay * params[i]));
    }
    model->set_parameters(params);
    last_loss = step_loss;

    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_loop).count();
    TrainProgress p;
    p.step = step;
    p.total_steps = total_steps;
    p.loss = step_loss;
    p.learning_rate = lr;
    p.tokens_per_s = elapsed > 0 ? tokens_done / elapsed : 0;
    p.elapsed_s = elapsed;
    p.eta_s = elapsed / (step - start_step) * (total_steps - step);
    log["steps"].push_back({{"step", step}, {"loss", step_loss}, {"lr", lr}, {"grad_norm", norm}});
    const bool do_eval = !valid_set.empty() && ((o.eval_every > 0 && step % o.eval_every == 0) || step == total_steps);
    if (do_eval) {
      auto v = evaluate();
      if (!v.ok()) return v.status();
      p.val_loss = *v;
      last_val = *v;
      log["eval"].push_back({{"step", step}, {"val_loss", *v}});
    }
    if (o.on_progress) o.on_progress(p);
    if (o.checkpoint_every > 0 && step % o.checkpoint_every == 0 && step < total_steps) {
      if (Status s = write_checkpoint(report.checkpoint_path, step, fp, log, params, adam_m, adam_v); !s.ok())
        return s;
      write_log();
    }
  }

  if (Status s = model->save_adapter(o.out_path); !s.ok()) return s;
  log["final_loss"] = last_loss;
  log["tokens_trained"] = tokens_done;
  log["train_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_loop).count();
  log["final_val_loss"] = last_val;
  write_log();
  // A finished run leaves a checkpoint at its last step, so that --resume of
  // a finished run is a no-op rather than a restart.
  if (Status s = write_checkpoint(report.checkpoint_path, total_steps, fp, log, params, adam_m, adam_v); !s.ok())
    return s;
  report.steps = total_steps;
  report.final_loss = last_loss;
  report.final_val_loss = last_val;
  const double loop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_loop).count();
  report.tokens_per_s = loop_s > 0 ? tokens_done / loop_s : 0;
  report.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  report.peak_rss_bytes = peak_rss_bytes();
  return report;
}

}  // namespace t2sql
