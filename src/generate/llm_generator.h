// LlmGenerator: the "llm" mode. A language model writes the SQL from a prompt
// (PromptBuilder), under a grammar built from the prompt's schema
// (SqlGrammar) unless switched off; the database checks it without running it
// (Database::validate); on an error the error goes back to the model, at most
// `max_repairs` times (GenerationRequest::max_repairs when set: the pipeline's
// repair stage decides, so this is the one repair loop of the LLM modes).
// Every try is a GenerationAttempt of the result.
//
// EnsembleGenerator: the "ensemble" mode. The LLM's SQL when it validates and
// runs on the database, else the template engine's answer; `engine` and
// `reason` of the result say which and why.
//
// Each owns its backend / generators; not thread-safe beyond what the
// backend allows (one generate() at a time per generator).
#pragma once

#include <memory>
#include <optional>

#include "t2sql/database.h"
#include "t2sql/generator.h"
#include "t2sql/llm_backend.h"
#include "t2sql/prompt.h"

namespace t2sql {

struct LlmGeneratorOptions {
  PromptFormat format = PromptFormat::kChat;
  PromptStyle style = PromptStyle::kT2sql;
  std::optional<int> sample_values;  // unset: the style's choice
  bool grammar = true;
  // Room to think: the model may reason in prose before its final ```sql
  // fence; only the SQL in the fence is constrained, and the token limit is
  // kThinkTokenFactor times max_tokens.
  bool think = false;
  int max_repairs = 2;
  int max_tokens = 256;
  float temperature = 0.0f;
  float top_p = 1.0f;
  uint32_t seed = 42;
  // > 1: an execution vote among this many statements (GeneratorOptions::candidates).
  int candidates = 1;
  float vote_temperature = 0.7f;
  std::string system_prompt;  // empty: PromptBuilder's default for the dialect
};

inline constexpr int kThinkTokenFactor = 4;

class LlmGenerator final : public Generator {
 public:
  // `db` may be null: then SQL is only checked to be one read-only statement.
  LlmGenerator(std::shared_ptr<LlmBackend> backend, Catalog catalog, Database* db, LlmGeneratorOptions options);

  std::string name() const override;
  Result<GenerationResult> generate(const GenerationRequest& request) override;

  LlmBackend& backend() { return *backend_; }

  // The prompt of the first try for `request`, as generate() would send it.
  Prompt prompt_for(const GenerationRequest& request) const;

 private:
  std::shared_ptr<LlmBackend> backend_;
  Catalog catalog_;
  Database* db_;
  PromptInput prompt_input(const GenerationRequest& request) const;
  // One answer with up to `repairs` re-prompts; the last try's mean
  // log-probability goes to *mean_logprob.
  Result<GenerationResult> generate_with(const GenerationRequest& request, float temperature, uint32_t seed,
                                         int repairs, bool logprobs, double* mean_logprob);
  // The execution vote among `greedy` and `candidates` - 1 sampled answers.
  Result<GenerationResult> vote(const GenerationRequest& request, int candidates, GenerationResult greedy,
                                double greedy_logprob);

  LlmGeneratorOptions options_;
  PromptBuilder builder_;
  std::string database_name_;
};

class EnsembleGenerator final : public Generator {
 public:
  // `db` runs the LLM's SQL (row cap 1, short timeout) before it is trusted;
  // without one, validation by the LLM generator is all.
  EnsembleGenerator(std::unique_ptr<Generator> llm, std::unique_ptr<Generator> fallback, Database* db);

  std::string name() const override { return "ensemble"; }
  Result<GenerationResult> generate(const GenerationRequest& request) override;

 private:
  std::unique_ptr<Generator> llm_, fallback_;
  Database* db_;
};

// What LlmGenerator shows its model for `request` over `catalog` (the
// request's schema_ddl narrows the catalog; see PromptInput). `catalog` must
// outlive the result. `t2sql prompt` renders the same input.
PromptInput llm_prompt_input(const GenerationRequest& request, const Catalog& catalog, const std::string& db_name,
                             const std::string& system_prompt = "");

// "shop" for a database at ".../shop.sqlite" or "postgresql://host/shop":
// the name a prompt gives the database; empty without one.
std::string database_name(const Database* db);

// The prompt options that GeneratorOptions describe, with the model's chat
// template; kInvalidArgument for an unknown format or style.
Result<PromptOptions> llm_prompt_options(const GeneratorOptions& options, const std::string& chat_template);

// The LLM generator configured by GeneratorOptions (model_path or llm_url,
// lora, grammar, repairs, sampling). Errors of make_llm_backend.
Result<std::unique_ptr<Generator>> make_llm_generator(const GeneratorOptions& options, const Catalog& catalog,
                                                      Database* db);

// The backend options that GeneratorOptions describe.
LlmBackendOptions llm_backend_options(const GeneratorOptions& options);

}  // namespace t2sql
