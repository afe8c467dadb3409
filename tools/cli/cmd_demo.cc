#include <iostream>

#include "cli.h"
#include "t2sql/demo.h"
#include "t2sql/format.h"

namespace t2sql::cli {

void add_demo_command(CLI::App& app) {
  CLI::App* demo = app.add_subcommand("demo", "The demo sales warehouse");
  demo->require_subcommand(1);
  add_example(demo, "  t2sql demo init --engine duckdb --path sales.duckdb\n  t2sql demo queries");

  struct InitOptions {
    std::string path;
    std::string engine = "sqlite";
    bool force = false;
  };
  auto init = std::make_shared<InitOptions>();
  CLI::App* cmd =
      demo->add_subcommand("init", "Create the demo warehouse, deterministically (the same rows on every engine)");
  add_example(cmd, "  t2sql demo init --engine duckdb --path sales.duckdb");
  cmd->add_option("--engine", init->engine, "sqlite, duckdb or postgresql (default: sqlite)")
      ->check(CLI::IsMember({"sqlite", "duckdb", "postgresql"}));
  cmd->add_option("--path", init->path,
                  "Where to write it: a file for sqlite (default: " + default_demo_path() + ") and duckdb (default: " +
                      default_data_dir() + "/demo.duckdb); a postgresql:// URI of an existing database for postgresql");
  cmd->add_flag("--force", init->force, "Replace an existing file (or the demo's tables in PostgreSQL)");
  set_action(cmd, [init] {
    std::string path = init->path;
    if (path.empty() && init->engine == "postgresql") {
      return fail(invalid_argument("--engine postgresql needs --path postgresql://user:password@host:port/database"));
    }
    if (path.empty()) path = init->engine == "duckdb" ? default_data_dir() + "/demo.duckdb" : default_demo_path();
    auto stats = create_demo_warehouse(DemoTarget{init->engine, path, init->force || init->path.empty()});
    if (!stats.ok()) return fail(stats.status());
    if (init->engine == "postgresql") {
      // Never echo a password: keep only what follows the user part.
      auto at = path.find('@');
      if (at != std::string::npos) path = "postgresql://" + path.substr(at + 1);
    }
    std::cout << "created " << path << ": " << stats->stores << " stores, " << stats->brands << " brands, "
              << stats->products << " products, " << stats->sales << " sales, " << stats->active_store
              << " active_store rows in " << static_cast<int>(stats->elapsed_ms) << " ms\n";
    return 0;
  });

  auto db = std::make_shared<std::string>();
  CLI::App* queries = demo->add_subcommand("queries", "Run the design documents' example questions' SQL on the demo");
  add_example(queries, "  t2sql demo queries --db sales.duckdb");
  add_db_option(queries, *db);
  set_action(queries, [db] {
    auto opened = open_database(*db);
    if (!opened.ok()) return fail(opened.status());
    for (const auto& q : demo_example_queries((*opened)->engine())) {
      std::cout << "Q: " << q.question << "\nSQL: " << q.sql << "\n";
      auto rows = (*opened)->execute(q.sql, {});
      if (!rows.ok()) return fail(rows.status());
      std::cout << format_result(*rows, OutputFormat::kTable) << "\n";
    }
    return 0;
  });
}

}  // namespace t2sql::cli
