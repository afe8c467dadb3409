// Models for the *_model_test.cc programs: a tiny llama-architecture GGUF
// made by `t2sql model init` (random weights, a real tokenizer), and LoRA
// adapters with random weights written here with the gguf API. Test-only.
#pragma once

#include <ggml.h>
#include <gguf.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace t2sql::testing {

// One of llama.cpp's tokenizer vocabularies: models/ggml-vocab-<name>.gguf of
// the llama.cpp source the tests were built with ("bert-bge", "llama-spm").
inline std::string llama_vocab_file(const std::string& name) {
  return std::string(T2SQL_LLAMA_DIR) + "/models/ggml-vocab-" + name + ".gguf";
}

// A directory for this test program's models, made once and kept for the run.
inline std::string model_dir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("t2sql_models_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

// Runs `t2sql model init --out <dir>/<name>.gguf <args>` once per name;
// returns the path, or "" when the command failed (its output is printed).
inline std::string tiny_model(const std::string& name = "tiny",
                              const std::string& args = "--vocab gpt-2 --n-embd 64 --n-layer 2 --n-head 4 --seed 7") {
  std::string path = model_dir() + "/" + name + ".gguf";
  if (std::filesystem::exists(path)) return path;
  std::string cmd = std::string(T2SQL_BINARY) + " model init --out '" + path + "' " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  int rc = pclose(p);
  if (rc != 0 || !std::filesystem::exists(path)) {
    std::fprintf(stderr, "`%s` failed:\n%s\n", cmd.c_str(), out.c_str());
    return "";
  }
  return path;
}

// Writes a LoRA adapter for `base` on every attn_q and ffn_down weight and
// the output layer:
// lora_a small random, lora_b random with deviation `b_std` (nonzero, so that
// it changes the output). `shape_skew` > 0 makes the input size wrong, which
// is what an adapter made for another model looks like.
inline bool write_random_lora(const std::string& base, const std::string& out, float b_std, int rank = 4,
                              int shape_skew = 0, uint32_t seed = 7) {
  ggml_context* meta = nullptr;
  gguf_init_params ip{true, &meta};
  gguf_context* src = gguf_init_from_file(base.c_str(), ip);
  if (!src) return false;
  std::string arch = "llama";
  if (int64_t k = gguf_find_key(src, "general.architecture"); k >= 0) arch = gguf_get_val_str(src, k);

  struct Target {
    std::string name;
    int64_t n_in, n_out;
  };
  std::vector<Target> targets;
  for (ggml_tensor* t = ggml_get_first_tensor(meta); t; t = ggml_get_next_tensor(meta, t)) {
    std::string n = ggml_get_name(t);
    if (n.find(".attn_q.weight") != std::string::npos || n.find(".ffn_down.weight") != std::string::npos ||
        n == "output.weight") {
      targets.push_back({n, t->ne[0], t->ne[1]});
    }
  }
  size_t floats = 0;
  for (const auto& t : targets) floats += (t.n_in + shape_skew + t.n_out) * rank;
  ggml_init_params cp{floats * sizeof(float) + targets.size() * 2 * ggml_tensor_overhead() + 1024, nullptr, false};
  ggml_context* ctx = ggml_init(cp);
  gguf_context* dst = gguf_init_empty();
  gguf_set_val_str(dst, "general.architecture", arch.c_str());
  gguf_set_val_str(dst, "general.type", "adapter");
  gguf_set_val_str(dst, "adapter.type", "lora");
  gguf_set_val_f32(dst, "adapter.lora.alpha", static_cast<float>(rank));
  std::mt19937 rng(seed);
  std::normal_distribution<float> a_dist(0.0f, 0.1f), b_dist(0.0f, b_std);
  for (const auto& t : targets) {
    ggml_tensor* a = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, t.n_in + shape_skew, rank);
    ggml_tensor* b = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, rank, t.n_out);
    ggml_set_name(a, (t.name + ".lora_a").c_str());
    ggml_set_name(b, (t.name + ".lora_b").c_str());
    for (int64_t i = 0; i < ggml_nelements(a); ++i) static_cast<float*>(a->data)[i] = a_dist(rng);
    for (int64_t i = 0; i < ggml_nelements(b); ++i) static_cast<float*>(b->data)[i] = b_dist(rng);
    gguf_add_tensor(dst, a);
    gguf_add_tensor(dst, b);
  }
  bool ok = !targets.empty() && gguf_write_to_file(dst, out.c_str(), false);
  gguf_free(dst);
  ggml_free(ctx);
  gguf_free(src);
  ggml_free(meta);
  return ok;
}

}  // namespace t2sql::testing
