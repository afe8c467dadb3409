#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>
#include "cli.h"
#include "db/postgres_database.h"
#include "tools/eval/postgres_loader.h"
#include "eval/benchmark_suite.h"
#include "eval/eval_baseline.h"
#include "eval/embedding_similarity.h"
#include "eval/eval_mode.h"
#include "eval/eval_report.h"
#include "eval/eval_runner.h"
#include "eval/gold_generator.h"
#include "eval/training_shapes.h"
#include "eval/grammar_coverage.h"
#include "generate/template_calibration.h"
#include "eval/llm_judge.h"
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
  std::string embed_model, train_data, fit_calibration;
  std::string baseline;
  int baseline_gained = 10;
  std::vector<std::string> fit_also;
  int calibration_folds = 5;
  bool cross_fit = false;
  int jobs = 1, limit = 0, max_tokens = 256, max_repairs = 2, sample_values = -1, candidates = 1;
  std::string prompt_style = "t2sql";
  int64_t timeout_ms = 10000, max_rows = 100000;
  double fail_under = -1, min_confidence = -1;
  bool quiet = false, no_grammar = false, think = false, rag = false, no_rag = false;
  bool retrieval_only = false;
  bool grammar_coverage = false;
  bool top_columns_given = false;  // --top-columns on the command line (else RetrievalOptions' default)
  bool baseline_gained_given = false;
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

// --grammar-coverage: the gold queries (and their mutants) against the LLM
// engine's constraints; no model runs.
int run_grammar_coverage(const EvalCliOptions& o, const BenchmarkSuite& suite) {
  auto cov = measure_grammar_coverage(suite, {.limit = o.limit, .progress = !o.quiet});
  if (!cov.ok()) return fail(cov.status());
  std::cout << grammar_coverage_table(*cov);
  if (!o.json_path.empty()) {
    if (Status s = write_file(o.json_path, grammar_coverage_json(*cov)); !s.ok()) return fail(s);
  }
  if (o.fail_under >= 0 && cov->acceptance() < o.fail_under) {
    return fail("grammar acceptance " + std::to_string(cov->acceptance()) + " is under --fail-under " +
                std::to_string(o.fail_under));
  }
  return 0;
}

// Fits the template engine's calibration on the run's answered readings and
// writes it; prints what it gives on the same questions.
int fit_calibration(const EvalCliOptions& o, const EvalRun& run) {
  std::vector<CalibrationSample> samples;
  int n = 0;
  for (const auto& c : run.cases) {
    if (!c.gold_ok) continue;
    ++n;
    if (c.answered && !c.confidence_features.empty())
      samples.push_back({.features = c.confidence_features, .correct = c.correct, .group = c.db_id});
  }
  CalibrationFitOptions fit;
  fit.fitted_on = run.suite + " " + std::filesystem::path(o.data).filename().string() + ": " +
                  std::to_string(samples.size()) + " readings of " + std::to_string(n) + " questions";
  fit.command = "t2sql eval --suite " + o.suite + " --data " + o.data + " --mode template --jobs " +
                std::to_string(o.jobs) + " --fit-calibration " + o.fit_calibration + " --calibration-folds " +
                std::to_string(o.calibration_folds);
  fit.folds = o.cross_fit ? o.calibration_folds : 0;
  if (o.cross_fit) fit.command += " --cross-fit";
  // Readings of other development suites, from earlier `eval --json` runs.
  for (const auto& path : o.fit_also) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto j = nlohmann::json::parse(text.str(), nullptr, false);
    if (!in || j.is_discarded() || !j.contains("cases") || !j["cases"].is_array())
      return fail("--fit-also '" + path + "' is not an `eval --json` report with cases");
    int added = 0;
    for (const auto& c : j["cases"]) {
      if (!c.value("gold_ok", false) || !c.value("answered", false) || !c.contains("confidence_features")) continue;
      CalibrationSample sample;
      for (const auto& [name, v] : c["confidence_features"].items()) {
        if (v.is_number()) sample.features[name] = v.get<double>();
      }
      sample.correct = c.value("correct", false);
      sample.sets_threshold = false;
      sample.group = c.value("db", "");  // one database's readings stay in one fold, whichever suite
      samples.push_back(std::move(sample));
      ++added;
    }
    if (added == 0)
      return fail("--fit-also '" + path + "' has no answered template readings (run it with --min-confidence 0)");
    fit.fitted_on +=
        "; " + std::filesystem::path(path).filename().string() + ": " + std::to_string(added) + " readings";
    fit.command += " --fit-also " + path;
  }
  auto cal = TemplateCalibration::fit(samples, fit);
  if (!cal.ok()) return fail("--fit-calibration: " + cal.status().message());
  if (Status s = write_file(o.fit_calibration, cal->to_json()); !s.ok()) return fail(s);
  int answered = 0, right = 0;
  std::vector<std::pair<double, bool>> readings;
  for (const auto& sm : samples) {
    double p = cal->probability(sm.features);
    readings.emplace_back(p, sm.correct);
    if (p < cal->threshold()) continue;
    ++answered;
    right += sm.correct;
  }
  CalibrationMetrics fitted = calibration_metrics(readings);
  auto pct = [](double a, double b) { return b > 0 ? std::to_string(100 * a / b).substr(0, 4) + "%" : "-"; };
  std::cout << "\ncalibration fitted on " << samples.size() << " readings, written to " << o.fit_calibration
            << " (rebuild to compile it in)\n"
            << "  ECE over every reading " << std::to_string(fitted.ece).substr(0, 5) << "; threshold "
            << std::to_string(cal->threshold()).substr(0, 5) << ": answers " << pct(answered, n) << ", right "
            << pct(right, answered) << " of those, EX " << pct(right, n) << "; confidence >= 0.9: " << fitted.confident
            << " answers, right " << pct(fitted.confident_correct, fitted.confident) << "\n";
  if (o.calibration_folds < 2) return 0;
  // The honest figure: each reading of the main suite scored by a
  // calibration fitted without its database.
  auto held = TemplateCalibration::cross_validate(samples, fit, o.calibration_folds);
  if (!held.ok()) return fail("--calibration-folds: " + held.status().message());
  std::vector<std::pair<double, bool>> held_readings;
  int held_answered = 0, held_right = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!samples[i].sets_threshold) continue;
    held_readings.emplace_back(held->probability[i], samples[i].correct);
    if (held->probability[i] < held->threshold[i]) continue;
    ++held_answered;
    held_right += samples[i].correct;
  }
  CalibrationMetrics out = calibration_metrics(held_readings);
  std::cout << "  held-out databases (" << o.calibration_folds << " folds by database, each scored by a fit without "
            << "it): ECE " << std::to_string(out.ece).substr(0, 5) << " (chance alone "
            << std::to_string(out.ece_chance).substr(0, 5) << "); at each fold's threshold: answers "
            << pct(held_answered, n) << ", right " << pct(held_right, held_answered) << " of those; confidence >= 0.9: "
            << out.confident << " answers, right " << pct(out.confident_correct, out.confident) << "\n";
  return 0;
}

int run_eval(const EvalCliOptions& o) {
  if (o.baseline_gained_given && o.baseline.empty()) return fail("--baseline-gained needs --baseline");
  if (!o.baseline.empty() && (o.retrieval_only || o.grammar_coverage))
    return fail("--baseline compares with an earlier `eval --json` report of answers: not with --retrieval-only or "
                "--grammar-coverage");
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
  if (o.grammar_coverage && (modes->size() != 1 || modes->front().engine != "gold"))
    return fail("--grammar-coverage checks the suite's gold SQL: use it with --mode gold");
  bool any_rag = false, any_llm = false;
  for (const auto& m : *modes) {
    any_rag = any_rag || m.rag;
    any_llm = any_llm || m.engine == "llm" || m.engine.starts_with("ensemble");
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
  if (Status s = check_writable(o.fit_calibration, "--fit-calibration"); !s.ok()) return fail(s);
  if (o.min_confidence > 1) return fail("--min-confidence must be at most 1 (a probability)");
  if (!o.fit_also.empty() && o.fit_calibration.empty()) return fail("--fit-also needs --fit-calibration");
  if ((o.calibration_folds != 5 || o.cross_fit) && o.fit_calibration.empty())
    return fail("--calibration-folds and --cross-fit need --fit-calibration");
  if (o.calibration_folds == 1 || o.calibration_folds < 0)
    return fail("--calibration-folds wants 0 (no held-out figures) or 2 or more");
  if (o.cross_fit && o.calibration_folds < 2) return fail("--cross-fit needs --calibration-folds of 2 or more");
  if (!o.fit_calibration.empty()) {
    if (modes->size() != 1 || (*modes)[0].engine != "template")
      return fail("--fit-calibration fits the template engine's confidence: use --mode template alone");
    if (o.min_confidence >= 0) return fail("--fit-calibration answers every reading: leave out --min-confidence");
  }
  // Both orders of the ensemble are reported: "ensemble" (the template engine
  // first) brings "ensemble-llm-first" beside it unless that was named too.
  for (size_t i = 0; i < modes->size(); ++i) {
    const EvalModeSpec spec = (*modes)[i];
    if (spec.engine != "ensemble") continue;
    bool named = std::any_of(modes->begin(), modes->end(), [&](const EvalModeSpec& m) {
      return m.engine == "ensemble-llm-first" && m.rag == spec.rag;
    });
    if (!named) {
      EvalModeSpec other = spec;
      other.engine = "ensemble-llm-first";
      other.label = other.engine + (other.rag ? "+rag" : "");
      modes->insert(modes->begin() + static_cast<std::ptrdiff_t>(i) + 1, other);
    }
  }
  // The baseline is read and checked before any question runs.
  std::optional<EvalBaseline> baseline;
  if (!o.baseline.empty()) {
    auto loaded = load_eval_baseline(o.baseline);
    if (!loaded.ok()) return fail(loaded.status());
    baseline = std::move(*loaded);
  }

  // What every mode shares: the similarity measure, the judge, the training shapes.
  EvalOptions shared;
  // --pg names a role that creates databases: privileged by necessity.
  shared.open.allow_privileged_role = allow_privileged_role() || !o.pg.empty();
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

  if (o.grammar_coverage) return run_grammar_coverage(o, *suite);
  if (baseline) {
    std::vector<std::string> labels;
    for (const auto& m : *modes) labels.push_back(m.label);
    if (Status s = check_baseline_matches(*baseline, *suite, labels); !s.ok()) return fail(s);
  }

  std::vector<EvalRun> runs;
  for (const auto& spec : *modes) {
    const std::string& mode = spec.label;
    EvalGeneratorFactory factory;
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
      gen.mode = spec.engine == "ensemble-llm-first" ? "ensemble" : spec.engine;
      gen.ensemble_order = spec.engine == "ensemble-llm-first" ? "llm-first" : "template-first";
      // Fitting needs every reading's outcome, the ones below the threshold too.
      gen.min_confidence = o.fit_calibration.empty() ? o.min_confidence : 0;
      gen.model_path = o.model;
      gen.llm_url = o.llm_url;
      gen.llm_model_name = o.llm_model;
      gen.grammar = !o.no_grammar;
      gen.think = o.think;
      gen.max_tokens = o.max_tokens;
      gen.max_repairs = o.max_repairs;
      gen.candidates = o.candidates;
      gen.prompt_style = o.prompt_style;
      gen.prompt_sample_values = o.sample_values;
      gen.disabled_rules = o.disabled_rules;
      if (!o.lora.empty()) {
        auto lora = parse_lora_spec(o.lora);
        if (!lora.ok()) return fail("--lora: " + lora.status().message());
        gen.lora_path = lora->first;
        gen.lora_scale = lora->second;
      }
      factory = [gen](const Catalog& catalog, Database* db) -> Result<std::unique_ptr<Generator>> {
        return make_generator(gen, catalog, db);
      };
    }
    EvalOptions options = shared;
    options.mode = mode;
    // +rag: the pipeline's retrieval stage, its index cached under the
    // database's cache folder as `t2sql ask --rag` caches it.
    options.rag = spec.rag;
    options.retrieval = retrieval;
    options.max_repairs = o.max_repairs;
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
  std::vector<BaselineComparison> comparisons;
  if (baseline) {
    auto compared = compare_with_baseline(*baseline, run_ptrs);
    if (!compared.ok()) return fail(compared.status());
    comparisons = std::move(*compared);
    std::cout << baseline_table(summaries, comparisons, o.baseline_gained);
  }
  for (const auto& r : runs) {
    for (const auto& c : r.cases) {
      if (!c.gold_ok) std::cerr << "gold query failed for " << c.id << ": " << c.reason << "\n";
    }
  }
  if (!o.json_path.empty()) {
    if (Status s = write_file(o.json_path, report_json(summaries, run_ptrs, true, comparisons)); !s.ok()) return fail(s);
  }
  if (!o.markdown_path.empty()) {
    // The reliability diagram goes beside the report: report.md -> report.calibration.svg.
    std::filesystem::path plot = o.markdown_path;
    plot.replace_extension(".calibration.svg");
    if (Status s = write_file(plot.string(), reliability_svg(summaries)); !s.ok()) return fail(s);
    if (Status s = write_file(o.markdown_path, report_markdown(summaries, run_ptrs, plot.filename().string())); !s.ok())
      return fail(s);
  }
  if (!o.fit_calibration.empty()) {
    if (int rc = fit_calibration(o, runs.front()); rc != 0) return rc;
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
  add_example(cmd,
              "  t2sql eval --suite demo\n"
              "  t2sql eval --suite spider --data spider/ --mode template,llm --model model.gguf --jobs 2\n"
              "  t2sql eval --suite demo --json after.json --baseline before.json");
  cmd->add_option("--suite", opt->suite,
                  "spider (dev.json + database/), defog (sql-eval CSVs), jsonl ({\"db\",\"question\",\"sql\"} a "
                  "line) or demo (the built-in demo warehouse suite)")
      ->check(CLI::IsMember({"spider", "defog", "jsonl", "demo"}))
      ->required();
  cmd->add_option("--data", opt->data,
                  "The suite's data: Spider folder or JSON file, defog folder or CSV, JSONL file (demo: optional, "
                  "another JSONL suite over the demo warehouse)");
  cmd->add_option("--mode", opt->modes,
                  "Engine(s) to measure: template, llm, ensemble (the template engine when its calibrated "
                  "confidence reaches the threshold, else the LLM; brings ensemble-llm-first beside it), "
                  "ensemble-llm-first (the LLM, the template engine as fallback), or gold (the suite's own SQL: "
                  "checks the suite); llm+rag and ensemble+rag with schema retrieval; several, comma-separated, are "
                  "shown side by side (e.g. template,llm,llm+rag,ensemble)")
      ->check(status_check([](const std::string& text) { return parse_eval_modes(text, false).status(); }, "MODES"))
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "GGUF model for the llm and ensemble modes");
  std::string rule_names;
  for (const auto& n : template_rules::rule_names()) rule_names += (rule_names.empty() ? "" : ", ") + n;
  cmd->add_option("--disable-rule", opt->disabled_rules,
                  "Leave a template engine rule out, to measure what it is worth (repeatable): " + rule_names)
      ->check(CLI::IsMember(template_rules::rule_names()));
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
  cmd->add_option(
         "--candidates", opt->candidates,
         "Execution vote: ask the LLM for N statements (the greedy one and N-1 sampled at temperature 0.7 with "
         "distinct seeds), run each read-only and answer with the largest group of equal results (ties: the "
         "likelier statements); 1: no vote. The report gives how often the vote differs from the greedy answer")
      ->check(CLI::Range(1, kMaxCandidates))
      ->capture_default_str();
  cmd->add_flag("--grammar-coverage", opt->grammar_coverage,
                "With --mode gold: check each gold query (and mutants with a table or column name that exists "
                "nowhere) against the LLM engine's grammar and scope checker; reports grammar.acceptance and "
                "grammar.mutant_rejection and each refused query with the offset (--fail-under: on acceptance)");
  cmd->add_flag("--no-grammar", opt->no_grammar, "Turn off grammar-constrained decoding in the llm and ensemble modes");
  cmd->add_flag("--think", opt->think,
                "Room to think: the model may reason in prose and ends with its SQL in a ```sql fence; only the SQL in the fence is constrained, and the token limit is 4 x --max-tokens (default: the answer is the statement alone)");
  add_prompt_style_options(cmd, opt->prompt_style, opt->sample_values);
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
  cmd->add_option("--baseline", opt->baseline,
                  "An earlier `eval --json` report of the same suite and modes: compare question by question "
                  "(matched by database, question and id) and print, per mode, execution accuracy, answered rate, "
                  "ECE and accuracy at confidence >= 0.9 before -> now, the gained, lost and changed-SQL counts and "
                  "each lost question with its SQL before and now; --json carries it as \"baseline\"");
  CLI::Option* baseline_gained =
      cmd->add_option("--baseline-gained", opt->baseline_gained, "With --baseline: how many gained questions to list")
          ->check(non_negative())
          ->capture_default_str();
  cmd->add_option("--jobs,-j", opt->jobs, "Questions evaluated in parallel (one connection per worker)")
      ->check(at_least(1))
      ->capture_default_str();
  cmd->add_option("--limit", opt->limit, "Only the first N questions (0: all)")
      ->check(non_negative())
      ->capture_default_str();
  cmd->add_option("--db", opt->db, "The demo warehouse to use for \"demo\" databases (default: the user's copy)");
  cmd->add_option("--timeout-ms", opt->timeout_ms, "Time limit of each predicted query")
      ->check(at_least(1))
      ->capture_default_str();
  cmd->add_option("--max-rows", opt->max_rows, "Row cap of each query; a larger result counts as a miss")
      ->check(at_least(1))
      ->capture_default_str();
  cmd->add_option("--defog-db-uri", opt->defog_db_uri,
                  "defog: URI for databases with no SQLite file, {db} replaced by the name "
                  "(e.g. postgresql://127.0.0.1/{db})");
  add_privileged_role_flag(cmd);
  cmd->add_option("--pg", opt->pg,
                  "defog: load every PostgreSQL dump under --data into this server as a fresh database defog_<db> "
                  "(the URI of a role that may create databases, e.g. postgresql://postgres:pw@127.0.0.1/postgres) "
                  "and run every question there");
  cmd->add_option("--fail-under", opt->fail_under, "Exit 1 when execution accuracy is below this fraction (CI)");
  cmd->add_option("--fit-also", opt->fit_also,
                  "With --fit-calibration: also fit on the readings of another development suite, from an earlier "
                  "`eval --mode template --min-confidence 0 --json FILE` (repeatable); see scripts/fit_calibration.sh");
  cmd->add_option("--calibration-folds", opt->calibration_folds,
                  "With --fit-calibration: split the questions' databases into this many folds (default 5; 0: "
                  "none), score each fold with a calibration fitted without it and print the held-out-database "
                  "ECE, accuracy at the threshold and at confidence >= 0.9: the figures to expect on a database "
                  "nobody tuned for");
  cmd->add_flag("--cross-fit", opt->cross_fit,
                "With --fit-calibration: fit the isotonic map and the threshold on scores from fits that left each "
                "database's fold out (--calibration-folds), not in-sample: a threshold that holds on new databases, "
                "at the cost of fewer answers above it");
  cmd->add_option("--min-confidence", opt->min_confidence,
                  "The template engine abstains below this calibrated probability of being right (default: its "
                  "rules' own gate; the template-first ensemble: the calibrated threshold, fitted for 85% right on "
                  "Spider train)");
  cmd->add_option("--fit-calibration", opt->fit_calibration,
                  "With --mode template on Spider train: answer every reading, fit the template engine's confidence "
                  "calibration (logistic model + isotonic map) on the outcomes and write it to this JSON file "
                  "(data/template_calibration.json is compiled in: rebuild after refitting). Never fit on the "
                  "questions you check on");
  cmd->add_flag("--quiet,-q", opt->quiet, "No progress bar");
  cmd->add_flag("--retrieval-only", opt->retrieval_only,
                "Measure schema retrieval alone (Spider): gold-column recall, prompt tokens and latency at each "
                "--top-columns N");
  cmd->add_option("--catalog", opt->retrieval.catalog,
                  "With --retrieval-only: db (each question against its own database) or stress (every schema of "
                  "the shared data in $T2SQL_SHARED_DIR plus look-alikes: 2,000 tables, 20,000 columns)")
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
  set_action(cmd, [opt, top_columns, baseline_gained] {
    opt->top_columns_given = top_columns->count() > 0;
    opt->baseline_gained_given = baseline_gained->count() > 0;
    return run_eval(*opt);
  });
}

}  // namespace t2sql::cli
