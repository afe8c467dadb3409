// Training benchmark, by hand (one run, ratios):
//   1. t2sql LoRA vs llama.cpp's own full fine-tuning (llama-finetune from the
//      same source) on the same model shape and the same text: trained
//      tokens per second and peak memory (max RSS of each process).
//   2. QLoRA on a Q4_0 base vs LoRA on the F32 base: peak memory.
// Targets: LoRA >= 1.5x the speed of full fine-tuning at <= 0.5x its memory;
// QLoRA <= 0.4x the memory of LoRA on F32.
//
// Options: --gradient-checkpointing 1 (both t2sql runs), --pure 1 (the
// Q4_0 base with its output layer in Q4_0 too).
// Both sides see the same shape, the same examples and one sequence per
// optimizer step by default (--batch 1 --grad-accum 1; llama-finetune's batch
// is one n_ctx window). Use a shape where the weights dominate, e.g.
//   build/bench/train_bench --vocab llama-spm --n-embd 768 --n-layer 12 --n-head 12 \
//     --n-head-kv 4 --n-ff 2048 --n-ctx 512 --steps 3 --finetune-windows 3
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "t2sql/train.h"
#include "train/llama_runner.h"
#include "train/training_data.h"
#include "train/training_text.h"

namespace fs = std::filesystem;

namespace {

struct RunResult {
  int exit_code = -1;
  double wall_s = 0;
  double max_rss_mib = 0;
};

RunResult run(const std::vector<std::string>& args, const std::string& log) {
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen(log.c_str(), "a", stderr)) _exit(126);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  RunResult r;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.max_rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;
  return r;
}

std::string arg_value(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path self = fs::canonical("/proc/self/exe");
  const std::string t2sql = arg_value(argc, argv, "--t2sql", (self.parent_path().parent_path() / "t2sql").string());
  const std::string finetune =
      arg_value(argc, argv, "--llama-finetune", (self.parent_path().parent_path() / "bin" / "llama-finetune").string());
  const int n_embd = std::stoi(arg_value(argc, argv, "--n-embd", "512"));
  const int n_layer = std::stoi(arg_value(argc, argv, "--n-layer", "8"));
  const int n_head = std::stoi(arg_value(argc, argv, "--n-head", "8"));
  const int n_head_kv = std::stoi(arg_value(argc, argv, "--n-head-kv", "0"));
  const int n_ff = std::stoi(arg_value(argc, argv, "--n-ff", "0"));
  const std::string batch = arg_value(argc, argv, "--batch", "1");
  const std::string grad_accum = arg_value(argc, argv, "--grad-accum", "1");
  const std::string rank = arg_value(argc, argv, "--rank", "64");
  const int steps = std::stoi(arg_value(argc, argv, "--steps", "12"));
  const int n_ctx = std::stoi(arg_value(argc, argv, "--n-ctx", "512"));
  const std::string threads = arg_value(argc, argv, "--threads", "2");
  const std::string vocab = arg_value(argc, argv, "--vocab", "gpt-2");
  const int windows = std::stoi(arg_value(argc, argv, "--finetune-windows", "24"));
  const bool gpu = arg_value(argc, argv, "--gpu", "0") == "1";
  // Both t2sql runs alike: gradient checkpointing, and a pure Q4_0 base
  // (the output layer in Q4_0 too, not llama.cpp's default Q6_K).
  const bool checkpointing = arg_value(argc, argv, "--gradient-checkpointing", "0") == "1";
  const bool pure = arg_value(argc, argv, "--pure", "0") == "1";
  const fs::path dir = arg_value(argc, argv, "--dir", (fs::temp_directory_path() / "t2sql_train_bench").string());
  fs::create_directories(dir);

  // The model and the data.
  t2sql::ModelInitOptions mo;
  mo.out_path = (dir / "base.f32.gguf").string();
  mo.vocab = vocab;
  mo.n_embd = n_embd;
  mo.n_layer = n_layer;
  mo.n_head = n_head;
  mo.n_head_kv = n_head_kv;
  mo.n_ff = n_ff;
  mo.n_ctx = n_ctx;
  if (auto s = t2sql::init_model(mo); !s.ok()) return std::cerr << s.message() << "\n", 1;
  const std::string q4 = (dir / "base.q4_0.gguf").string();
  if (auto s = t2sql::quantize_model(mo.out_path, q4, "q4_0", 0, pure); !s.ok()) return std::cerr << s.message() << "\n", 1;
  const std::string demo = (dir / "demo.db").string();
  if (!t2sql::create_demo_warehouse(demo, true).ok()) return 1;
  auto db = t2sql::Database::open(demo);
  if (!db.ok()) return 1;
  t2sql::GenDataOptions go;
  go.out_dir = (dir / "data").string();
  auto gen = t2sql::generate_training_data(**db, go);
  if (!gen.ok()) return std::cerr << gen.status().message() << "\n", 1;
  // The same examples as one text for llama-finetune: prompt + answer, one after another.
  const std::string train_jsonl = (dir / "data" / "train.jsonl").string();
  auto loaded = t2sql::train::load_jsonl(train_jsonl, false);
  if (!loaded.ok()) return 1;
  // Enough text for `windows` training windows of n_ctx at stride n_ctx/2
  // (llama-finetune keeps 95% for training), counted with the model's tokenizer.
  auto runner = t2sql::train::LlamaRunner::open(mo.out_path, "", 1.0f, 512, 1);
  if (!runner.ok()) return std::cerr << runner.status().message() << "\n", 1;
  const size_t stride = static_cast<size_t>(n_ctx / 2);
  const size_t need = static_cast<size_t>(windows / 0.95 + 2) * stride + static_cast<size_t>(n_ctx) + 1;
  std::string text;
  size_t n_text_tokens = 0;
  for (size_t i = 0; n_text_tokens < need; i = (i + 1) % loaded->examples.size()) {
    const auto t = t2sql::train::make_training_text(loaded->examples[i], "chat", "", "sqlite");
    text += t.prompt + t.answer + "\n\n";
    n_text_tokens = (*runner)->tokenize(text).size();
  }
  const int64_t ndata = static_cast<int64_t>((n_text_tokens - static_cast<size_t>(n_ctx) - 1) / stride);
  const double full_tokens = static_cast<double>(static_cast<int64_t>(ndata * 0.95f)) * n_ctx;
  std::ofstream(dir / "data" / "train.txt") << text;

  std::printf(
      "model: llama, n_embd %d, n_layer %d, n_head %d, n_head_kv %d, n_ff %d, vocab %s, %.1f MiB F32, %.1f MiB Q4_0; "
      "%zu training examples; n_ctx %d; LoRA batch %s x accumulation %s, rank %s; threads %s\n",
      n_embd, n_layer, n_head, n_head_kv, n_ff, vocab.c_str(), fs::file_size(mo.out_path) / 1048576.0,
      fs::file_size(q4) / 1048576.0, loaded->examples.size(), n_ctx, batch.c_str(), grad_accum.c_str(), rank.c_str(),
      threads.c_str());

  auto lora_run = [&](const std::string& base, const std::string& name) {
    std::vector<std::string> args = {t2sql,     "train",          "--base",     base,       "--data",
                                     train_jsonl, "--out",         (dir / (name + ".gguf")).string(),
                                     "--max-steps", std::to_string(steps), "--checkpoint-every", "0",
                                     "--eval-every", "0", "--threads", threads, "--quiet", "--batch", batch,
                                     "--grad-accum", grad_accum, "--rank", rank, "--max-seq-len", std::to_string(n_ctx)};
    if (gpu) args.push_back("--gpu");
    if (checkpointing) args.push_back("--gradient-checkpointing");
    RunResult r = run(args, (dir / (name + ".out")).string());
    std::ifstream in(dir / (name + ".log.json"));
    nlohmann::json log = nlohmann::json::parse(in, nullptr, false);
    const double tokens = log.is_object() ? log.value("tokens_trained", 0.0) : 0.0;
    return std::make_pair(r, tokens);
  };
  auto [lora, lora_tokens] = lora_run(mo.out_path, "lora_f32");
  auto [qlora, qlora_tokens] = lora_run(q4, "qlora_q4_0");
  if (lora.exit_code != 0 || qlora.exit_code != 0) {
    std::cerr << "t2sql train failed; see " << dir << "/*.out\n";
    return 1;
  }

  // Full fine-tuning of the same model on the same text, one epoch.
  RunResult full;
  const bool have_finetune = fs::exists(finetune);
  if (have_finetune) {
    full = run({finetune, "-m", mo.out_path, "-f", (dir / "data" / "train.txt").string(), "-c", std::to_string(n_ctx),
                "-b", std::to_string(n_ctx), "-ub", std::to_string(n_ctx), "-t", threads, "--epochs", "1",
                "-ngl", gpu ? "99" : "0", "-o", (dir / "full.gguf").string()},
               (dir / "full.out").string());
  }

  std::printf("\n%-28s %10s %12s %12s\n", "run", "wall s", "tokens/s", "peak MiB");
  const double lora_tps = lora_tokens / lora.wall_s, qlora_tps = qlora_tokens / qlora.wall_s;
  std::printf("%-28s %10.1f %12.0f %12.1f\n", "t2sql LoRA (F32 base)", lora.wall_s, lora_tps, lora.max_rss_mib);
  std::printf("%-28s %10.1f %12.0f %12.1f\n", "t2sql QLoRA (Q4_0 base)", qlora.wall_s, qlora_tps, qlora.max_rss_mib);
  if (have_finetune && full.exit_code == 0) {
    const double full_tps = full_tokens / full.wall_s;
    std::printf("%-28s %10.1f %12.0f %12.1f\n", "llama-finetune (full, F32)", full.wall_s, full_tps, full.max_rss_mib);
    std::printf("\nLoRA / full fine-tuning: speed %.2fx (target >= 1.5), peak memory %.2fx (target <= 0.5)\n",
                lora_tps / full_tps, lora.max_rss_mib / full.max_rss_mib);
  } else if (have_finetune) {
    std::printf("llama-finetune failed (exit %d); see %s\n", full.exit_code, (dir / "full.out").c_str());
  } else {
    std::printf("llama-finetune not found at %s (build with -DT2SQL_LLAMA_TOOLS=ON)\n", finetune.c_str());
  }
  std::printf("\nQLoRA / LoRA peak memory: %.2f (target <= 0.4)\n", qlora.max_rss_mib / lora.max_rss_mib);
  std::printf("(tokens/s: trained tokens over the whole process's wall time, model load included)\n");
  return 0;
}
