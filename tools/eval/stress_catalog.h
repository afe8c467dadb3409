// The large-schema stress catalog: every schema in the shared benchmark data
// (the Spider databases, the defog SQLite databases and the defog PostgreSQL
// dumps' JSON descriptions), the demo warehouse, and generated look-alike
// tables (renamed, trimmed and padded copies of the real ones) up to a
// table and column count. Real tables are named `<database>__<table>`, as a
// warehouse would put each source in its own schema.
//
//   auto stress = build_stress_catalog({.shared_dir = dir});
//   stress->table_name("concert_singer", "singer")   // "concert_singer__singer"
//
// Deterministic for a seed. Errors: kNotFound when the shared data is missing.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "t2sql/catalog.h"
#include "t2sql/status.h"

namespace t2sql {

struct StressCatalogOptions {
  std::string shared_dir;   // holds data/spider-dev-open and data/defog
  std::string scratch_dir;  // where the demo warehouse is written; empty: a temporary folder
  int tables = 2000;        // total tables, look-alikes included
  int columns = 20000;      // total columns, look-alikes included
  uint32_t seed = 7;
};

struct StressCatalog {
  Catalog catalog;
  int real_tables = 0, real_columns = 0;
  // The stress catalog's name for a source database's table ("" when absent).
  std::string table_name(const std::string& database, const std::string& table) const;

  std::unordered_map<std::string, std::string> names_;  // lowercase "db/table" -> stress name
};

Result<StressCatalog> build_stress_catalog(const StressCatalogOptions& options);

// $T2SQL_SHARED_DIR, else "" (build_stress_catalog() then says it is not set).
std::string default_shared_dir();

}  // namespace t2sql
