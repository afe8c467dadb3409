#include <cstdio>
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
    std::string cluster;
    std::string shard = "1/1";
  };
  auto init = std::make_shared<InitOptions>();
  CLI::App* cmd =
      demo->add_subcommand("init", "Create the demo warehouse, deterministically (the same rows on every engine)");
  add_example(cmd, "  t2sql demo init --engine duckdb --path sales.duckdb");
  cmd->add_option("--engine", init->engine, "sqlite, duckdb, postgresql or clickhouse (default: sqlite)")
      ->check(CLI::IsMember({"sqlite", "duckdb", "postgresql", "clickhouse"}));
  cmd->add_option("--path", init->path,
                  "Where to write it: a file for sqlite (default: " + default_demo_path() + ") and duckdb (default: " +
                      default_data_dir() + "/demo.duckdb); a postgresql:// URI of an existing database for postgresql; "
                      "a clickhouse:// URI (HTTP port, a user that may create tables) for clickhouse");
  cmd->add_flag("--force", init->force, "Replace an existing file (or the demo's tables in PostgreSQL or ClickHouse)");
  cmd->add_option("--cluster", init->cluster,
                  "clickhouse: this node is one shard of this remote_servers cluster; sales becomes a Distributed "
                  "table over <database>_local.sales, the other tables are copied whole (run once per node)");
  cmd->add_option("--shard", init->shard, "clickhouse with --cluster: this node's shard as I/N (default: 1/1)");
  set_action(cmd, [init] {
    std::string path = init->path;
    if (path.empty() && init->engine == "postgresql") {
      return fail(invalid_argument("--engine postgresql needs --path postgresql://user:password@host:port/database"));
    }
    if (path.empty() && init->engine == "clickhouse") {
      return fail(invalid_argument("--engine clickhouse needs --path clickhouse://user:password@host:port/database"));
    }
    DemoShard shard;
    if (!init->cluster.empty()) {
      if (init->engine != "clickhouse") return fail(invalid_argument("--cluster is for --engine clickhouse"));
      int i = 0, n = 0;
      char rest = 0;
      if (std::sscanf(init->shard.c_str(), "%d/%d%c", &i, &n, &rest) != 2 || n < 1 || i < 1 || i > n) {
        return fail(invalid_argument("--shard wants I/N with 1 <= I <= N, not '" + init->shard + "'"));
      }
      shard = DemoShard{init->cluster, i, n};
    }
    if (path.empty()) path = init->engine == "duckdb" ? default_data_dir() + "/demo.duckdb" : default_demo_path();
    auto stats = create_demo_warehouse(DemoTarget{init->engine, path, init->force || init->path.empty(), shard});
    if (!stats.ok()) return fail(stats.status());
    if (init->engine == "postgresql" || init->engine == "clickhouse") {
      // Never echo a password: keep only what follows the user part.
      auto at = path.rfind('@');
      if (at != std::string::npos) path = init->engine + "://" + path.substr(at + 1);
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
