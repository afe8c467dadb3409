// The retrieval commands: describe (column descriptions), index (build the
// cached vector index) and retrieve (what the model would be shown).
#include <cstdio>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "base/progress_bar.h"
#include "cli.h"
#include "tools/eval/retrieval_eval.h"
#include "retrieval/value_index_cache.h"
#include "t2sql/retrieval.h"

namespace t2sql::cli {

namespace {

// One progress bar per stage of the work ("embed", "index", "values"), on
// stderr: redrawn in place on a terminal, plain lines otherwise.
ProgressFn stderr_progress() {
  struct State {
    std::string stage;
    std::unique_ptr<ProgressBar> bar;
    int64_t reported = 0;
  };
  auto state = std::make_shared<State>();
  return [state](const std::string& stage, int64_t done, int64_t total) {
    if (stage != state->stage || !state->bar) {
      if (state->bar) state->bar->finish();
      const char* unit = stage == "embed" ? "texts" : stage == "index" ? "vectors" : "columns";
      state->bar = std::make_unique<ProgressBar>(ProgressOptions{.total = total, .label = stage, .unit = unit});
      state->stage = stage;
      state->reported = 0;
    }
    if (done > state->reported) {
      state->bar->advance(done - state->reported);
      state->reported = done;
    }
    if (done >= total) state->bar->finish();
  };
}

struct RetrievalFlags {
  std::string db, embedder = "hash", descriptions, examples;
  int top_columns = 40, token_budget = 0;
  std::string cache_dir;
  bool no_cache = false, no_values = false, rebuild = false;
};

void add_retrieval_flags(CLI::App* cmd, RetrievalFlags& f) {
  add_db_option(cmd, f.db);
  cmd->add_option("--embedder", f.embedder,
                  "hash (built-in hashed TF-IDF, no model), hash:<dim>, or a GGUF embedding model path")
      ->capture_default_str();
  cmd->add_option("--descriptions", f.descriptions,
                  "Description file (JSON or YAML) mapping table.column to text (see `t2sql describe --out`)");
  cmd->add_option("--cache-dir", f.cache_dir,
                  "Folder for the index cache (default: the database's folder under $XDG_CACHE_HOME/t2sql/db)");
  cmd->add_flag("--no-cache", f.no_cache, "Neither read nor write the on-disk index cache");
  cmd->add_flag("--no-values", f.no_values,
                "Skip the value index (distinct text values that link a question's literals to columns)");
}

Result<std::unique_ptr<VectorSchemaRetriever>> open_retriever(const RetrievalFlags& f, Database* db, const Catalog& catalog,
                                                        bool progress) {
  RetrievalOptions options;
  options.embedder = f.embedder;
  options.descriptions_path = f.descriptions;
  options.examples_path = f.examples;
  options.top_columns = f.top_columns;
  options.token_budget = f.token_budget;
  if (!f.no_cache) options.cache_dir = f.cache_dir.empty() ? database_cache_dir(db->uri()) : f.cache_dir;
  auto retriever = VectorSchemaRetriever::create(catalog, options, progress ? stderr_progress() : ProgressFn());
  if (retriever.ok()) {
    for (const auto& key : (*retriever)->description_report().missing) {
      std::cerr << "warning: description file names a missing table or column, ignored: " << key << "\n";
    }
  }
  return retriever;
}

Result<Catalog> load_catalog(Database* db, const std::string& descriptions, DescriptionFileReport* report) {
  auto catalog = db->catalog({.sample_values = 3, .row_counts = false});
  if (!catalog.ok() || descriptions.empty()) return catalog;
  auto r = apply_description_file(descriptions, &*catalog);
  if (!r.ok()) return r.status();
  *report = *r;
  return catalog;
}

}  // namespace

void add_describe_command(CLI::App& app) {
  struct Options {
    std::string db, out, descriptions, format = "text";
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "describe", "Print the column descriptions that retrieval embeds, or export a description file to edit");
  add_example(cmd, "  t2sql describe --db sales.db --out descriptions.json");
  add_db_option(cmd, opt->db);
  cmd->add_option("--out,-o", opt->out,
                  "Write an editable description file (JSON: \"table.column\": \"text\") here instead of printing");
  cmd->add_option("--descriptions", opt->descriptions, "Apply this description file (JSON or YAML) first");
  cmd->add_option("--format,-f", opt->format, "text (one line per column) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  set_action(cmd, [opt] {
    auto db = open_database(opt->db);
    if (!db.ok()) return fail(db.status());
    DescriptionFileReport report;
    auto catalog = load_catalog(db->get(), opt->descriptions, &report);
    if (!catalog.ok()) return fail(catalog.status());
    for (const auto& key : report.missing) {
      std::cerr << "warning: description file names a missing table or column, ignored: " << key << "\n";
    }
    if (!opt->out.empty()) {
      std::string tmp = opt->out + ".tmp";
      {
        std::ofstream out(tmp, std::ios::trunc);
        out << description_file_json(*catalog);
        if (!out) return fail("cannot write " + opt->out);
      }
      if (std::rename(tmp.c_str(), opt->out.c_str()) != 0) return fail("cannot write " + opt->out);
      std::cerr << "wrote " << opt->out << ": fill in the texts, then pass it with --descriptions\n";
      return 0;
    }
    auto descriptions = describe_columns(*catalog);
    if (opt->format == "json") {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& d : descriptions) j.push_back({{"table", d.table}, {"column", d.column}, {"text", d.text}});
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      for (const auto& d : descriptions) std::cout << d.table << "." << d.column << "\t" << d.text << "\n";
    }
    return 0;
  });
}

void add_index_command(CLI::App& app) {
  auto f = std::make_shared<RetrievalFlags>();
  CLI::App* cmd = app.add_subcommand(
      "index", "Build (or check) the cached indexes retrieval uses: column descriptions (vectors) and text values");
  add_example(cmd, "  t2sql index --db sales.db --rebuild");
  add_retrieval_flags(cmd, *f);
  cmd->add_flag("--rebuild", f->rebuild, "Ignore the caches and build both indexes again");
  set_action(cmd, [f] {
    auto db = open_database(f->db);
    if (!db.ok()) return fail(db.status());
    auto catalog = (*db)->catalog({.sample_values = 3, .row_counts = false});
    if (!catalog.ok()) return fail(catalog.status());
    std::string cache = f->no_cache ? "" : f->cache_dir.empty() ? database_cache_dir((*db)->uri()) : f->cache_dir;
    if (f->rebuild && !cache.empty()) {
      for (const char* file : {"/schema_index.bin", "/value_index.bin"}) std::remove((cache + file).c_str());
    }
    auto retriever = open_retriever(*f, db->get(), *catalog, true);
    if (!retriever.ok()) return fail(retriever.status());
    const auto& r = **retriever;
    std::cout << "schema index: " << r.column_count() << " columns, " << r.index_kind() << ", embedder "
              << r.embedder_id() << ", " << r.index_origin();
    if (r.build_ms() > 0) std::printf(" in %.3f s", r.build_ms() / 1000);
    std::cout << "\n";
    if (!f->no_values) {
      auto values = load_or_build_value_index(**db, *catalog, cache, {}, stderr_progress());
      if (!values.ok()) return fail(values.status());
      std::cout << "value index: " << values->index.size() << " values, " << values->origin;
      if (values->build_ms > 0) std::printf(" in %.3f s", values->build_ms / 1000);
      std::cout << "\n";
    }
    if (!cache.empty()) std::cout << "cache: " << cache << "\n";
    return 0;
  });
}

void add_retrieve_command(CLI::App& app) {
  auto f = std::make_shared<RetrievalFlags>();
  auto question = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("sql");
  CLI::App* cmd = app.add_subcommand(
      "retrieve", "Show the part of the schema (and the examples) that retrieval would give a model for a question");
  add_example(cmd, "  t2sql retrieve \"Top 5 brands by revenue\" --db sales.db --top-columns 20");
  cmd->add_option("QUESTION", *question, "The question")->required();
  add_retrieval_flags(cmd, *f);
  cmd->add_option("--top-columns,-n", f->top_columns, "N: columns taken from the index")->capture_default_str();
  cmd->add_option("--token-budget", f->token_budget, "Cap on the DDL's tokens (0: none)")->capture_default_str();
  cmd->add_option("--examples-file", f->examples,
                  "JSONL of {\"question\", \"sql\"} pairs to draw few-shot examples from");
  cmd->add_option("--format,-f", *format, "sql (the DDL) or json (columns, scores, tokens)")
      ->check(CLI::IsMember({"sql", "json"}))
      ->capture_default_str();
  set_action(cmd, [f, question, format] {
    auto db = open_database(f->db);
    if (!db.ok()) return fail(db.status());
    auto catalog = (*db)->catalog({.sample_values = 3, .row_counts = false});
    if (!catalog.ok()) return fail(catalog.status());
    auto retriever = open_retriever(*f, db->get(), *catalog, false);
    if (!retriever.ok()) return fail(retriever.status());
    std::vector<LinkedValue> linked;
    if (!f->no_values) {
      std::string cache = f->no_cache ? "" : f->cache_dir.empty() ? database_cache_dir((*db)->uri()) : f->cache_dir;
      auto values = load_or_build_value_index(**db, *catalog, cache);
      if (!values.ok()) return fail(values.status());
      linked = values->index.search(*question);
    }
    auto result = (*retriever)->retrieve(*question, linked);
    if (!result.ok()) return fail(result.status());
    if (*format == "json") {
      nlohmann::json j;
      j["tables"] = result->tables;
      j["columns"] = nlohmann::json::array();
      for (const auto& c : result->columns)
        j["columns"].push_back({{"table", c.table}, {"column", c.column}, {"score", c.score}});
      j["ddl"] = result->ddl;
      j["value_hints"] = nlohmann::json::array();
      for (const auto& v : linked) {
        j["value_hints"].push_back({{"table", v.table},
                                    {"column", v.column},
                                    {"value", v.value},
                                    {"matched", v.matched_text},
                                    {"score", v.score}});
      }
      j["examples"] = nlohmann::json::array();
      for (const auto& e : result->examples) j["examples"].push_back({{"question", e.question}, {"sql", e.sql}});
      j["prompt_tokens"] = result->prompt_tokens;
      j["full_schema_tokens"] = result->full_schema_tokens;
      j["elapsed_ms"] = result->elapsed_ms;
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      std::cout << result->ddl;
      for (const auto& v : linked) {
        std::cout << "-- value: \"" << v.matched_text << "\" is " << v.table << "." << v.column << " = '" << v.value
                  << "'\n";
      }
      for (const auto& e : result->examples) std::cout << "-- example: " << e.question << "\n" << e.sql << "\n";
      std::cout << "-- " << result->prompt_tokens << " of " << result->full_schema_tokens << " schema tokens\n";
    }
    return 0;
  });
}

int run_retrieval_eval(const RetrievalEvalCliOptions& o) {
  RetrievalEvalOptions options;
  options.spider_dir = o.spider_dir;
  options.catalog = o.catalog;
  options.limit = o.limit;
  options.token_budget = o.token_budget;
  options.embedder = o.embedder;
  options.top_columns.clear();
  for (size_t pos = 0; pos < o.top_columns.size();) {
    size_t comma = o.top_columns.find(',', pos);
    std::string item = o.top_columns.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? o.top_columns.size() : comma + 1;
    if (item.empty()) continue;
    char* end = nullptr;
    long n = std::strtol(item.c_str(), &end, 10);
    if (*end != '\0' || n < 1)
      return fail("--top-columns wants numbers of at least 1, comma-separated (got '" + item + "')");
    options.top_columns.push_back(static_cast<int>(n));
  }
  if (options.top_columns.empty()) return fail("--top-columns is empty");
  if (o.token_budget < 0) return fail("--token-budget must not be negative");
  auto report = evaluate_retrieval(options, o.quiet ? ProgressFn() : stderr_progress());
  if (!report.ok()) return fail(report.status());
  std::printf("retrieval on %s catalog (%d tables, %d columns; full DDL %.0f tokens), %d questions\n",
              report->catalog.c_str(), report->tables, report->columns, report->full_schema_tokens, report->n);
  if (report->index_build_cpu_ms > 0) {
    std::printf("index: %s, built in %.1f s (%.1f s of CPU)\n", report->index_kind.c_str(),
                report->index_build_ms / 1000, report->index_build_cpu_ms / 1000);
  }
  std::printf("%8s %8s %10s %9s %8s %8s\n", "N", "recall", "tokens", "share", "p50 ms", "p95 ms");
  for (const auto& p : report->sweep) {
    std::printf("%8d %8.3f %10.0f %8.2f%% %8.2f %8.2f\n", p.top_columns, p.column_recall, p.prompt_tokens_mean,
                100 * p.token_share, p.latency_p50_ms, p.latency_p95_ms);
  }
  if (!o.json_path.empty()) {
    std::string tmp = o.json_path + ".building";
    {
      std::ofstream out(tmp);
      out << report->to_json();
      if (!out) return fail("cannot write '" + o.json_path + "'");
    }
    if (std::rename(tmp.c_str(), o.json_path.c_str()) != 0) return fail("cannot write '" + o.json_path + "'");
  }
  return 0;
}

}  // namespace t2sql::cli
