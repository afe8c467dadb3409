#include <iostream>

#include "cli.h"
#include "t2sql/train.h"

namespace t2sql::cli {

void add_model_command(CLI::App& app) {
  CLI::App* model = app.add_subcommand("model", "Create, download (pull) and list GGUF models");
  model->require_subcommand(1);
  add_example(model, "  t2sql model init --out tiny.gguf --arch qwen2 --n-embd 64 --n-layer 2");

  auto o = std::make_shared<ModelInitOptions>();
  CLI::App* init = model->add_subcommand(
      "init",
      "Create a GGUF with random weights, the tensor set and metadata of a real architecture, and a real "
      "tokenizer from llama.cpp's vocab files (for tests, benchmarks and the offline demo; it knows nothing until "
      "trained)");
  add_example(init, "  t2sql model init --out tiny.gguf --arch qwen2 --n-embd 64 --n-layer 2");
  init->add_option("--out", o->out_path, "Where to write the GGUF")->required();
  init->add_option("--arch", o->arch,
                   "Architecture: llama (Llama 2/3), mistral (written as llama, as llama.cpp's converter does; GQA), "
                   "qwen2 (Qwen2.5-Coder: Q/K/V biases, tied output), gemma (embeddings scaled, GELU, tied "
                   "output), gemma2 (gemma + post-norms, soft-capping, sliding window)")
      ->check(CLI::IsMember(model_architectures()))
      ->capture_default_str();
  init->add_option("--vocab", o->vocab,
                   "Tokenizer: a name of the vocab files that come with t2sql (llama.cpp's bundle, in share/t2sql/vocab "
                   "beside the program or under $T2SQL_DATA_DIR: gpt-2, llama-spm, llama-bpe, qwen2, gemma-4, ...) or a "
                   "GGUF path; default: the architecture's (llama-bpe, llama-spm for mistral, qwen2, gemma-4)");
  init->add_option("--n-embd", o->n_embd, "Embedding width")->capture_default_str();
  init->add_option("--n-layer", o->n_layer, "Number of transformer blocks")->capture_default_str();
  init->add_option("--n-head", o->n_head, "Attention heads")->capture_default_str();
  init->add_option("--n-head-kv", o->n_head_kv,
                   "Key/value heads (grouped-query attention); 0: --n-head (mistral: a quarter of it)")
      ->capture_default_str();
  init->add_option("--head-dim", o->head_dim, "gemma, gemma2: head size; 0: n-embd/n-head")->capture_default_str();
  init->add_option("--n-ff", o->n_ff, "Feed-forward width; 0: about 8/3 of --n-embd")->capture_default_str();
  init->add_option("--n-ctx", o->n_ctx, "Training context length written into the model")->capture_default_str();
  init->add_option("--sliding-window", o->sliding_window,
                   "gemma2: the local layers' attention window; 0: 4096, as Gemma 2")
      ->capture_default_str();
  init->add_option("--rope-freq-base", o->rope_freq_base,
                   "RoPE base; 0: the architecture's (10000; 1e6 for mistral and qwen2; Llama 3 uses 500000)")
      ->capture_default_str();
  init->add_option("--seed", o->seed, "Random seed of the weights")->capture_default_str();
  init->add_option("--init-std", o->init_std, "Standard deviation of the random matrices")->capture_default_str();
  set_action(init, [o] {
    Status s = init_model(*o);
    if (!s.ok()) return fail(s);
    std::cout << "wrote " << o->out_path << "\n";
    return 0;
  });
  add_model_hub_commands(model);
}

}  // namespace t2sql::cli
