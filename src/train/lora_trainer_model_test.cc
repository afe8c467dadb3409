// Tests of LoRA training on tiny models that `model init` makes. Every model
// is real (llama.cpp loads it) and every check of an adapter goes through
// llama.cpp itself, not through the training graph.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <thread>

#include "t2sql/train.h"
#include "train/llama_runner.h"
#include "train/lora_model.h"
#include "train/training_text.h"

namespace t2sql::train {
namespace {

namespace fs = std::filesystem;

fs::path test_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("t2sql_train_model_test_" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// One tiny model per process: 2 layers, width 64, the Llama SPM tokenizer
// (32k tokens, the smallest real one in the bundle: the output layer is
// most of the cost).
const std::string& tiny_model() {
  static const std::string path = [] {
    ModelInitOptions o;
    o.out_path = (test_dir() / "tiny.gguf").string();
    o.vocab = "llama-spm";
    o.n_embd = 64;
    o.n_layer = 2;
    o.n_head = 4;
    o.n_ff = 128;
    o.init_std = 0.1f;
    o.seed = 7;
    Status s = init_model(o);
    EXPECT_TRUE(s.ok()) << s.message();
    return o.out_path;
  }();
  return path;
}

double log_softmax_at(const std::vector<float>& logits, int target) {
  double mx = -INFINITY;
  for (float l : logits) mx = std::max(mx, static_cast<double>(l));
  double sum = 0;
  for (float l : logits) sum += std::exp(l - mx);
  return logits[static_cast<size_t>(target)] - mx - std::log(sum);
}

// Random values in every adapter matrix, B included, so that the adapter
// changes the output and every gradient is non-trivial.
void randomize(LoraModel& m, uint32_t seed, float scale) {
  std::vector<float> p = m.get_parameters();
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, scale);
  for (float& x : p) x = n(rng);
  m.set_parameters(p);
}

TokenBatch batch_of(const std::vector<int32_t>& tokens, int first_scored) {
  TokenBatch b;
  b.n_seq = 1;
  b.n_tokens = static_cast<int>(tokens.size());
  b.tokens = tokens;
  for (int i = first_scored; i + 1 < b.n_tokens; ++i) {
    b.scored.push_back(i);
    b.targets.push_back(tokens[static_cast<size_t>(i) + 1]);
  }
  return b;
}

TEST(ModelInit, WritesAModelThatLlamaCppRuns) {
  auto r = LlamaRunner::open(tiny_model());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->n_vocab(), 32000);
  auto logits = (*r)->last_logits("SELECT COUNT(*) FROM sales");
  ASSERT_TRUE(logits.ok());
  for (float l : *logits) ASSERT_TRUE(std::isfinite(l));
}

TEST(ModelInit, RefusesBadShapesAndUnknownVocabs) {
  ModelInitOptions o;
  o.out_path = (test_dir() / "bad.gguf").string();
  o.n_embd = 60;
  o.n_head = 8;
  EXPECT_EQ(init_model(o).code(), StatusCode::kInvalidArgument);
  o.n_embd = 64;
  o.vocab = "no-such-vocab";
  Status s = init_model(o);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("gpt-2"), std::string::npos) << s.message();  // lists what exists
  EXPECT_FALSE(fs::exists(o.out_path));
}

TEST(LoraModel, TrainingGraphMatchesLlamaCpp) {
  // The same adapter through llama.cpp and through the training graph: the
  // log-probability of the next token agrees.
  auto m = LoraModel::load(tiny_model(), 1, false);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE((*m)->init_adapter({.rank = 4, .alpha = 8, .dropout = 0, .seed = 1}).ok());
  randomize(**m, 3, 0.05f);
  const std::string adapter = (test_dir() / "graph_check.lora.gguf").string();
  ASSERT_TRUE((*m)->save_adapter(adapter).ok());

  auto runner = LlamaRunner::open(tiny_model(), adapter, 1.0f);
  ASSERT_TRUE(runner.ok()) << runner.status().message();
  const std::string text = "SELECT brand_name, SUM(amount) FROM sales JOIN products";
  std::vector<int32_t> toks = (*runner)->tokenize(text);
  ASSERT_GE(toks.size(), 6u);
  const int32_t target = toks.back();
  toks.pop_back();
  const std::string prefix = text.substr(0, text.rfind(' '));
  ASSERT_EQ((*runner)->tokenize(prefix), toks);
  auto logits = (*runner)->last_logits(prefix);
  ASSERT_TRUE(logits.ok());
  std::vector<int32_t> all = toks;
  all.push_back(target);
  TokenBatch b = batch_of(all, static_cast<int>(all.size()) - 2);
  ASSERT_EQ(b.scored.size(), 1u);
  auto loss = (*m)->compute(b, nullptr, 0);
  ASSERT_TRUE(loss.ok()) << loss.status().message();
  EXPECT_NEAR(*loss, -log_softmax_at(*logits, target), 2e-3);
}

TEST(LoraModel, GradientsMatchFiniteDifferences) {
  auto m = LoraModel::load(tiny_model(), 1, false);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE((*m)->init_adapter({.rank = 4, .alpha = 8, .dropout = 0, .seed = 1}).ok());
  randomize(**m, 5, 0.05f);
  const std::vector<int32_t> toks = {1, 4103, 2060, 7, 9, 8, 16034, 4200, 11, 318, 1366, 257};
  TokenBatch b = batch_of(toks, 4);
  std::vector<float> grads;
  auto loss = (*m)->compute(b, &grads, 0);
  ASSERT_TRUE(loss.ok()) << loss.status().message();
  const std::vector<float> p0 = (*m)->get_parameters();
  ASSERT_EQ(grads.size(), p0.size());

  // The largest gradients (where finite differences are well above float
  // noise) and a few random ones.
  std::vector<size_t> idx(p0.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + 12, idx.end(),
                    [&](size_t a, size_t b2) { return std::fabs(grads[a]) > std::fabs(grads[b2]); });
  idx.resize(12);
  std::mt19937 rng(11);
  for (int i = 0; i < 8; ++i) idx.push_back(rng() % p0.size());
  const float eps = 1e-2f;
  int checked = 0;
  for (size_t i : idx) {
    std::vector<float> p = p0;
    p[i] = p0[i] + eps;
    (*m)->set_parameters(p);
    const double up = *(*m)->compute(b, nullptr, 0);
    p[i] = p0[i] - eps;
    (*m)->set_parameters(p);
    const double down = *(*m)->compute(b, nullptr, 0);
    const double fd = (up - down) / (2 * eps);
    EXPECT_NEAR(grads[i], fd, 2e-3 + 0.05 * std::fabs(fd)) << "parameter " << i;
    ++checked;
  }
  (*m)->set_parameters(p0);
  EXPECT_EQ(checked, 20);
  EXPECT_GT(std::fabs(grads[idx[0]]), 1e-3);
}

// Gradient checkpointing recomputes each layer from its saved input, with the
// same dropout masks: the loss and every gradient equal the one-graph pass's
// (up to float summation order), the output layer's adapter included.
TEST(LoraModel, GradientCheckpointingGivesTheSameGradients) {
  auto m = LoraModel::load(tiny_model(), 1, false);
  ASSERT_TRUE(m.ok()) << m.status().message();
  train::LoraConfig lc{.rank = 4, .alpha = 8, .dropout = 0.2f, .seed = 3};
  lc.targets.push_back("output");
  ASSERT_TRUE((*m)->init_adapter(lc).ok());
  randomize(**m, 9, 0.05f);
  // Two sequences, the second padded.
  TokenBatch b;
  b.n_seq = 2;
  b.n_tokens = 8;
  b.tokens = {1, 4103, 2060, 7, 9, 8, 16034, 4200, 1, 318, 1366, 257, 11, 2, 2, 2};
  for (int i : {3, 4, 5, 6, 8 + 2, 8 + 3}) {
    b.scored.push_back(i);
    b.targets.push_back(b.tokens[static_cast<size_t>(i) + 1]);
  }
  std::vector<float> full, ckpt;
  auto l1 = (*m)->compute(b, &full, 77);
  ASSERT_TRUE(l1.ok()) << l1.status().message();
  (*m)->set_gradient_checkpointing(true);
  auto l2 = (*m)->compute(b, &ckpt, 77);
  ASSERT_TRUE(l2.ok()) << l2.status().message();
  EXPECT_NEAR(*l1, *l2, 1e-5);
  ASSERT_EQ(full.size(), ckpt.size());
  double max_abs = 0;
  int nonzero = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    max_abs = std::max(max_abs, static_cast<double>(std::fabs(full[i])));
    nonzero += full[i] != 0.0f;
    ASSERT_NEAR(ckpt[i], full[i], 1e-5 + 1e-3 * std::fabs(full[i])) << "parameter " << i;
  }
  EXPECT_GT(max_abs, 1e-3);
  EXPECT_GT(nonzero, static_cast<int>(full.size()) / 2);
  // Another dropout seed gives other gradients (the masks are really drawn).
  std::vector<float> other;
  ASSERT_TRUE((*m)->compute(b, &other, 78).ok());
  EXPECT_NE(other, ckpt);
}

TEST(LoraAdapter, LlamaCppWithAdapterMatchesMergedModelAndScaleZeroIsTheBase) {
  auto m = LoraModel::load(tiny_model(), 1, false);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->init_adapter({.rank = 8, .alpha = 16, .dropout = 0, .seed = 2}).ok());
  randomize(**m, 9, 0.05f);
  const std::string adapter = (test_dir() / "merge.lora.gguf").string();
  const std::string merged = (test_dir() / "merged.gguf").string();
  ASSERT_TRUE((*m)->save_adapter(adapter).ok());
  Status s = merge_lora(tiny_model(), adapter, merged);
  ASSERT_TRUE(s.ok()) << s.message();

  const std::string text = "### Question\nTotal sales in 2023\n### SQL\nSELECT";
  auto with_adapter = LlamaRunner::open(tiny_model(), adapter, 1.0f);
  auto merged_model = LlamaRunner::open(merged);
  auto scale_zero = LlamaRunner::open(tiny_model(), adapter, 0.0f);
  auto base = LlamaRunner::open(tiny_model());
  ASSERT_TRUE(with_adapter.ok() && merged_model.ok() && scale_zero.ok() && base.ok());
  const auto la = *(*with_adapter)->last_logits(text);
  const auto lm = *(*merged_model)->last_logits(text);
  const auto l0 = *(*scale_zero)->last_logits(text);
  const auto lb = *(*base)->last_logits(text);
  double diff_merged = 0, diff_zero = 0, diff_adapter_base = 0;
  for (size_t i = 0; i < la.size(); ++i) {
    diff_merged = std::max(diff_merged, static_cast<double>(std::fabs(la[i] - lm[i])));
    diff_zero = std::max(diff_zero, static_cast<double>(std::fabs(l0[i] - lb[i])));
    diff_adapter_base = std::max(diff_adapter_base, static_cast<double>(std::fabs(la[i] - lb[i])));
  }
  EXPECT_LT(diff_merged, 1e-3);
  EXPECT_LT(diff_zero, 1e-5);
  EXPECT_GT(diff_adapter_base, 1e-2);  // the adapter does change the model
}

TEST(Trainer, RefusesAModelItCannotTrainWithTheReason) {
  // The tiny model relabelled as another architecture.
  const std::string other = (test_dir() / "falcon.gguf").string();
  std::ifstream in(tiny_model(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // "general.architecture" holds the 5-byte string "llama"; "gpt2\0"-style
  // edits would change lengths, so swap it for another 5-letter name.
  const std::string key = "general.architecture";
  size_t at = bytes.find(key);
  ASSERT_NE(at, std::string::npos);
  at = bytes.find("llama", at);
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 5, "bloom");
  std::ofstream(other, std::ios::binary) << bytes;

  TrainOptions o;
  o.base_path = other;
  o.data_path = (test_dir() / "none.jsonl").string();
  std::ofstream(o.data_path) << R"({"question":"q","context":"","answer":"SELECT 1"})" << "\n";
  o.out_path = (test_dir() / "refused.lora.gguf").string();
  auto r = train_lora(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("architecture 'bloom' is not supported"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(fs::exists(o.out_path));

  // An adapter passed as the base.
  auto m = LoraModel::load(tiny_model(), 1, false);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->init_adapter({.rank = 2}).ok());
  const std::string adapter = (test_dir() / "as_base.lora.gguf").string();
  ASSERT_TRUE((*m)->save_adapter(adapter).ok());
  o.base_path = adapter;
  r = train_lora(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("is a LoRA adapter, not a base model"), std::string::npos);
}

// Twenty question/SQL pairs over one small schema.
std::string write_twenty(const fs::path& path) {
  const std::string schema = "CREATE TABLE sales (region TEXT, year INTEGER, amount REAL);";
  const char* regions[] = {"North", "South", "East", "West"};
  std::ofstream out(path);
  int n = 0;
  for (int y = 2021; y <= 2025; ++y)
    for (const char* r : regions) {
      nlohmann::json j = {{"question", "Total sales in the " + std::string(r) + " in " + std::to_string(y) + "?"},
                          {"context", schema},
                          {"answer", "SELECT SUM(amount) FROM sales WHERE region = '" + std::string(r) +
                                         "' AND year = " + std::to_string(y) + ";"}};
      out << j.dump() << "\n";
      ++n;
    }
  EXPECT_EQ(n, 20);
  return path.string();
}

TEST(Trainer, OverfitsTwentyExamplesThenGeneratesTheirSqlGreedily) {
  TrainOptions o;
  o.base_path = tiny_model();
  o.data_path = write_twenty(test_dir() / "twenty.jsonl");
  o.out_path = (test_dir() / "twenty.lora.gguf").string();
  // A random base cannot sharpen its output distribution by itself: the
  // output layer is adapted too (as `train --init` does).
  o.targets = {"q", "k", "v", "o", "gate", "up", "down", "output"};
  // The short plain layout: the chat layout's instructions make the prompt
  // several times longer, and a 2-layer random model then needs far more
  // steps to tell the years apart.
  o.prompt_format = "sql-create-context";
  o.rank = 16;
  o.alpha = 32;
  o.dropout = 0;
  o.learning_rate = 1e-2f;
  o.warmup_steps = 5;
  o.schedule = "cosine";
  o.batch_size = 4;
  o.grad_accum = 1;
  o.max_steps = 150;
  o.checkpoint_every = 0;
  o.threads = 1;
  auto r = train_lora(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_LT(r->final_loss, 0.05);
  EXPECT_TRUE(fs::exists(r->log_path));
  EXPECT_TRUE(fs::exists(r->plot_path));

  auto runner = LlamaRunner::open(tiny_model(), o.out_path, 1.0f);
  ASSERT_TRUE(runner.ok()) << runner.status().message();
  std::ifstream in(o.data_path);
  int exact = 0;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    TrainingExample ex{j["question"], j["context"], j["answer"], ""};
    std::string gold = ex.sql;
    gold.pop_back();  // the trainer's text adds the ";" itself
    ex.sql = gold;
    const TrainingText text = make_training_text(ex, o.prompt_format, "", o.dialect);
    auto got = (*runner)->greedy(text.prompt, 48);
    ASSERT_TRUE(got.ok());
    // A sentencepiece tokenizer starts the separately tokenized answer with a
    // word-boundary piece, which decodes as a leading space.
    if (!got->empty() && got->front() == ' ') got->erase(0, 1);
    EXPECT_EQ(*got, text.answer) << ex.question;
    exact += *got == text.answer;
  }
  EXPECT_EQ(exact, 20);
}

TEST(Trainer, QLoRATrainsOnAQuantizedBase) {
  const std::string q8 = (test_dir() / "tiny.q8_0.gguf").string();
  const std::string q4 = (test_dir() / "tiny.q4_0.gguf").string();
  ASSERT_TRUE(quantize_model(tiny_model(), q8, "q8_0", 2).ok());
  Status s = quantize_model(tiny_model(), q4, "q4_0", 2);
  ASSERT_TRUE(s.ok()) << s.message();
  const std::string data = write_twenty(test_dir() / "twenty_q.jsonl");
  // Eight steps of rank 8 on `base`, the adapter written to `out`.
  auto eight_steps = [&](const std::string& base, const std::string& out) {
    TrainOptions o;
    o.base_path = base;
    o.data_path = data;
    o.out_path = out;
    o.rank = 8;
    o.learning_rate = 1e-2f;
    o.batch_size = 4;
    o.grad_accum = 1;
    o.max_steps = 8;
    o.checkpoint_every = 0;
    o.threads = 1;
    return o;
  };
  std::vector<double> q4_losses;
  for (const std::string& base : {q8, q4}) {
    auto m = LoraModel::load(base, 1, false);
    ASSERT_TRUE(m.ok()) << m.status().message();
    EXPECT_NE((*m)->shape().weight_type, "f32");
    TrainOptions o = eight_steps(base, base + ".lora.gguf");
    std::vector<double> losses;
    o.on_progress = [&](const TrainProgress& p) { losses.push_back(p.loss); };
    auto r = train_lora(o);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ(losses.size(), 8u);
    EXPECT_LT(losses.back(), losses.front() * 0.7) << base;
    // llama.cpp applies the adapter to the quantized base.
    auto runner = LlamaRunner::open(base, o.out_path, 1.0f);
    ASSERT_TRUE(runner.ok()) << runner.status().message();
    q4_losses = losses;
  }
  // Gradient checkpointing on the Q4_0 base (recomputed layers, gradients
  // through the frozen Q4_0 matrices) follows the same loss curve.
  TrainOptions o = eight_steps(q4, q4 + ".gc.lora.gguf");
  o.gradient_checkpointing = true;
  std::vector<double> losses;
  o.on_progress = [&](const TrainProgress& p) { losses.push_back(p.loss); };
  auto r = train_lora(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(losses.size(), q4_losses.size());
  for (size_t i = 0; i < losses.size(); ++i) EXPECT_NEAR(losses[i], q4_losses[i], 1e-3 * q4_losses[i]) << "step " << i;
}

// Runs `t2sql train ...`; returns the pid.
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "w", stderr);
    (void)f;
    std::freopen("/dev/null", "w", stdout);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(Trainer, ResumeAfterSigkillReachesTheSameAdapter) {
  const std::string data = write_twenty(test_dir() / "resume.jsonl");
  auto args = [&](const std::string& out) {
    return std::vector<std::string>{T2SQL_BINARY, "train", "--base", tiny_model(), "--data", data, "--out", out,
                                    "--rank", "8", "--lr", "5e-3", "--batch", "2", "--grad-accum", "2",
                                    "--max-steps", "12", "--checkpoint-every", "3", "--dropout", "0.1",
                                    "--threads", "1", "--seed", "5", "--quiet"};
  };
  const std::string straight = (test_dir() / "straight.lora.gguf").string();
  ASSERT_EQ(wait_exit(spawn(args(straight), (test_dir() / "straight.log").string())), 0);

  // 20 examples, 4 per step: checkpoints at steps 3, 6, 9 are mid-epoch. Kill once a checkpoint
  // exists and training has gone past it.
  const std::string killed = (test_dir() / "killed.lora.gguf").string();
  const std::string ckpt = (test_dir() / "killed.lora.ckpt.gguf").string();
  const std::string log = (test_dir() / "killed.lora.log.json").string();
  const pid_t pid = spawn(args(killed), (test_dir() / "killed.log").string());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(ckpt) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "training finished before it could be killed";
  ASSERT_FALSE(fs::exists(killed));

  std::vector<std::string> resume = args(killed);
  resume.push_back("--resume");
  ASSERT_EQ(wait_exit(spawn(resume, (test_dir() / "resumed.log").string())), 0);
  ASSERT_TRUE(fs::exists(killed));
  EXPECT_EQ(file_bytes(killed), file_bytes(straight)) << "the resumed adapter differs";
  auto jl = nlohmann::json::parse(file_bytes(log));
  EXPECT_EQ(jl["steps"].size(), 12u);
}

// Runs a shell command; returns its exit status and what it printed.
std::pair<int, std::string> run_shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return {-1, out};
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// llama.cpp's own command-line tool (built with -DT2SQL_LLAMA_TOOLS=ON) loads
// an adapter t2sql wrote and, greedily, writes what the merged model writes.
TEST(LoraAdapter, LlamaCompletionToolLoadsTheAdapter) {
  const fs::path tool = fs::path(T2SQL_BINARY_DIR) / "bin" / "llama-completion";
  if (!fs::exists(tool)) GTEST_SKIP() << "llama-completion not built (-DT2SQL_LLAMA_TOOLS=ON)";
  auto m = LoraModel::load(tiny_model(), 1, false);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->init_adapter({.rank = 8, .alpha = 16, .dropout = 0, .seed = 3}).ok());
  randomize(**m, 11, 0.05f);
  const std::string adapter = (test_dir() / "cli.lora.gguf").string();
  const std::string merged = (test_dir() / "cli.merged.gguf").string();
  ASSERT_TRUE((*m)->save_adapter(adapter).ok());
  ASSERT_TRUE(merge_lora(tiny_model(), adapter, merged).ok());
  const std::string common = " -p 'SELECT' -n 12 --temp 0 -s 1 -t 1 -c 64 -no-cnv --no-warmup 2>";
  const auto with_lora = run_shell(tool.string() + " -m " + tiny_model() + " --lora " + adapter + common + "/dev/null");
  const auto with_merged = run_shell(tool.string() + " -m " + merged + common + "/dev/null");
  // The tool does read --lora: a file that is no adapter makes it fail.
  const auto with_junk = run_shell(tool.string() + " -m " + tiny_model() + " --lora " + tiny_model() + common + "/dev/null");
  const auto with_base = run_shell(tool.string() + " -m " + tiny_model() + common + "/dev/null");
  ASSERT_EQ(with_lora.first, 0) << with_lora.second;
  ASSERT_EQ(with_merged.first, 0) << with_merged.second;
  ASSERT_EQ(with_base.first, 0) << with_base.second;
  EXPECT_NE(with_junk.first, 0);
  EXPECT_NE(with_lora.second, with_base.second);  // the adapter is applied, not only read
  EXPECT_GT(with_lora.second.size(), std::string("SELECT").size());
  // Greedy decoding of a random tiny model meets near-ties, and the runtime
  // adapter (W x + s B A x) rounds differently from the merged weights
  // ((W + s B A) x): a tie late in the text may break either way (it did, now
  // and then, with the machine busy). The two texts must agree on at least
  // their first half; LoraAdapter.LlamaCppWithAdapterMatchesMergedModelAndScaleZeroIsTheBase holds
  // the logits to a tolerance.
  const std::string& a = with_lora.second;
  const std::string& b = with_merged.second;
  size_t agree = 0;
  while (agree < std::min(a.size(), b.size()) && a[agree] == b[agree]) ++agree;
  EXPECT_GE(agree * 2, std::max(a.size(), b.size())) << "with the adapter: '" << a << "'\nmerged: '" << b << "'";
}

}  // namespace
}  // namespace t2sql::train
