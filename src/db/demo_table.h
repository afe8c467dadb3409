// DemoTable: one table of the demo warehouse as plain rows, and the writers
// that put the same rows into each engine. The generator in
// demo_warehouse.cc fills the tables once; every engine then receives
// identical rows, so the same query gives the same answer on each.
// The writers are the only code in t2sql that opens a writable connection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "t2sql/demo.h"
#include "t2sql/status.h"
#include "t2sql/value.h"

namespace t2sql {

struct DemoColumn {
  std::string name;
  ValueType type = ValueType::kText;  // kInteger, kReal, kText or kDate
  bool not_null = true;
  std::string references;  // "brands(brand_id)", empty when none
};

struct DemoTable {
  std::string name;
  std::vector<DemoColumn> columns;
  std::vector<std::string> primary_key;
  std::vector<std::string> indexes;  // single-column indexes to create after loading
  std::vector<std::vector<Value>> rows;
};

// CREATE TABLE in the given engine's types ("sqlite", "duckdb", "postgresql").
std::string demo_table_ddl(const DemoTable& table, std::string_view engine);

// Each writes every table into a new database. The SQLite and DuckDB writers
// create the file at `path` (which must not exist); the PostgreSQL writer
// creates the tables in the existing database `uri`, first dropping the demo's
// tables when `replace` is set (kInvalidArgument when they exist otherwise).
Status write_demo_sqlite(const std::vector<DemoTable>& tables, const std::string& path);
Status write_demo_duckdb(const std::vector<DemoTable>& tables, const std::string& path);
Status write_demo_postgres(const std::vector<DemoTable>& tables, const std::string& uri, bool replace);
// ClickHouse: MergeTree tables in the URI's database. With a cluster, this
// node is shard `shard` of `shards`: sales goes into <database>_local.sales
// (every shards-th row) under a Distributed table <database>.sales, and the
// other tables are written whole, so that joins run on each shard.
Status write_demo_clickhouse(const std::vector<DemoTable>& tables, const std::string& uri, bool replace,
                             const DemoShard& shard);

}  // namespace t2sql
