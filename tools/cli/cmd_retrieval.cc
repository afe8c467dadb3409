// The retrieval commands: describe (column descriptions), index (build the
// cached vector index) and retrieve (what the model would be shown).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "t2sql/retrieval.h"

namespace t2sql::cli {

namespace {

// Progress on stderr: a bar with rate and time left on a terminal, a plain
// line per stage otherwise.
ProgressFn stderr_progress() {
  struct State {
    std::string stage;
    std::chrono::steady_clock::time_point start;
    int last_percent = -1;
  };
  auto state = std::make_shared<State>();
  bool tty = isatty(STDERR_FILENO) == 1;
  return [state, tty](const std::string& stage, int64_t done, int64_t total) {
    auto now = std::chrono::steady_clock::now();
    if (stage != state->stage) {
      state->stage = stage;
      state->start = now;
      state->last_percent = -1;
    }
    int percent = total > 0 ? static_cast<int>(100 * done / total) : 100;
    if (percent == state->last_percent) return;
    state->last_percent = percent;
    double secs = std::chrono::duration<double>(now - state->start).count();
    double rate = secs > 0 ? done / secs : 0;
    double left = rate > 0 ? (total - done) / rate : 0;
    if (tty) {
      int filled = percent * 30 / 100;
      std::fprintf(stderr, "\r%-6s [%-30s] %3d%% %lld/%lld  %.0f/s  %.0fs left ", stage.c_str(),
                   std::string(filled, '#').c_str(), percent, static_cast<long long>(done),
                   static_cast<long long>(total), rate, left);
      if (done >= total) std::fputc('\n', stderr);
    } else if (done >= total) {
      std::fprintf(stderr, "%s: %lld/%lld in %.1fs\n", stage.c_str(), static_cast<long long>(done),
                   static_cast<long long>(total), secs);
    }
  };
}

struct RetrievalFlags {
  std::string db, embedder = "hash", descriptions, examples;
  int top_columns = 40, token_budget = 0;
  std::string cache_dir;
  bool no_cache = false;
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
}

Result<std::unique_ptr<SchemaRetriever>> open_retriever(const RetrievalFlags& f, Database* db, const Catalog& catalog,
                                                        bool progress) {
  RetrievalOptions options;
  options.embedder = f.embedder;
  options.descriptions_path = f.descriptions;
  options.examples_path = f.examples;
  options.top_columns = f.top_columns;
  options.token_budget = f.token_budget;
  if (!f.no_cache) options.cache_dir = f.cache_dir.empty() ? database_cache_dir(db->uri()) : f.cache_dir;
  auto retriever = SchemaRetriever::create(catalog, options, progress ? stderr_progress() : ProgressFn());
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
      "index", "Build (or check) the cached vector index of column descriptions that retrieval searches");
  add_retrieval_flags(cmd, *f);
  set_action(cmd, [f] {
    auto db = open_database(f->db);
    if (!db.ok()) return fail(db.status());
    auto catalog = (*db)->catalog({.sample_values = 3, .row_counts = false});
    if (!catalog.ok()) return fail(catalog.status());
    auto retriever = open_retriever(*f, db->get(), *catalog, true);
    if (!retriever.ok()) return fail(retriever.status());
    const auto& r = **retriever;
    std::cout << "index: " << r.column_count() << " columns, " << r.index_kind() << ", embedder " << r.embedder_id()
              << ", " << r.index_origin();
    if (r.build_ms() > 0) std::printf(" in %.2f s", r.build_ms() / 1000);
    std::cout << "\n";
    if (!f->no_cache) std::cout << "cache: " << (f->cache_dir.empty() ? database_cache_dir((*db)->uri()) : f->cache_dir) << "\n";
    return 0;
  });
}

void add_retrieve_command(CLI::App& app) {
  auto f = std::make_shared<RetrievalFlags>();
  auto question = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("sql");
  CLI::App* cmd = app.add_subcommand(
      "retrieve", "Show the part of the schema (and the examples) that retrieval would give a model for a question");
  cmd->add_option("QUESTION", *question, "The question")->required();
  add_retrieval_flags(cmd, *f);
  cmd->add_option("--top-columns,-n", f->top_columns, "N: columns taken from the index")->capture_default_str();
  cmd->add_option("--token-budget", f->token_budget, "Cap on the DDL's tokens (0: none)")->capture_default_str();
  cmd->add_option("--examples-file", f->examples, "JSONL of {\"question\", \"sql\"} pairs to draw few-shot examples from");
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
    auto result = (*retriever)->retrieve(*question);
    if (!result.ok()) return fail(result.status());
    if (*format == "json") {
      nlohmann::json j;
      j["tables"] = result->tables;
      j["columns"] = nlohmann::json::array();
      for (const auto& c : result->columns) j["columns"].push_back({{"table", c.table}, {"column", c.column}, {"score", c.score}});
      j["ddl"] = result->ddl;
      j["examples"] = nlohmann::json::array();
      for (const auto& e : result->examples) j["examples"].push_back({{"question", e.question}, {"sql", e.sql}});
      j["prompt_tokens"] = result->prompt_tokens;
      j["full_schema_tokens"] = result->full_schema_tokens;
      j["elapsed_ms"] = result->elapsed_ms;
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      std::cout << result->ddl;
      for (const auto& e : result->examples) std::cout << "-- example: " << e.question << "\n" << e.sql << "\n";
      std::cout << "-- " << result->prompt_tokens << " of " << result->full_schema_tokens << " schema tokens\n";
    }
    return 0;
  });
}

}  // namespace t2sql::cli
