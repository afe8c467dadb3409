// Generator: turns a question into one SELECT statement for one database.
// The three modes of t2sql (template, LLM, ensemble) are Generators; the
// pipeline and the evaluation harness only see this interface.
//
//   auto gen = make_template_generator(catalog, db.get());
//   auto out = gen->generate({.question = "total sales in 2023"});
//   if (out.ok() && out->answered) run(out->sql);
//
// A generator that cannot answer says so (answered = false, reason set):
// abstaining is an expected outcome, not an error. Result errors are for
// broken components (a model file that will not load, a server that is down).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "t2sql/catalog.h"
#include "t2sql/status.h"

namespace t2sql {

class Database;

// A value of the question found in the database ("apple" -> brands.brand_name = 'Apple').
struct LinkedValue {
  std::string table, column, value, matched_text;
  double score = 0;
  bool operator==(const LinkedValue&) const = default;
};

// Where a literal of the question is written: byte offsets [begin, end),
// the text there and what it reads as (a number: "1M" is 1e6, "a million",
// "five" 5; a month: 1..12).
struct QuestionSpan {
  size_t begin = 0, end = 0;
  std::string text;
  double value = 0;
  bool operator==(const QuestionSpan&) const = default;
};

// What the pipeline's entity stage read in a question: the literals SQL will
// need and the stored values it names. Generators get it with the request
// instead of reading the question again. One function reads it
// (read_question(), src/generate/question_reading.h): the entity stage calls
// it, and so does a generator called without one.
struct QuestionReading {
  std::vector<double> numbers;
  std::vector<int> years;
  std::vector<int> months;               // 1..12
  std::vector<std::string> dates;        // ISO, as written
  std::vector<std::string> ranges;       // "last year", "between march and may", ...
  std::optional<int> top_k;              // "top 5", "5 best"; "highest" alone is 1
  std::vector<std::string> comparisons;  // "more than 3", "at least 10", "before 2024"
  std::vector<LinkedValue> values;       // the database's value index, as ValueIndex::link reads it
  // Where the literals above are written, for an engine that places them
  // among the question's words (the template engine): every number, years
  // and dates included, in question order; the months; top_k's number (none
  // when a word alone implies it: "top") and its cue ("top", "bottom",
  // "highest", ...; before or after the number).
  std::vector<QuestionSpan> number_spans;
  std::vector<QuestionSpan> month_spans;
  std::optional<QuestionSpan> top_k_number;
  std::optional<QuestionSpan> top_k_cue;
  bool operator==(const QuestionReading&) const = default;
};

// A question/SQL pair shown to a model as a few-shot example.
struct SqlExample {
  std::string question, sql;
};

struct GenerationRequest {
  std::string question;
  // The schema the generator may use. Retrieval narrows it; empty = the
  // generator's whole catalog.
  std::string schema_ddl;
  std::vector<LinkedValue> linked_values;
  // The entity stage's reading of `question`, when that stage ran. The
  // template engine takes its value links from here rather than searching
  // the value index again.
  std::optional<QuestionReading> reading;
  std::vector<SqlExample> examples;
  // Earlier turns of a session, for follow-ups ("and in 2024?").
  std::vector<std::pair<std::string, std::string>> history;  // question, sql
  // Domain hints that come with the question ("CR = customer rank by total
  // transaction volume"; defog's instructions). A model reads them with the
  // question; the template engine does not use them.
  std::string instructions;
  // Re-tries after a validation error for this request (the pipeline's repair
  // stage sets it; 0 when that stage is off); -1: the generator's own setting.
  int max_repairs = -1;
  // The execution vote's statements for this request (1: no vote); 0: the
  // generator's own setting (GeneratorOptions::candidates).
  int candidates = 0;
};

// One try of a generator (an LLM may try several times; each is kept).
struct GenerationAttempt {
  std::string sql;
  std::string error;  // why this try was rejected, empty when accepted
  double elapsed_ms = 0;
};

// One statement of an execution vote (GeneratorOptions::candidates): the
// greedy one first, then the sampled ones.
struct VoteCandidate {
  std::string sql;
  std::string error;        // why it takes no part: it did not end, validate or run; empty otherwise
  double mean_logprob = 0;  // mean log-probability of its tokens (0 when the backend gives none)
  float temperature = 0;    // 0: greedy
  uint32_t seed = 0;
  int group = -1;  // its result set's group (0, 1, ... by first appearance); -1: takes no part
  int votes = 0;   // the size of its group
  bool chosen = false;
};

struct GenerationResult {
  bool answered = false;
  std::string sql;
  double confidence = 0;  // 0..1
  std::string reason;     // why not answered, or notes
  std::string engine;     // "template", "llm:<model>", ...
  std::vector<GenerationAttempt> attempts;
  int prompt_tokens = 0, completion_tokens = 0;
  // What the confidence was computed from (the template engine's reading:
  // see src/generate/template_calibration.h); empty for engines without one.
  // `t2sql eval --fit-calibration` fits on these.
  std::map<std::string, double> confidence_features;
  // The exact text the model got on its first try (empty for engines
  // without a model).
  std::string prompt;
  std::vector<std::string> rules;  // template engine: the named rules that shaped the SQL
  // The execution vote's candidates (empty without one) and whether the
  // chosen result differs from the greedy candidate's.
  std::vector<VoteCandidate> candidates;
  bool vote_differs_from_greedy = false;
  // Template engine: other plausible readings of the question (a span linked
  // about as well to another column or value), each its SQL and one line.
  struct Alternative {
    std::string sql, description;
  };
  std::vector<Alternative> alternatives;
};

class Generator {
 public:
  virtual ~Generator() = default;
  virtual std::string name() const = 0;
  virtual Result<GenerationResult> generate(const GenerationRequest& request) = 0;
};

// How to build a generator; one struct for every mode so that the CLI, the
// server and the evaluation harness configure engines the same way.
struct GeneratorOptions {
  std::string mode = "template";  // "template", "llm", "ensemble"
  // The ensemble's order: "template-first" (the template engine's answer when
  // its calibrated confidence reaches the threshold, else the LLM's) or
  // "llm-first" (the LLM's when its SQL runs, else the template engine's).
  std::string ensemble_order = "template-first";
  // The template engine abstains below this probability of being right;
  // negative: its rules' own gate, except in the template-first ensemble,
  // which then uses the calibrated threshold (85% right on Spider train).
  double min_confidence = -1;
  std::string model_path;         // GGUF, for llm and ensemble
  std::string lora_path;          // optional LoRA adapter (GGUF)
  float lora_scale = 1.0f;
  std::string llm_url;                       // OpenAI-compatible server instead of a local model
  std::string llm_model_name;                // the server's model name
  std::string llm_endpoint = "completions";  // "completions" (prompt text) or "chat" (messages)
  std::string prompt_format = "chat";        // "chat" or "sql-create-context" (see prompt.h)
  std::string prompt_style = "t2sql";        // "t2sql", "omnisql", "xiyan", "dail", "sqlcoder" (see prompt.h)
  int prompt_sample_values = -1;             // sample values per column in the prompt; -1: the style's choice
  int n_gpu_layers = 999;                    // layers offloaded when llama.cpp has a GPU backend
  bool grammar = true;                       // grammar-constrained decoding
  bool think = false;                        // prose first, then the SQL in a final ```sql fence
  int max_repairs = 2;                       // re-prompts after a validation error
  int threads = 0;                           // 0: all cores
  int n_ctx = 4096;
  int max_tokens = 256;
  float temperature = 0.0f;  // 0: greedy
  float top_p = 1.0f;
  uint32_t seed = 42;
  // LLM: > 1 asks the model for this many statements (the greedy one and
  // candidates - 1 sampled at vote_temperature with seeds seed+1, ...), runs
  // each read-only and answers with the largest group of equal result sets.
  int candidates = 1;
  float vote_temperature = 0.7f;
  std::vector<std::string> disabled_rules;  // template engine: rules left out by name (eval --disable-rule)
};

// The most statements one execution vote may ask for (--candidates, the API's "candidates").
inline constexpr int kMaxCandidates = 16;

// Builds the generator for `options.mode` over `catalog`; `db` (may be null)
// lets a generator validate SQL and link values. kInvalidArgument for an
// unknown mode, kNotFound / kInvalidArgument for a missing or broken model.
Result<std::unique_ptr<Generator>> make_generator(const GeneratorOptions& options, const Catalog& catalog,
                                                  Database* db);

}  // namespace t2sql
