#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli.h"
#include "eval/benchmark_suite.h"
#include "eval/embedding_similarity.h"
#include "eval/eval_mode.h"
#include "eval/eval_report.h"
#include "eval/eval_runner.h"
#include "eval/retrieving_generator.h"
#include "eval/training_shapes.h"
#include "llm/llm_judge.h"
#include "db/postgres_database.h"
#include "db/postgres_loader.h"
#include "eval/gold_generator.h"
#include "generate/template_generator.h"
#include "t2sql/demo.h"
#include "t2sql/generator.h"
#include "t2sql/llm_backend.h"
#include "t2sql/retrieval.h"

namespace t2sql::cli {

namespace {

struct EvalCliOptions {
  std::vector<std::string> disabled_rules;
  std::string suite, data, modes = "template", json_path, markdown_path, db, model, defog_db_uri, pg;
  std::string lora, llm_url, llm_model;
  std::string judge_model, judge_url, judge_model_name, judge_endpoint = "chat";
  std::string embed_model, train_data;
  int jobs = 1, limit = 0, max_tokens = 256, max_repairs = 2;
  int64_t timeout_ms = 10000, max_rows = 100000;
  double fail_under = -1;
  bool quiet = false, no_grammar = false, rag = false, no_rag = false;
  bool retrieval_only = false;
  bool top_columns_given = false;  // --top-columns on the command line (else RetrievalOptions' default)
  RetrievalEvalCliOptions retrieval;
};

// Checks that a report can be written before any work is done.
Status check_writable(const std::string& path, const char* option) {
  if (path.empty()) return Status();
  std::filesystem::path p(path);
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec))
    return invalid_argument(std::string(option) + " '" + path + "' is a folder");
  auto parent = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(parent, ec)) {
    return invalid_argument(std::string(option) + ": folder '" + parent.string() + "' does not exist");
  }
  return Status();
}

Status write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".building";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return invalid_argument("cannot write '" + path + "'");
    out << text;
    if (!out) return invalid_argument("cannot write '" + path + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return invalid_argument("cannot write '" + path + "': " + ec.message());
  return Status();
}

int run_eval(const EvalCliOptions& o) {
  if (o.retrieval_only) {
    if (o.suite != "spider") return fail("--retrieval-only measures the Spider questions: use --suite spider");
    RetrievalEvalCliOptions r = o.retrieval;
    r.spider_dir = o.data;
    r.json_path = o.json_path;
    r.limit = o.limit;
    r.quiet = o.quiet;
    return run_retrieval_eval(r);
  }
  if (o.suite != "spider" && o.suite != "defog" && o.suite != "jsonl" && o.suite != "demo") {
    return fail("--suite must be spider, defog, jsonl or demo (got '" + o.suite + "')");
  }
  if (o.suite != "demo" && o.data.empty()) return fail("--suite " + o.suite + " needs --data PATH");
  if (o.jobs < 1 || o.jobs > 256) return fail("--jobs must be between 1 and 256");
  if (o.limit < 0) return fail("--limit must not be negative");
  if (o.timeout_ms <= 0) return fail("--timeout-ms must be positive");
  if (o.max_rows <= 0) return fail("--max-rows must be positive");
  if (o.rag && o.no_rag) return fail("--rag and --no-rag contradict each other");
  auto modes = parse_eval_modes(o.modes, o.rag);
  if (!modes.ok()) return fail(modes.status());
  bool any_rag = false, any_llm = false;
  for (const auto& m : *modes) {
    any_rag = any_rag || m.rag;
    any_llm = any_llm || m.engine == "llm" || m.engine == "ensemble";
  }
  if (any_llm && o.model.empty() && o.llm_url.empty())
    return fail("--mode llm and ensemble need --model GGUF or --llm-url URL");
  if (!o.model.empty() && !o.llm_url.empty()) return fail("give --model or --llm-url, not both");
  RetrievalOptions retrieval;
  retrieval.embedder = o.retrieval.embedder;
  retrieval.token_budget = o.retrieval.token_budget;
  if (retrieval.token_budget < 0) return fail("--token-budget must not be negative");
  if (o.top_columns_given) {
    char* end = nullptr;
    long n = std::strtol(o.retrieval.top_columns.c_str(), &end, 10);
    if (any_rag && (*end != '\0' || n < 1))
      return fail("--top-columns with a +rag mode wants one number of at least 1 (got '" + o.retrieval.top_columns +
                  "')");
    if (any_rag) retrieval.top_columns = static_cast<int>(n);
  }
  if (o.max_tokens < 1) return fail("--max-tokens must be at least 1");
  if (o.max_repairs < 0) return fail("--max-repairs must not be negative");
  if (!o.judge_model.empty() && !o.judge_url.empty()) return fail("give --judge-model or --judge-url, not both");
  if (Status s = check_writable(o.json_path, "--json"); !s.ok()) return fail(s);
  if (Status s = check_writable(o.markdown_path, "--markdown"); !s.ok()) return fail(s);

  // What every mode shares: the similarity measure, the judge, the training shapes.
  EvalOptions shared;
  shared.similarity_measure = "lexical (cosine of normalized SQL token unigrams and bigrams)";
  if (!o.embed_model.empty()) {
    auto sim = make_embedding_similarity(o.embed_model, 0);
    if (!sim.ok()) return fail("--embed-model: " + sim.status().message());
    shared.similarity = *sim;
    shared.similarity_measure =
        "embedding cosine (" + std::filesystem::path(o.embed_model).filename().string() + ")";
  }
  if (!o.judge_model.empty() || !o.judge_url.empty()) {
    LlmBackendOptions judge;
    judge.model_path = o.judge_model;
    judge.url = o.judge_url;
    judge.model_name = o.judge_model_name;
    judge.endpoint = o.judge_endpoint;
    auto backend = make_llm_backend(judge);
    if (!backend.ok()) return fail("judge: " + backend.status().message());
    std::shared_ptr<LlmBackend> shared_backend = std::move(*backend);
    shared.judge_name = shared_backend->name();
    shared.judge = make_llm_judge(shared_backend);
  }
  if (!o.train_data.empty()) {
    auto shapes = TrainingShapes::load(o.train_data);
    if (!shapes.ok()) return fail("--train-data: " + shapes.status().message());
    shared.training_set = std::filesystem::path(o.train_data).filename().string() + " (" +
                          std::to_string(shapes->example_count()) + " examples, " +
                          std::to_string(shapes->shape_count()) + " skeletons)";
    shared.training_shapes = std::make_shared<const TrainingShapes>(std::move(*shapes));
  }

  SuiteOptions suite_options;
  suite_options.defog_db_uri_template = o.defog_db_uri;
  if (!o.pg.empty()) {
    if (o.suite != "defog") return fail("--pg is for --suite defog");
    if (!o.defog_db_uri.empty()) return fail("give --pg or --defog-db-uri, not both");
    // --data is the defog folder or one of its questions/*.csv files.
    std::filesystem::path root = o.data;
    if (std::filesystem::is_regular_file(root)) root = root.parent_path().parent_path();
    auto loaded = load_defog_postgres(o.pg, root.string());
    if (!loaded.ok()) return fail(loaded.status());
    std::cerr << "loaded " << loaded->size() << " defog databases into PostgreSQL\n";
    suite_options.defog_db_uri_template = with_database(o.pg, "defog_{db}");
    suite_options.defog_prefer_uri = true;
  }
  bool needs_demo = o.suite == "demo" || o.suite == "jsonl";
  if (needs_demo) {
    if (!o.db.empty()) {
      std::string path = o.db.starts_with("sqlite://") ? o.db.substr(9) : o.db;
      if (!std::filesystem::exists(path)) return fail("--db '" + o.db + "' does not exist");
      suite_options.demo_db_path = path;
    } else {
      auto path = ensure_demo_warehouse();
      if (!path.ok()) return fail(path.status());
      suite_options.demo_db_path = *path;
    }
  }
  Result<BenchmarkSuite> suite = invalid_argument("no suite");
  if (o.suite == "spider")
    suite = load_spider_suite(o.data, suite_options);
  else if (o.suite == "defog")
    suite = load_defog_suite(o.data, suite_options);
  else if (o.suite == "jsonl")
    suite = load_jsonl_suite(o.data, suite_options);
  else {
    suite = load_jsonl_suite(o.data.empty() ? default_demo_suite_path() : o.data, suite_options);
    if (suite.ok()) suite->name = "demo";
  }
  if (!suite.ok()) return fail(suite.status());
  for (const auto& s : suite->skipped) std::cerr << "skipped " << s << "\n";
  if (suite->cases.empty()) {
    return fail("the suite has no question whose database is available (" + std::to_string(suite->skipped.size()) +
                " skipped)");
  }

  std::vector<EvalRun> runs;
  for (const auto& spec : *modes) {
    const std::string& mode = spec.label;
    GeneratorFactory factory;
    if (spec.engine == "gold") {
      auto answers = std::make_shared<std::map<std::string, std::map<std::string, std::string>>>();
      // Keyed as Database::uri() reports it: PostgreSQL hides the password.
      for (const auto& c : suite->cases) {
        (*answers)[redact_password(c.db_uri)].emplace(c.question, c.gold_alternatives.front());
      }
      factory = [answers](const Catalog&, Database* db) -> Result<std::unique_ptr<Generator>> {
        auto it = answers->find(db->uri());
        return std::unique_ptr<Generator>(
            new GoldGenerator(it == answers->end() ? std::map<std::string, std::string>{} : it->second));
      };
    } else {
      GeneratorOptions gen;
      gen.mode = spec.engine;
      gen.model_path = o.model;
      gen.llm_url = o.llm_url;
      gen.llm_model_name = o.llm_model;
      gen.grammar = !o.no_grammar;
      gen.max_tokens = o.max_tokens;
      gen.max_repairs = o.max_repairs;
      gen.disabled_rules = o.disabled_rules;
      if (!o.lora.empty()) {
        auto lora = parse_lora_spec(o.lora);
        if (!lora.ok()) return fail("--lora: " + lora.status().message());
        gen.lora_path = lora->first;
        gen.lora_scale = lora->second;
      }
      bool rag = spec.rag;
      factory = [gen, rag, retrieval](const Catalog& catalog, Database* db) -> Result<std::unique_ptr<Generator>> {
        auto made = make_generator(gen, catalog, db);
        if (!made.ok() || !rag) return made;
        // The index is cached under the database's cache folder, as `t2sql ask --rag` caches it.
        RetrievalOptions r = retrieval;
        r.cache_dir = database_cache_dir(db->uri());
        return make_retrieving_generator(std::move(*made), catalog, r);
      };
    }
    EvalOptions options = shared;
    options.mode = mode;
    options.rag = spec.rag;
    options.jobs = o.jobs;
    options.limit = o.limit;
    options.predicted_exec = {.timeout_ms = o.timeout_ms, .max_rows = o.max_rows};
    options.gold_exec = {.timeout_ms = std::max<int64_t>(o.timeout_ms, 30000), .max_rows = o.max_rows};
    options.progress = !o.quiet;
    auto run = run_evaluation(*suite, factory, options);
    if (!run.ok()) return fail(run.status());
    // A generator that cannot be built at all (no model file) is a failure
    // of the command, not a row of misses.
    bool all_broken = !run->cases.empty();
    for (const auto& c : run->cases) {
      if (!c.gold_ok || !c.reason.starts_with("generator:")) all_broken = false;
    }
    if (all_broken) return fail("mode " + mode + ": " + run->cases.front().reason);
    runs.push_back(std::move(*run));
  }

  std::vector<EvalSummary> summaries;
  std::vector<const EvalRun*> run_ptrs;
  for (const auto& r : runs) {
    summaries.push_back(summarize(r));
    run_ptrs.push_back(&r);
  }
  std::cout << report_table(summaries);
  for (const auto& r : runs) {
    for (const auto& c : r.cases) {
      if (!c.gold_ok) std::cerr << "gold query failed for " << c.id << ": " << c.reason << "\n";
    }
  }
  if (!o.json_path.empty()) {
    if (Status s = write_file(o.json_path, report_json(summaries, run_ptrs, true)); !s.ok()) return fail(s);
  }
  if (!o.markdown_path.empty()) {
    if (Status s = write_file(o.markdown_path, report_markdown(summaries, run_ptrs)); !s.ok()) return fail(s);
  }
  if (o.fail_under >= 0 && summaries.front().overall.execution_accuracy < o.fail_under) {
    return fail("execution accuracy " + std::to_string(summaries.front().overall.execution_accuracy) +
                " is under --fail-under " + std::to_string(o.fail_under));
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto opt = std::make_shared<EvalCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Measure engines on a benchmark side by side: execution accuracy, execution rate, exact-set match, answered "
      "rate, similarity, LLM judge, novel-question handling, prompt tokens, latency; by Spider hardness and by "
      "category");
  cmd->add_option("--suite", opt->suite,
                  "spider (dev.json + database/), defog (sql-eval CSVs), jsonl ({\"db\",\"question\",\"sql\"} a "
                  "line) or demo (the built-in demo warehouse suite)")
      ->required();
  cmd->add_option("--data", opt->data,
                  "The suite's data: Spider folder or JSON file, defog folder or CSV, JSONL file (demo: optional, "
                  "another JSONL suite over the demo warehouse)");
  cmd->add_option("--mode", opt->modes,
                  "Engine(s) to measure: template, llm, ensemble, or gold (the suite's own SQL: checks the suite); "
                  "llm+rag and ensemble+rag with schema retrieval; several, comma-separated, are shown side by side "
                  "(e.g. template,llm,llm+rag,ensemble)")
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "GGUF model for the llm and ensemble modes");
  std::string rule_names;
  for (const auto& n : template_rules::analyst_rule_names()) rule_names += (rule_names.empty() ? "" : ", ") + n;
  cmd->add_option("--disable-rule", opt->disabled_rules,
                  "Leave a template engine rule out, to measure what it is worth (repeatable): " + rule_names)
      ->check(CLI::IsMember(template_rules::analyst_rule_names()));
  cmd->add_option("--lora", opt->lora, "LoRA adapter (GGUF) for --model, optionally with a scale: PATH[:SCALE]");
  cmd->add_option("--llm-url", opt->llm_url,
                  "OpenAI-compatible server (llama-server, vLLM, Ollama) for the llm and ensemble modes, instead of "
                  "--model");
  cmd->add_option("--llm-model", opt->llm_model, "The model name to ask the --llm-url server for");
  cmd->add_option("--max-tokens", opt->max_tokens, "Token limit of each answer in the llm and ensemble modes")
      ->capture_default_str();
  cmd->add_option("--max-repairs", opt->max_repairs,
                  "Re-prompts after a validation error in the llm and ensemble modes")
      ->capture_default_str();
  cmd->add_flag("--no-grammar", opt->no_grammar, "Turn off grammar-constrained decoding in the llm and ensemble modes");
  cmd->add_flag("--rag", opt->rag,
                "Schema retrieval on for every llm and ensemble mode (reported as llm+rag, ensemble+rag): the model "
                "sees only the columns the vector index returns, as `t2sql ask --rag`");
  cmd->add_flag("--no-rag", opt->no_rag,
                "The whole schema for llm and ensemble modes written without +rag (the default)");
  cmd->add_option("--judge-model", opt->judge_model,
                  "LLM-as-judge: a GGUF model asked whether each predicted query is functionally the same as the "
                  "gold one (answer 1 or 0); adds the \"judge\" metric");
  cmd->add_option("--judge-url", opt->judge_url,
                  "LLM-as-judge on an OpenAI-compatible server instead of --judge-model");
  cmd->add_option("--judge-model-name", opt->judge_model_name, "The model name to ask the --judge-url server for");
  cmd->add_option("--judge-endpoint", opt->judge_endpoint,
                  "The --judge-url endpoint: chat (the server applies the model's chat template) or completions")
      ->check(CLI::IsMember({"chat", "completions"}))
      ->capture_default_str();
  cmd->add_option("--embed-model", opt->embed_model,
                  "GGUF embedding model for the similarity metric (cosine of the gold and predicted SQL's "
                  "embeddings); without it the similarity is lexical");
  cmd->add_option("--train-data", opt->train_data,
                  "The training set (JSONL: gen-data's train.jsonl, sql-create-context, chat or t2sql lines): a "
                  "question whose gold SQL shape (literals and names masked) is not in it is novel, and "
                  "\"novel-question handling\" is the execution accuracy on those");
  cmd->add_option("--json", opt->json_path, "Write the metrics, breakdowns and every question's outcome as JSON");
  cmd->add_option("--markdown", opt->markdown_path, "Write a Markdown report listing each failure");
  cmd->add_option("--jobs,-j", opt->jobs, "Questions evaluated in parallel (one connection per worker)")
      ->capture_default_str();
  cmd->add_option("--limit", opt->limit, "Only the first N questions (0: all)")->capture_default_str();
  cmd->add_option("--db", opt->db, "The demo warehouse to use for \"demo\" databases (default: the user's copy)");
  cmd->add_option("--timeout-ms", opt->timeout_ms, "Time limit of each predicted query")->capture_default_str();
  cmd->add_option("--max-rows", opt->max_rows, "Row cap of each query; a larger result counts as a miss")
      ->capture_default_str();
  cmd->add_option("--defog-db-uri", opt->defog_db_uri,
                  "defog: URI for databases with no SQLite file, {db} replaced by the name "
                  "(e.g. postgresql://127.0.0.1/{db})");
  cmd->add_option("--pg", opt->pg,
                  "defog: load every PostgreSQL dump under --data into this server as a fresh database defog_<db> "
                  "(the URI of a role that may create databases, e.g. postgresql://postgres:pw@127.0.0.1/postgres) "
                  "and run every question there");
  cmd->add_option("--fail-under", opt->fail_under, "Exit 1 when execution accuracy is below this fraction (CI)");
  cmd->add_flag("--quiet,-q", opt->quiet, "No progress bar");
  cmd->add_flag("--retrieval-only", opt->retrieval_only,
                "Measure schema retrieval alone (Spider): gold-column recall, prompt tokens and latency at each "
                "--top-columns N");
  cmd->add_option("--catalog", opt->retrieval.catalog,
                  "With --retrieval-only: db (each question against its own database) or stress (every schema of "
                  "the shared data plus look-alikes: 2,000 tables, 20,000 columns)")
      ->check(CLI::IsMember({"db", "stress"}))
      ->capture_default_str();
  CLI::Option* top_columns =
      cmd->add_option("--top-columns", opt->retrieval.top_columns,
                      "Columns the vector index returns: with --retrieval-only the N values to sweep, "
                      "comma-separated; with a +rag mode one N (default 40)")
          ->capture_default_str();
  cmd->add_option("--token-budget", opt->retrieval.token_budget,
                  "With --retrieval-only or a +rag mode: cap on the retrieved DDL's tokens (0: none)")
      ->capture_default_str();
  cmd->add_option("--embedder", opt->retrieval.embedder,
                  "With --retrieval-only or a +rag mode: the index's embedder, hash, hash:<dim> or a GGUF embedding "
                  "model")
      ->capture_default_str();
  set_action(cmd, [opt, top_columns] {
    opt->top_columns_given = top_columns->count() > 0;
    return run_eval(*opt);
  });
}

}  // namespace t2sql::cli
