#include "eval/eval_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/progress_bar.h"
#include "db/result_comparator.h"
#include "pipeline/vector_context_retriever.h"
#include "sql/sql_normalizer.h"
#include "sql/sql_similarity.h"
#include "sql/statement_guard.h"
#include "t2sql/pipeline.h"

namespace t2sql {

namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// What one worker holds for one database: its own pipeline (connection and
// generator).
struct WorkerDb {
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<Database> fallback_db;  // for the gold queries when the generator could not be made
  std::string engine;                     // the database's engine: the harness's guard reads its dialect
  Status error;  // why the database or the generator could not be made
};

const StageRecord* find_stage(const AskResult& r, const std::string& name) {
  for (const auto& s : r.stages)
    if (s.name == name) return &s;
  return nullptr;
}

// The pipeline's view of a case: the stages that make and run the SQL.
// Intent (conversation: greetings, schema questions), chart and answer do not
// change the SQL a benchmark question gets.
PipelineOptions pipeline_options(const EvalOptions& o) {
  PipelineOptions po;
  po.disabled_stages = {"intent", "chart", "answer"};
  po.use_rag = o.rag;
  po.max_repairs = o.max_repairs;
  po.exec = o.predicted_exec;
  return po;
}

class Worker {
 public:
  Worker(const EvalGeneratorFactory& factory, const EvalOptions& options) : factory_(factory), options_(options) {}

  void run_case(const EvalCase& c, CaseResult& r);

 private:
  WorkerDb& database(const std::string& uri);

  const EvalGeneratorFactory& factory_;
  const EvalOptions& options_;
  std::map<std::string, WorkerDb> dbs_;
};

WorkerDb& Worker::database(const std::string& uri) {
  auto it = dbs_.find(uri);
  if (it != dbs_.end()) return it->second;
  WorkerDb& w = dbs_[uri];
  auto db = Database::open(uri, options_.open);
  if (!db.ok()) {
    w.error = db.status();
    return w;
  }
  const std::string db_uri = (*db)->uri();
  w.engine = (*db)->engine();
  const EvalGeneratorFactory& factory = factory_;
  auto pipeline = Pipeline::create(
      std::move(*db), pipeline_options(options_),
      [&factory](const GeneratorOptions&, const Catalog& catalog, Database* d) -> Result<std::unique_ptr<Generator>> {
        auto gen = factory(catalog, d);
        if (!gen.ok()) return Status(gen.status().code(), "generator: " + gen.status().message());
        return gen;
      });
  if (!pipeline.ok()) {
    w.error = pipeline.status();
    // The database opened but the generator failed: gold answers still count.
    if (pipeline.status().message().rfind("generator: ", 0) == 0) {
      auto again = Database::open(uri, options_.open);
      if (again.ok()) w.fallback_db = std::move(*again);
    }
    return w;
  }
  w.pipeline = std::move(*pipeline);
  if (options_.rag) w.pipeline->set_retriever(make_default_retriever(db_uri, options_.retrieval));
  return w;
}

void Worker::run_case(const EvalCase& c, CaseResult& r) {
  r.id = c.id;
  r.db_id = c.db_id;
  r.question = c.question;
  r.gold_sql = c.gold_sql;
  r.category = c.category;
  r.hardness = c.hardness;
  if (options_.training_shapes) {
    // Novel when no accepted form of the gold query has a trained shape.
    r.novel = 1;
    for (const auto& alt : c.gold_alternatives) {
      if (options_.training_shapes->contains_shape_of(alt)) r.novel = 0;
    }
  }
  WorkerDb& w = database(c.db_uri);
  Database* db = w.pipeline ? &w.pipeline->database() : w.fallback_db.get();
  if (!db) {
    r.gold_ok = false;
    r.reason = "database: " + w.error.message();
    return;
  }
  // Gold results (each accepted alternative), once per question.
  std::vector<std::pair<ResultSet, bool>> gold;  // rows, ordered
  auto start = std::chrono::steady_clock::now();
  for (const auto& alt : c.gold_alternatives) {
    auto rows = db->execute(alt, options_.gold_exec);
    if (rows.ok()) gold.push_back({std::move(*rows), gold_is_ordered(alt)});
  }
  r.gold_ms = ms_since(start);
  if (gold.empty()) {
    auto rows = db->execute(c.gold_alternatives.front(), options_.gold_exec);
    r.gold_ok = false;
    r.reason = "gold query failed: " + (rows.ok() ? std::string("?") : rows.status().message());
    return;
  }
  if (!w.pipeline) {
    r.reason = w.error.message();
    return;
  }

  AskOptions ask;
  ask.instructions = c.instructions;
  AskResult asked = w.pipeline->ask(c.question, nullptr, ask);
  for (const auto& st : asked.stages) {
    if (st.name == "execution")
      r.execution_ms = st.elapsed_ms;
    else
      r.generation_ms += st.elapsed_ms;
  }
  const StageRecord* gen_stage = find_stage(asked, "generation");
  if (!asked.error.ok()) {
    if (options_.judge) r.judged = 0;
    // A broken generator, or a question the pipeline's input checks refuse.
    r.reason = (gen_stage && gen_stage->status == "failed" ? "generator error: " : "refused: ") + asked.error.message();
    if (gen_stage && gen_stage->status == "failed") {
      auto out = nlohmann::json::parse(gen_stage->output_json, nullptr, false);
      if (out.is_object()) r.reason = "generator error: " + out.value("error", asked.error.message());
    }
    return;
  }
  r.engine = asked.engine;
  r.confidence = asked.confidence;
  r.confidence_features = std::move(asked.confidence_features);
  r.rules = std::move(asked.rules);
  r.prompt_tokens = asked.prompt_tokens;
  if (!asked.candidates.empty()) r.vote = asked.vote_differs_from_greedy ? 1 : 0;
  if (r.prompt_tokens > 0) {
    // Every attempt is a model's try, except the template engine's answer
    // when an ensemble fell back to it (its engine then names no LLM).
    r.llm_tries = static_cast<int>(asked.attempts.size());
    if (r.engine.find("llm:") == std::string::npos && r.llm_tries > 1) --r.llm_tries;
    r.llm_tries = std::max(r.llm_tries, 1);
  }
  if (asked.sql.empty()) {
    if (options_.judge) r.judged = 0;
    r.reason = "abstained: " + (asked.reason.empty() ? std::string("no reason given") : asked.reason);
    return;
  }
  r.answered = true;
  r.predicted_sql = asked.sql;

  r.exact_match = false;
  for (const auto& alt : c.gold_alternatives) {
    if (sql_exact_set_match(alt, r.predicted_sql)) r.exact_match = true;
  }
  for (const auto& alt : c.gold_alternatives) {
    double sim =
        options_.similarity ? options_.similarity(alt, r.predicted_sql) : lexical_sql_similarity(alt, r.predicted_sql);
    r.similarity = std::max(r.similarity, sim);
  }
  if (options_.judge) {
    auto verdict = options_.judge(c, r.predicted_sql);
    if (verdict.ok()) r.judged = *verdict ? 1 : 0;
  }

  // The harness itself refuses anything but one read-only statement, whatever
  // the engine's own guard does.
  if (Status guard = check_read_only_statement(r.predicted_sql, Dialect::for_engine(w.engine).engine());
      !guard.ok()) {
    r.reason = "refused: " + guard.message();
    return;
  }
  if (!asked.executed) {
    // The database would not prepare it (validation) or run it (execution).
    const StageRecord* exec = find_stage(asked, "execution");
    auto out = exec ? nlohmann::json::parse(exec->output_json, nullptr, false) : nlohmann::json();
    bool timed_out = out.is_object() && out.value("code", "") == status_code_name(StatusCode::kDeadlineExceeded);
    std::string why = asked.reason;
    for (const char* prefix : {"the SQL did not validate: ", "the SQL failed to run: "})
      if (why.rfind(prefix, 0) == 0) why = why.substr(std::string(prefix).size());
    r.reason = timed_out ? "timed out after " + std::to_string(options_.predicted_exec.timeout_ms) + " ms"
                         : "execution error: " + why;
    return;
  }
  const ResultSet* predicted = &asked.rows;
  r.executed = true;
  CompareOptions compare{.ordered = false, .rel_tolerance = options_.rel_tolerance};
  std::string first_reason;
  for (const auto& [rows, ordered] : gold) {
    compare.ordered = ordered;
    CompareOutcome outcome = compare_results(rows, *predicted, compare);
    if (outcome.equal) {
      r.correct = true;
      r.reason.clear();
      return;
    }
    if (first_reason.empty()) first_reason = outcome.reason;
  }
  r.reason = "wrong result: " + first_reason;
}

}  // namespace

bool gold_is_ordered(const std::string& gold_sql) {
  SqlShape s = parse_sql_shape(gold_sql);
  if (!s.parsed) {
    // Unsplit text (WITH ...): ordered when its last ORDER BY is outside parentheses.
    size_t order = s.text.rfind("order by"), paren = s.text.rfind(')');
    return order != std::string::npos && (paren == std::string::npos || order > paren);
  }
  const SqlShape* last = &s;
  while (last->set_rhs) last = last->set_rhs.get();
  return !last->order_by.empty();
}

Result<EvalRun> run_evaluation(const BenchmarkSuite& suite, const EvalGeneratorFactory& factory,
                               const EvalOptions& options) {
  if (options.jobs < 1 || options.jobs > 256) return invalid_argument("--jobs must be between 1 and 256");
  if (options.limit < 0) return invalid_argument("--limit must not be negative");
  if (!factory) return invalid_argument("no generator factory");
  size_t n = suite.cases.size();
  if (options.limit > 0 && static_cast<size_t>(options.limit) < n) n = options.limit;

  EvalRun run;
  run.suite = suite.name;
  run.mode = options.mode;
  run.rag = options.rag;
  run.similarity_measure = options.similarity_measure;
  run.judge_name = options.judge ? options.judge_name : "";
  run.training_set = options.training_shapes ? options.training_set : "";
  run.jobs = options.jobs;
  run.skipped = suite.skipped;
  run.cases.resize(n);
  auto start = std::chrono::steady_clock::now();
  ProgressBar bar({.total = static_cast<int64_t>(n),
                   .label = "eval " + suite.name + " [" + options.mode + "]",
                   .unit = "q",
                   .style = options.progress ? ProgressOptions::Style::kAuto : ProgressOptions::Style::kSilent});
  std::atomic<size_t> next{0};
  std::atomic<int> correct{0}, finished{0};
  auto work = [&] {
    Worker worker(factory, options);
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      worker.run_case(suite.cases[i], run.cases[i]);
      int right = run.cases[i].correct ? correct.fetch_add(1) + 1 : correct.load();
      int done = finished.fetch_add(1) + 1;
      bar.advance(1, "accuracy " + std::to_string(100 * right / done) + "%");
    }
  };
  int jobs = std::min<int>(options.jobs, static_cast<int>(std::max<size_t>(n, 1)));
  if (jobs <= 1) {
    work();
  } else {
    std::vector<std::thread> threads;
    for (int j = 0; j < jobs; ++j) threads.emplace_back(work);
    for (auto& t : threads) t.join();
  }
  bar.finish();
  run.wall_ms = ms_since(start);
  return run;
}

}  // namespace t2sql
