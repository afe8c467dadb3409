// Pipeline: one question through the named stages of t2sql, over one
// database, recording what each stage did and how long it took.
//
//   auto pipe = Pipeline::create(std::move(db), {.generator = {.mode = "template"}});
//   if (!pipe.ok()) return fail(pipe.status());
//   AskResult r = (*pipe)->ask("total sales in 2023");
//   if (r.answered) print(r.sql, r.rows, r.answer);  // r.stages: the trace
//
// Stages, in order (each can be switched off by name, as an evaluation that
// measures what a stage is worth does):
//   intent      data question / schema question / small talk / refused request
//   entities    numbers, years, months, dates, ranges, top-k, values found in
//               the database's text columns
//   retrieval   the part of the schema the question needs (a ContextRetriever;
//               only when RAG is on)
//   generation  the Generator of the configured mode writes the SQL
//   validation  one read-only statement the database can plan
//   repair      the generator's tries after a validation error (the error goes
//               back to the model; the stage sets their number and records
//               them), and cutting fences and prose off an answer
//   execution   runs the statement read-only (timeout, row cap)
//   chart       a Vega-Lite spec chosen from the result's shape
//   answer      a one-line summary of the result
//
// A Pipeline owns its Database and Generator and is not thread-safe: a server
// keeps one per worker. Abstentions and refusals are results (answered =
// false, reason set), not errors; `AskResult::error` is set only when a
// component broke (a database that went away, a model that failed).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "t2sql/catalog.h"
#include "t2sql/chart.h"
#include "t2sql/database.h"
#include "t2sql/generator.h"
#include "t2sql/status.h"
#include "t2sql/value.h"

namespace t2sql {

enum class Intent {
  kData,       // answered with SQL
  kSchema,     // answered from the catalog ("which tables are there?")
  kSmallTalk,  // a greeting or a question about t2sql itself
  kRefused,    // a request to change data or to reach outside the database
};

const char* intent_name(Intent intent);  // "data", "schema", "small_talk", "refused"

// One stage's entry in the trace.
struct StageRecord {
  std::string name;
  // "ok", "skipped" (switched off, or not needed for this question),
  // "failed", "refused" or "abstained".
  std::string status;
  std::string output_json;  // what the stage produced, a JSON object
  double elapsed_ms = 0;
};

// What the retrieval stage hands to generation.
struct RetrievedContext {
  std::string schema_ddl;            // CREATE TABLE statements of just what is needed
  std::vector<std::string> tables;   // the tables kept
  std::vector<std::string> columns;  // "table.column", the columns kept
  std::vector<SqlExample> examples;  // similar questions with their SQL
  std::string source;                // which retriever ("lexical", "faiss", ...)
};

// The retrieval stage's engine. The pipeline has a lexical one built in (words
// of the question against table and column names and descriptions, closed over
// foreign keys); a vector-index retriever plugs in with set_retriever().
class ContextRetriever {
 public:
  virtual ~ContextRetriever() = default;
  virtual std::string name() const = 0;
  // `linked_values` come from the entities stage (empty when it is off).
  virtual Result<RetrievedContext> retrieve(const std::string& question, const Catalog& catalog,
                                            const std::vector<LinkedValue>& linked_values) = 0;
};

struct PipelineOptions {
  GeneratorOptions generator;
  // Stages switched off by name (see stage_names()). Switching off "execution"
  // also leaves chart and answer without rows.
  std::vector<std::string> disabled_stages;
  bool use_rag = false;  // the retrieval stage runs only when this is on
  // Few-shot examples: a JSONL file of question/SQL pairs (ExampleStore's
  // shapes); the `examples_count` most like the question go to the
  // generator when retrieval brought none. Empty: no store.
  std::string examples_path;
  int examples_count = 3;
  // The feedback file (t2sql/feedback.h; default_feedback_path() gives the
  // database's own). Its accepted examples answer the same question exactly
  // (engine "feedback", in every mode) and come first among the few-shot
  // examples; it is read again when it changes. Empty: no feedback.
  std::string feedback_path;
  // Re-tries after a validation error: the LLM generator's repair loop gets
  // this budget through GenerationRequest::max_repairs (0 when the repair
  // stage is off); the repair stage also cuts fences and trailing prose.
  int max_repairs = 2;
  ExecOptions exec = {.timeout_ms = 10000, .max_rows = 1000};
};

// Earlier turns of one conversation, so that "and in 2024?" means "total sales
// in 2024" after "total sales in 2023". Plain data; one per conversation.
struct Turn {
  std::string question;            // as asked
  std::string effective_question;  // after follow-up resolution
  std::string sql;
};
struct Session {
  std::vector<Turn> turns;
  size_t max_turns = 8;  // older turns are dropped
  void add(Turn turn);
  std::string to_json() const;
  static Result<Session> from_json(const std::string& text);
};

struct AskResult {
  std::string question;            // as asked
  std::string effective_question;  // after follow-up resolution
  bool follow_up = false;
  Intent intent = Intent::kData;
  bool answered = false;
  std::string reason;  // why not answered (abstention, refusal, failure)
  std::string sql;
  bool executed = false;
  ResultSet rows;
  ChartSpec chart;
  std::string chart_vega_lite;  // empty when the chart stage did not run
  std::string answer;           // one line
  // What the SQL does in plain English, from its parse (sql/sql_explainer.h);
  // set whenever `sql` is, for every engine.
  std::string explanation;
  std::string engine;           // the generator that wrote the SQL
  double confidence = 0;
  std::map<std::string, double> confidence_features;  // what the confidence was computed from (generator.h)
  std::vector<std::string> rules;  // template engine: the named rules that shaped the SQL
  // Other plausible readings of the question (template engine): SQL and one line each.
  std::vector<GenerationResult::Alternative> alternatives;
  bool rag_used = false;
  std::string prompt;                            // the exact text the model got (empty for the template engine)
  int prompt_tokens = 0, completion_tokens = 0;  // the generator's, every try summed
  std::vector<GenerationAttempt> attempts;       // the generator's tries
  std::vector<VoteCandidate> candidates;         // the execution vote's statements (--candidates); empty: no vote
  bool vote_differs_from_greedy = false;         // the vote chose another result than the greedy statement's
  std::vector<StageRecord> stages;
  double total_ms = 0;
  Status error;  // a broken component; answered is then false
};

// {"question", "effective_question", "follow_up", "intent", "answered",
//  "reason", "sql", "columns", "column_types", "rows", "row_count",
//  "truncated", "chart" (the Vega-Lite spec or null), "chart_kind", "answer",
//  "explanation" (the SQL in words), "column_formats" (per column: {"kind",
//  "decimals", "thousands", "suffix", "align"}, number_format.h), "engine",
//  "confidence", "rag_used", "prompt", "stages": [{"name", "status",
//  "elapsed_ms", "output"}], "total_ms"}
std::string ask_result_to_json(const AskResult& result);
// One stage as {"name", "status", "elapsed_ms", "output"}.
std::string stage_record_to_json(const StageRecord& stage);

// How a Pipeline makes its generator; make_generator() by default.
using GeneratorFactory =
    std::function<Result<std::unique_ptr<Generator>>(const GeneratorOptions&, const Catalog&, Database*)>;

struct AskOptions {
  std::optional<bool> use_rag;  // overrides PipelineOptions::use_rag
  // Overrides GeneratorOptions::candidates (the LLM's execution vote), 1 to kMaxCandidates.
  std::optional<int> candidates;
  // Domain hints for a model, shown with the question ("revenue = price *
  // quantity"); the template engine does not use them. Checked like the
  // question: valid UTF-8, at most 4000 bytes.
  std::string instructions;
  std::function<void(const StageRecord&)> on_stage;  // called as each stage ends
  // Run this SQL instead of generating (a user's edit of an answer): intent,
  // entities, retrieval and generation do not run; the statement goes through
  // validation, the read-only guard, execution (timeout, row cap), chart and
  // answer as a generated one would, with engine "user".
  std::optional<std::string> sql;
};

class Pipeline {
 public:
  // Reads the catalog of `db` and builds the generator with make_generator().
  static Result<std::unique_ptr<Pipeline>> create(std::unique_ptr<Database> db, const PipelineOptions& options);
  // With another way of making generators (a server's, a test's).
  static Result<std::unique_ptr<Pipeline>> create(std::unique_ptr<Database> db, const PipelineOptions& options,
                                                  const GeneratorFactory& factory);
  // With a generator made by the caller.
  static Result<std::unique_ptr<Pipeline>> create(std::unique_ptr<Database> db, const PipelineOptions& options,
                                                  std::unique_ptr<Generator> generator);
  ~Pipeline();

  // Runs the stages. `session`, when given, supplies earlier turns and gets
  // this one appended when it produced SQL.
  AskResult ask(const std::string& question, Session* session = nullptr, const AskOptions& options = {});

  // What the generation stage would get for `question`: the input checks,
  // the entities' values, the retrieved schema and examples (when RAG is on)
  // and the few-shot examples, as ask() prepares them (follow-ups are not
  // resolved). kInvalidArgument for a question the input checks refuse.
  Result<GenerationRequest> generation_request(const std::string& question, const AskOptions& options = {});

  void set_retriever(std::unique_ptr<ContextRetriever> retriever);

  const Catalog& catalog() const;
  Database& database();
  std::string generator_name() const;
  const PipelineOptions& options() const;

  // "intent", "entities", "retrieval", "generation", "validation", "repair",
  // "execution", "chart", "answer".
  static const std::vector<std::string>& stage_names();
  // kInvalidArgument naming the first name that is not a stage.
  static Status check_stage_names(const std::vector<std::string>& names);

  struct Impl;

 private:
  explicit Pipeline(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<Pipeline>> build(std::unique_ptr<Database> db, const PipelineOptions& options,
                                                 Catalog catalog, std::unique_ptr<Generator> generator);
  std::unique_ptr<Impl> impl_;
};

// Example questions that suit `catalog`, for a page or a help text: the demo
// warehouse's own when the catalog is the demo's, else questions built from
// its tables and columns.
std::vector<std::string> example_questions(const Catalog& catalog, size_t max_count = 6);

}  // namespace t2sql
