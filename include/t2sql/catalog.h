// The schema of one database as t2sql sees it: tables, columns, keys, sizes,
// sample values and descriptions. Built by Database::catalog(); plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "t2sql/value.h"

namespace t2sql {

struct ColumnInfo {
  std::string name;
  std::string declared_type;  // as the engine reports it ("INTEGER", "varchar(20)")
  ValueType type = ValueType::kText;
  bool nullable = true;
  bool primary_key = false;
  std::vector<std::string> samples;  // a few distinct non-null values, as text
  std::string description;           // from comments or a user's description file
};

struct ForeignKey {
  std::vector<std::string> columns;  // in this table
  std::string ref_table;
  std::vector<std::string> ref_columns;  // in ref_table
};

struct TableInfo {
  std::string name;
  std::vector<ColumnInfo> columns;
  std::vector<std::string> primary_key;
  std::vector<ForeignKey> foreign_keys;
  int64_t row_count = 0;
  std::string description;

  const ColumnInfo* find_column(const std::string& name) const;  // case-insensitive
};

struct Catalog {
  std::string engine;  // "sqlite", "duckdb", "postgresql"
  std::vector<TableInfo> tables;

  const TableInfo* find_table(const std::string& name) const;  // case-insensitive
  // CREATE TABLE statements for every table, keys included.
  std::string to_ddl() const;
  // {"engine", "tables": [{"name", "row_count", "columns": [...], "primary_key", "foreign_keys"}]}
  std::string to_json() const;
};

// CREATE TABLE for one table; when `only` is given, just those columns (in
// table order), as the retrieval stage's limited-context DDL needs.
std::string table_ddl(const TableInfo& table, const std::vector<std::string>* only = nullptr);

}  // namespace t2sql
