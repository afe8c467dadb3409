#include <iomanip>
#include <iostream>
#include <sstream>

#include "base/progress_bar.h"
#include "cli.h"
#include "t2sql/model_hub.h"

namespace t2sql::cli {

namespace {

std::string presets_help() {
  std::string out = "Presets (repository and file as llama.cpp's presets name them):";
  for (const auto& p : model_presets())
    out += "\n  " + p.name + "  " + p.size + "  " + p.repo + ":" + p.file + "  (" + p.license + ")";
  return out;
}

}  // namespace

void add_model_hub_commands(CLI::App* model) {
  auto o = std::make_shared<PullOptions>();
  auto quiet = std::make_shared<bool>(false);
  CLI::App* pull = model->add_subcommand(
      "pull",
      "Download a GGUF model from the Hugging Face Hub into the model cache ($XDG_CACHE_HOME/t2sql/models): resumable, "
      "verified against the sha256 the Hub publishes, then usable as --model NAME. HF_ENDPOINT (a mirror) and "
      "HF_TOKEN (private or gated repositories) are honoured.\n" +
          presets_help());
  add_example(pull, "  t2sql model pull qwen2.5-coder-1.5b\n  t2sql model pull OWNER/REPO:model-q4_k_m.gguf");
  pull->add_option("SPEC", o->spec,
                   "A preset name, OWNER/REPO (its one GGUF, or its Q4_K_M one) or OWNER/REPO:FILE.gguf")
      ->required();
  pull->add_option("--revision", o->revision, "Branch, tag or commit of the repository")->capture_default_str();
  pull->add_option("--name", o->name, "Name in the cache (default: the preset's, or the file's name without .gguf)");
  pull->add_flag("--force", o->force, "Download again even when the cache holds the same file");
  pull->add_flag("--quiet,-q", *quiet, "No progress bar");
  set_action(pull, [o, quiet] {
    o->quiet = *quiet;
    auto r = pull_model(*o);
    if (!r.ok()) return fail(r.status());
    const CachedModel& m = r->model;
    if (!r->downloaded) {
      std::cout << "already cached: " << m.name << " (" << m.path << ")\n";
    } else {
      std::cout << "pulled " << m.name << ": " << m.repo << "@" << m.revision << ":" << m.file << " ("
                << ProgressBar::format_mib(static_cast<size_t>(m.size)) << ", sha256 " << m.sha256 << ")"
                << (r->resumed_from > 0 ? ", resumed at byte " + std::to_string(r->resumed_from) : "") << "\n"
                << "  -> " << m.path << "\n";
    }
    std::cout << "use it with: t2sql ask --mode llm --model " << m.name
              << (m.prompt_style.empty() || m.prompt_style == "t2sql" ? "" : " --prompt-style " + m.prompt_style)
              << " \"...\"\n";
    return 0;
  });

  auto dir = std::make_shared<std::string>();
  CLI::App* list = model->add_subcommand("list", "List the models in the cache and the presets that `pull` knows");
  add_example(list, "  t2sql model list");
  list->add_option("--cache-dir", *dir, "The model cache (default: $XDG_CACHE_HOME/t2sql/models)");
  set_action(list, [dir] {
    std::string where = dir->empty() ? model_cache_dir() : *dir;
    auto models = list_cached_models(where);
    std::cout << "cached in " << where << ":\n";
    if (models.empty()) std::cout << "  (none; t2sql model pull NAME)\n";
    for (const auto& m : models) {
      std::cout << "  " << std::left << std::setw(28) << m.name << std::right << std::setw(12)
                << ProgressBar::format_mib(static_cast<size_t>(m.size)) << "  "
                << (m.repo.empty() ? "(not pulled: no record)" : m.repo + ":" + m.file + "@" + m.revision) << "\n";
    }
    std::cout << "presets:\n";
    for (const auto& p : model_presets()) {
      std::cout << "  " << std::left << std::setw(28) << p.name << std::right << std::setw(6) << p.size << "  "
                << p.repo << ":" << p.file << "  prompt style " << p.prompt_style << ", " << p.license << "\n";
    }
    return 0;
  });
}

}  // namespace t2sql::cli
