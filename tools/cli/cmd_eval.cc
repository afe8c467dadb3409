#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli.h"
#include "eval/benchmark_suite.h"
#include "eval/eval_report.h"
#include "eval/eval_runner.h"
#include "eval/gold_generator.h"
#include "t2sql/demo.h"
#include "t2sql/generator.h"

namespace t2sql::cli {

namespace {

struct EvalCliOptions {
  std::string suite, data, modes = "template", json_path, markdown_path, db, model, defog_db_uri;
  int jobs = 1, limit = 0;
  int64_t timeout_ms = 10000, max_rows = 100000;
  double fail_under = -1;
  bool quiet = false;
};

// Checks that a report can be written before any work is done.
Status check_writable(const std::string& path, const char* option) {
  if (path.empty()) return Status();
  std::filesystem::path p(path);
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) return invalid_argument(std::string(option) + " '" + path + "' is a folder");
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

std::vector<std::string> split_modes(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string m; std::getline(ss, m, ',');) {
    if (!m.empty()) out.push_back(m);
  }
  return out;
}

int run_eval(const EvalCliOptions& o) {
  if (o.suite != "spider" && o.suite != "defog" && o.suite != "jsonl" && o.suite != "demo") {
    return fail("--suite must be spider, defog, jsonl or demo (got '" + o.suite + "')");
  }
  if (o.suite != "demo" && o.data.empty()) return fail("--suite " + o.suite + " needs --data PATH");
  if (o.jobs < 1 || o.jobs > 256) return fail("--jobs must be between 1 and 256");
  if (o.limit < 0) return fail("--limit must not be negative");
  if (o.timeout_ms <= 0) return fail("--timeout-ms must be positive");
  if (o.max_rows <= 0) return fail("--max-rows must be positive");
  std::vector<std::string> modes = split_modes(o.modes);
  if (modes.empty()) return fail("--mode is empty");
  for (const auto& m : modes) {
    if (m != "template" && m != "llm" && m != "ensemble" && m != "gold") {
      return fail("unknown --mode '" + m + "' (template, llm, ensemble or gold)");
    }
  }
  if (Status s = check_writable(o.json_path, "--json"); !s.ok()) return fail(s);
  if (Status s = check_writable(o.markdown_path, "--markdown"); !s.ok()) return fail(s);

  SuiteOptions suite_options;
  suite_options.defog_db_uri_template = o.defog_db_uri;
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
  if (o.suite == "spider") suite = load_spider_suite(o.data, suite_options);
  else if (o.suite == "defog") suite = load_defog_suite(o.data, suite_options);
  else if (o.suite == "jsonl") suite = load_jsonl_suite(o.data, suite_options);
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
  for (const auto& mode : modes) {
    GeneratorFactory factory;
    if (mode == "gold") {
      auto answers = std::make_shared<std::map<std::string, std::map<std::string, std::string>>>();
      for (const auto& c : suite->cases) (*answers)[c.db_uri].emplace(c.question, c.gold_alternatives.front());
      factory = [answers](const Catalog&, Database* db) -> Result<std::unique_ptr<Generator>> {
        auto it = answers->find(db->uri());
        return std::unique_ptr<Generator>(
            new GoldGenerator(it == answers->end() ? std::map<std::string, std::string>{} : it->second));
      };
    } else {
      GeneratorOptions gen;
      gen.mode = mode;
      gen.model_path = o.model;
      factory = [gen](const Catalog& catalog, Database* db) { return make_generator(gen, catalog, db); };
    }
    EvalOptions options;
    options.mode = mode;
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
      "eval", "Measure an engine on a benchmark: execution accuracy, execution rate, exact-set match, answered "
              "rate, latency; by Spider hardness and by category");
  cmd->add_option("--suite", opt->suite,
                  "spider (dev.json + database/), defog (sql-eval CSVs), jsonl ({\"db\",\"question\",\"sql\"} a "
                  "line) or demo (the built-in demo warehouse suite)")
      ->required();
  cmd->add_option("--data", opt->data,
                  "The suite's data: Spider folder or JSON file, defog folder or CSV, JSONL file (demo: optional, "
                  "another JSONL suite over the demo warehouse)");
  cmd->add_option("--mode", opt->modes,
                  "Engine(s) to measure: template, llm, ensemble, or gold (the suite's own SQL: checks the suite); "
                  "several, comma-separated, are shown side by side")
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "GGUF model for the llm and ensemble modes");
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
  cmd->add_option("--fail-under", opt->fail_under, "Exit 1 when execution accuracy is below this fraction (CI)");
  cmd->add_flag("--quiet,-q", opt->quiet, "No progress bar");
  set_action(cmd, [opt] { return run_eval(*opt); });
}

}  // namespace t2sql::cli
