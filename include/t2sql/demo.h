// The demo warehouse: a deterministic sales database (stores, brands,
// products, two years of sales, monthly active stores) that t2sql uses when
// no database is given, and that tests, examples and benchmarks share.
#pragma once

#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

// $XDG_DATA_HOME/t2sql, else ~/.local/share/t2sql.
std::string default_data_dir();
// default_data_dir() + "/demo.db"
std::string default_demo_path();

struct DemoStats {
  int stores = 0, brands = 0, products = 0, sales = 0, active_store = 0;
  double elapsed_ms = 0;
};

// Writes the warehouse to `path` (SQLite). The same seed always gives the same
// rows. The file is built beside `path` and renamed into place, so a failure
// leaves nothing half-written. An existing file is replaced only when
// `overwrite` is set (kInvalidArgument otherwise).
Result<DemoStats> create_demo_warehouse(const std::string& path, bool overwrite = false);

// Where to build the warehouse: the same rows go to every engine.
//   engine "sqlite" or "duckdb": `location` is a file path (built beside it, renamed into place);
//   engine "postgresql": `location` is a postgresql:// URI of an existing database whose
//   role may create tables; `overwrite` drops the demo's tables first.
//   engine "clickhouse": `location` is a clickhouse:// URI of an existing database;
//   with `shard.cluster`, one node of that cluster (see DemoShard).
struct DemoShard {
  std::string cluster;  // a remote_servers cluster name; empty: one server
  int shard = 1;        // this node's number, 1..shards
  int shards = 1;
};
struct DemoTarget {
  std::string engine = "sqlite";
  std::string location;
  bool overwrite = false;
  DemoShard shard;  // ClickHouse only
};
Result<DemoStats> create_demo_warehouse(const DemoTarget& target);

// The default demo database, created on first use. Returns its path.
Result<std::string> ensure_demo_warehouse();

// The design documents' example questions with SQL that answers them.
struct DemoQuery {
  std::string question;
  std::string sql;
};
// `engine` picks the SQL dialect: "sqlite" (default), "duckdb", "postgresql" or "clickhouse".
std::vector<DemoQuery> demo_example_queries(const std::string& engine = "sqlite");

}  // namespace t2sql
