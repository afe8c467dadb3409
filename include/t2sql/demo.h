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

// The default demo database, created on first use. Returns its path.
Result<std::string> ensure_demo_warehouse();

// The design documents' example questions with SQL that answers them.
struct DemoQuery {
  std::string question;
  std::string sql;
};
std::vector<DemoQuery> demo_example_queries();

}  // namespace t2sql
