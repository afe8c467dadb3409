// train_lora: the training loop. Deterministic by construction so that
// --resume reaches the same adapter as an uninterrupted run: the data order
// of epoch e is a shuffle seeded by (seed, e), dropout masks are seeded by
// (seed, step, micro-batch), the optimiser (AdamW, LoraModel::adamw_step)
// runs on the host over the adapter's own memory, and a checkpoint holds
// parameters, both moments, the step and the log so far, written atomically
// (tmp + rename). The loop keeps no adapter-sized vector of its own.
#include <ggml.h>
#include <gguf.h>
#include <llama.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <sstream>

#include "format/json_text.h"
#include "t2sql/train.h"
#include "llm/llama_model.h"
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
  Status open(const std::string& path) {
    auto model = LlamaModel::load(path, {.vocab_only = true});
    if (!model.ok()) return {model.status().code(), "cannot read the tokenizer: " + model.status().message()};
    model_ = std::move(*model);
    vocab_ = model_.vocab();
    chat_template_ = model_.chat_template();
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
  LlamaModel model_;
  const llama_vocab* vocab_ = nullptr;
  std::string chat_template_;
};

// A fingerprint of everything that decides the training trajectory: a
// checkpoint made under other options or data must not be continued.
// --gradient-checkpointing, --threads and --verbose are left out: they trade
// memory and time, and change the gradients at most by float rounding.
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
  return json_text(j);
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

// The checkpoint's own keys; the adapter and AdamW state are the model's.
void add_checkpoint_meta(gguf_context* g, int step, const std::string& fingerprint, const json& log_json) {
  gguf_set_val_str(g, "general.type", "t2sql-train-checkpoint");
  gguf_set_val_u32(g, "t2sql.ckpt.step", static_cast<uint32_t>(step));
  gguf_set_val_str(g, "t2sql.ckpt.fingerprint", fingerprint.c_str());
  gguf_set_val_str(g, "t2sql.ckpt.log", json_text(log_json).c_str());
}

// Resident memory now (not the peak), for --verbose.
size_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages_total = 0, pages_resident = 0;
  in >> pages_total >> pages_resident;
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

std::string mib(size_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return b;
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
  model->set_gradient_checkpointing(o.gradient_checkpointing);
  auto info = [&](const std::string& m) {
    if (o.verbose && o.on_info) o.on_info(m);
  };
  info("after loading: resident " + mib(rss_bytes()) + "\n" + model->memory_report());

  // The tokenizer (a vocabulary-only llama.cpp model) lives only while the data is tokenized.
  auto tok_holder = std::make_unique<Tokenizer>();
  Tokenizer& tok = *tok_holder;
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
  const int32_t pad = tok.eos();
  tok_holder.reset();
#ifdef __GLIBC__
  malloc_trim(0);  // give the tokenizer's and the JSON parser's freed heap back before training
#endif
  info("after tokenizing " + std::to_string(report.n_train + report.n_valid) + " examples: resident " +
       mib(rss_bytes()));

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
    auto c = model->read_state(report.checkpoint_path);
    if (!c.ok()) return c.status();
    std::unique_ptr<gguf_context, GgufFree> meta(*c);
    const int64_t ks = gguf_find_key(meta.get(), "t2sql.ckpt.step");
    const int64_t kf = gguf_find_key(meta.get(), "t2sql.ckpt.fingerprint");
    const int64_t kl = gguf_find_key(meta.get(), "t2sql.ckpt.log");
    if (ks < 0 || kf < 0 || kl < 0)
      return invalid_argument("--resume: " + report.checkpoint_path + " is not a t2sql checkpoint");
    if (gguf_get_val_str(meta.get(), kf) != fp)
      return invalid_argument("--resume: the checkpoint " + report.checkpoint_path +
                              " was made with other options or data; run without --resume to start over");
    start_step = static_cast<int>(gguf_get_val_u32(meta.get(), ks));
    json saved_log = json::parse(gguf_get_val_str(meta.get(), kl), nullptr, false);
    if (saved_log.is_object()) log = std::move(saved_log);
    report.resumed_from = start_step;
  }

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
  // The log and the loss plot are outputs the run promises: a failure to
  // write them (a full disk, a folder made read-only) ends the run with it.
  auto write_log = [&]() -> Status {
    if (Status s = write_text(report.log_path, json_text(log, 1)); !s.ok()) return s;
    std::vector<std::pair<int, double>> tr, va;
    for (const auto& s : log["steps"]) tr.emplace_back(s["step"].get<int>(), s["loss"].get<double>());
    for (const auto& s : log["eval"]) va.emplace_back(s["step"].get<int>(), s["val_loss"].get<double>());
    return write_text(report.plot_path, train::loss_curve_svg(tr, va, "t2sql LoRA training loss"));
  };

  double tokens_done = 0;
  const auto t_loop = std::chrono::steady_clock::now();
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
    model->zero_grads();
    double step_loss = 0;
    for (size_t a = 0; a < micro.size(); ++a) {
      const uint64_t dseed = (static_cast<uint64_t>(o.seed) << 32) ^ (static_cast<uint64_t>(step) * 64 + a);
      const double w = static_cast<double>(micro[a].scored.size()) / static_cast<double>(scored_total);
      auto l = model->accumulate(micro[a], dseed, static_cast<float>(w));
      if (!l.ok()) return l.status();
      step_loss += *l * w;
      tokens_done += static_cast<double>(micro[a].n_real);
    }
    if (!std::isfinite(step_loss)) return internal_error("train: the loss diverged at step " + std::to_string(step));
    const double norm = model->grad_norm();
    const double clip = o.max_grad_norm > 0 && norm > o.max_grad_norm ? o.max_grad_norm / (norm + 1e-6) : 1.0;
    const double lr = learning_rate_at(o, step, total_steps, warmup);
    model->adamw_step(lr, o.weight_decay, clip, step);
    last_loss = step_loss;
    if (step == start_step + 1)
      info("after the first step: resident " + mib(rss_bytes()) + ", peak " + mib(peak_rss_bytes()) + "\n" +
           model->memory_report());

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
      if (Status s = model->write_state(report.checkpoint_path,
                                        [&](gguf_context* g) { add_checkpoint_meta(g, step, fp, log); });
          !s.ok())
        return s;
      if (Status s = write_log(); !s.ok()) return s;
    }
  }

  if (Status s = model->save_adapter(o.out_path); !s.ok()) return s;
  log["final_loss"] = last_loss;
  log["tokens_trained"] = tokens_done;
  log["train_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_loop).count();
  log["final_val_loss"] = last_val;
  if (Status s = write_log(); !s.ok()) return s;
  // A finished run leaves a checkpoint at its last step, so that --resume of
  // a finished run is a no-op rather than a restart.
  if (Status s = model->write_state(report.checkpoint_path,
                                    [&](gguf_context* g) { add_checkpoint_meta(g, total_steps, fp, log); });
      !s.ok())
    return s;
  report.steps = total_steps;
  report.final_loss = last_loss;
  report.final_val_loss = last_val;
  const double loop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_loop).count();
  report.tokens_per_s = loop_s > 0 ? tokens_done / loop_s : 0;
  report.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  report.peak_rss_bytes = peak_rss_bytes();
  info("at the end: peak resident " + mib(report.peak_rss_bytes) + "\n" + model->memory_report());
  return report;
}

}  // namespace t2sql
