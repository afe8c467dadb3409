#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>


#include "cli.h"
#include "base/progress_bar.h"
#include "t2sql/train.h"

namespace t2sql::cli {
namespace {

std::string mib(size_t bytes) { return ProgressBar::format_mib(bytes); }

}  // namespace

void add_train_commands(CLI::App& app) {
  // --- train
  auto o = std::make_shared<TrainOptions>();
  auto init = std::make_shared<ModelInitOptions>();
  auto use_init = std::make_shared<bool>(false);
  auto targets = std::make_shared<std::string>("q,k,v,o,gate,up,down");
  auto quiet = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "train", "Fine-tune a GGUF model with LoRA (QLoRA when the base is quantized) on question/SQL JSONL");
  add_example(cmd,
              "  t2sql gen-data --db sales.db --out data/\n"
              "  t2sql train --base base.gguf --data data/ --out adapter.gguf --max-steps 200");
  cmd->add_option("--base", o->base_path, "Base model (GGUF: F32, F16, or Q4_0/Q4_K/Q8_0 for QLoRA)");
  cmd->add_option("--data", o->data_path,
                  "Training data: a JSONL file or a folder with train.jsonl [+ valid.jsonl] "
                  "(sql-create-context {question,context,answer}, chat {messages}, or t2sql {question,schema,sql})")
      ->required();
  cmd->add_option("--valid", o->valid_path, "Validation JSONL (default: valid.jsonl in --data)");
  cmd->add_option("--out", o->out_path, "The adapter to write (GGUF); log, plot and checkpoint go beside it")
      ->required();
  cmd->add_option("--format", o->prompt_format, "Prompt format: sql-create-context or chat (as at inference)")
      ->capture_default_str();
  cmd->add_option("--dialect", o->dialect, "SQL dialect named in the prompt")->capture_default_str();
  cmd->add_option("--rank,-r", o->rank, "LoRA rank")->capture_default_str();
  cmd->add_option("--alpha", o->alpha, "LoRA alpha (scale = alpha/rank)")->capture_default_str();
  cmd->add_option("--dropout", o->dropout, "LoRA dropout on the adapter inputs")->capture_default_str();
  CLI::Option* targets_opt =
      cmd->add_option("--targets", *targets,
                      "Adapted matrices, comma-separated: q,k,v,o,gate,up,down (and output, the output layer; "
                      "the default with --init, where the base knows nothing)")
          ->capture_default_str();
  cmd->add_option("--lr", o->learning_rate, "Peak learning rate (AdamW)")->capture_default_str();
  cmd->add_option("--warmup", o->warmup_steps, "Warm-up steps; -1: 3% of the steps")->capture_default_str();
  cmd->add_option("--schedule", o->schedule, "Decay after warm-up: cosine, linear or constant")->capture_default_str();
  cmd->add_option("--weight-decay", o->weight_decay, "AdamW weight decay")->capture_default_str();
  cmd->add_option("--max-grad-norm", o->max_grad_norm, "Clip the gradient norm (0: off)")->capture_default_str();
  cmd->add_option("--batch", o->batch_size, "Sequences per micro-batch")->capture_default_str();
  cmd->add_option("--grad-accum", o->grad_accum, "Micro-batches per optimiser step")->capture_default_str();
  cmd->add_option("--epochs", o->epochs, "Passes over the training data")->capture_default_str();
  cmd->add_option("--max-steps", o->max_steps, "Stop after this many steps (overrides --epochs)")->capture_default_str();
  cmd->add_option("--eval-every", o->eval_every, "Validation loss every N steps (0: at the end only)")
      ->capture_default_str();
  cmd->add_option("--checkpoint-every", o->checkpoint_every, "Checkpoint every N steps (0: never)")
      ->capture_default_str();
  cmd->add_option("--max-eval", o->max_eval_examples, "Validation examples used at most")->capture_default_str();
  cmd->add_option("--max-seq-len", o->max_seq_len, "Longest example in tokens; longer ones are skipped")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the adapter init, data order and dropout")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0: all cores)")->capture_default_str();
  cmd->add_flag("--gpu", o->gpu, "Train on the GPU (builds with -DT2SQL_CUDA=ON)");
  cmd->add_flag("--resume", o->resume, "Continue from the checkpoint beside --out (same options and data)");
  cmd->add_flag("--strict", o->reject_bad_lines, "Fail on the first malformed data line instead of skipping it");
  cmd->add_flag("--quiet", *quiet, "No progress output");
  cmd->add_flag("--gradient-checkpointing", o->gradient_checkpointing,
                "Recompute each layer's activations in the backward pass instead of keeping them "
                "(less memory, about one more forward pass of time)");
  cmd->add_flag("--verbose", o->verbose,
                "Print where the memory goes (weights by role and type, adapter, gradient, AdamW moments, "
                "compute buffer, resident memory) after loading, the first step and at the end");
  cmd->add_flag("--init", *use_init,
                "Create the base from scratch first (t2sql model init, written to --base) and train on it");
  cmd->add_option("--vocab", init->vocab, "With --init: tokenizer of the new model (default: llama-bpe)");
  cmd->add_option("--n-embd", init->n_embd, "With --init: embedding width")->capture_default_str();
  cmd->add_option("--n-layer", init->n_layer, "With --init: transformer blocks")->capture_default_str();
  cmd->add_option("--n-head", init->n_head, "With --init: attention heads")->capture_default_str();
  cmd->add_option("--n-ff", init->n_ff, "With --init: feed-forward width (0: about 8/3 n-embd)")->capture_default_str();
  set_action(cmd, [o, init, use_init, targets, quiet, targets_opt] {
    if (*use_init && targets_opt->count() == 0) *targets += ",output";
    o->targets.clear();
    std::stringstream ss(*targets);
    for (std::string t; std::getline(ss, t, ',');)
      if (!t.empty()) o->targets.push_back(t);
    if (o->base_path.empty()) return fail(invalid_argument("train: --base is required"));
    if (*use_init && !o->resume) {
      init->out_path = o->base_path;
      init->seed = o->seed;
      if (Status s = init_model(*init); !s.ok()) return fail(s);
      std::cerr << "created base model " << o->base_path << " (random weights)\n";
    }
    // The shared progress bar: steps with their rate and time left; the note
    // carries the loss, the last validation loss and tokens/s.
    std::unique_ptr<ProgressBar> bar;
    double last_val = -1;
    if (!*quiet)
      o->on_progress = [&bar, &last_val](const TrainProgress& p) {
        if (!bar) bar = std::make_unique<ProgressBar>(ProgressOptions{.total = p.total_steps - p.step + 1, .label = "train", .unit = "step"});
        if (p.val_loss >= 0) last_val = p.val_loss;
        char note[160];
        std::snprintf(note, sizeof note, "loss %.4f%s %.0f tok/s", p.loss,
                      last_val >= 0 ? (" val " + std::to_string(last_val).substr(0, 6)).c_str() : "", p.tokens_per_s);
        bar->advance(1, note);
      };
    o->on_warning = [](const std::string& m) { std::cerr << "warning: " << m << "\n"; };
    o->on_info = [](const std::string& m) { std::cerr << "memory " << m << (m.back() == '\n' ? "" : "\n"); };
    auto r = train_lora(*o);
    if (bar) bar->finish();
    if (!r.ok()) return fail(r.status());
    std::cout << "adapter " << r->adapter_path << ": " << r->steps << " steps"
              << (r->resumed_from ? " (resumed at " + std::to_string(r->resumed_from) + ")" : "") << ", "
              << r->n_train << " training / " << r->n_valid << " validation examples"
              << (r->n_skipped ? ", " + std::to_string(r->n_skipped) + " skipped" : "") << ", "
              << r->trainable_parameters << " trainable parameters\n";
    char line[256];
    std::snprintf(line, sizeof line, "final loss %.4f%s, %.0f tokens/s, peak memory %s, %.1f s\n", r->final_loss,
                  r->final_val_loss >= 0 ? (", validation " + std::to_string(r->final_val_loss)).c_str() : "",
                  r->tokens_per_s, mib(r->peak_rss_bytes).c_str(), r->elapsed_s);
    std::cout << line << "log " << r->log_path << ", plot " << r->plot_path << "\n";
    return 0;
  });

  // --- merge
  struct MergeOptions {
    std::string base, lora, out;
    float scale = 1.0f;
  };
  auto m = std::make_shared<MergeOptions>();
  CLI::App* merge = app.add_subcommand("merge", "Merge a LoRA adapter into its base model (one GGUF)");
  add_example(merge, "  t2sql merge --base base.gguf --lora adapter.gguf --out merged.gguf");
  merge->add_option("--base", m->base, "Base model (GGUF)")->required();
  merge->add_option("--lora", m->lora, "Adapter (GGUF), as written by t2sql train")->required();
  merge->add_option("--out", m->out, "The merged model to write")->required();
  merge->add_option("--scale", m->scale, "Adapter scale")->capture_default_str();
  set_action(merge, [m] {
    if (Status s = merge_lora(m->base, m->lora, m->out, m->scale); !s.ok()) return fail(s);
    std::cout << "wrote " << m->out << "\n";
    return 0;
  });

  // --- quantize
  struct QuantOptions {
    std::string in, out, type = "q4_0";
    int threads = 0;
    bool pure = false;
  };
  auto q = std::make_shared<QuantOptions>();
  CLI::App* quant = app.add_subcommand("quantize", "Quantize a GGUF model with llama.cpp (a QLoRA base)");
  add_example(quant, "  t2sql quantize --in merged.gguf --out merged-q4.gguf --type q4_0");
  quant->add_option("--in", q->in, "Model to quantize (GGUF)")->required();
  quant->add_option("--out", q->out, "Quantized model to write")->required();
  quant->add_option("--type", q->type, "q4_0, q4_k, q8_0, f16 or f32")->capture_default_str();
  quant->add_option("--threads", q->threads, "Threads (0: all cores)")->capture_default_str();
  quant->add_flag("--pure", q->pure,
                  "Every matrix in --type, the output layer and token embeddings included (by default llama.cpp "
                  "keeps the output layer at Q6_K for q4_0 and q4_k, and mixes types for q4_k)");
  set_action(quant, [q] {
    if (Status s = quantize_model(q->in, q->out, q->type, q->threads, q->pure); !s.ok()) return fail(s);
    std::cout << "wrote " << q->out << "\n";
    return 0;
  });
  // --- gen-data
  auto g = std::make_shared<GenDataOptions>();
  CLI::App* gen = app.add_subcommand(
      "gen-data", "Generate verified question/SQL training data from a database's schema and values");
  add_example(gen, "  t2sql gen-data --db sales.db --out data/ --paraphrases 3");
  add_db_option(gen, g->db_uri);
  gen->add_option("--out", g->out_dir, "Folder for train/valid JSONL (sql-create-context and chat shapes)")
      ->required();
  gen->add_option("--valid", g->valid_fraction, "Fraction for validation (whole SQL shapes held out)")
      ->capture_default_str();
  gen->add_option("--seed", g->seed, "Seed of the train/validation split")->capture_default_str();
  gen->add_option("--max-per-shape", g->max_per_shape, "Queries per SQL shape at most")->capture_default_str();
  gen->add_option("--paraphrases", g->paraphrases, "Wordings per query")->capture_default_str();
  set_action(gen, [g] {
    auto db = open_database(g->db_uri);
    if (!db.ok()) return fail(db.status());
    auto r = generate_training_data(**db, *g);
    if (!r.ok()) return fail(r.status());
    std::cout << "generated " << r->generated << " pairs: " << r->rejected << " failed verification, "
              << r->duplicates << " duplicates; " << r->n_train << " training and " << r->n_valid
              << " validation examples (" << r->n_valid_shapes << " of " << r->n_shapes
              << " SQL shapes held out for validation)\n";
    for (const auto& f : r->files) std::cout << "wrote " << f << "\n";
    return 0;
  });
}

}  // namespace t2sql::cli
