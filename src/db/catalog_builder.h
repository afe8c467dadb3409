// build_catalog: the one place where a Catalog is assembled from an engine's
// introspection. Each engine implements a CatalogSource that answers its own
// queries (sqlite_master and pragmas, duckdb_tables() and duckdb_constraints(),
// pg_catalog, system.tables and system.columns) as plain rows; the builder owns
// everything else, the same for every engine: which failures end the catalog
// (listing tables or columns) and which leave a part out (keys, a row count, a
// sample), key columns grouped into primary and foreign keys, columns marked
// as key columns, a foreign key that names no column resolved to the
// referenced table's primary key, foreign keys inferred from names where the
// engine declares none, sample values cut to 60 characters.
// Not thread-safe (it runs on the caller's connection).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "t2sql/catalog.h"
#include "t2sql/database.h"
#include "t2sql/status.h"

namespace t2sql {

// One table or view as the engine lists it.
struct CatalogTableRow {
  std::string name;  // as the catalog shows it (schema.table outside the default schema)
  std::string description;
  std::string sql_name;          // quoted for a FROM clause
  std::string id;                // the engine's own handle (PostgreSQL's oid, ClickHouse's database)
  std::string schema, relation;  // the engine's schema and table name, unquoted
  int64_t estimated_rows = -1;   // the planner's estimate where the listing gives one
};

// One column of a primary or foreign key, in key order.
struct CatalogKeyRow {
  bool primary = false;    // else a foreign key
  std::string constraint;  // consecutive rows of one foreign key share it
  std::string column;      // in this table
  std::string ref_table;   // a foreign key's referenced table
  std::string ref_column;  // empty: the referenced table's primary key column at this position
};

class CatalogSource {
 public:
  virtual ~CatalogSource() = default;
  virtual std::string engine() const = 0;
  // Every table and view, in catalog order. An error ends the catalog.
  virtual Result<std::vector<CatalogTableRow>> tables() = 0;
  // The table's columns in order (name, declared and t2sql type, nullability,
  // description). An error ends the catalog.
  virtual Result<std::vector<ColumnInfo>> columns(const CatalogTableRow& table) = 0;
  // Primary key columns, then foreign key columns. An error leaves the keys out.
  virtual Result<std::vector<CatalogKeyRow>> keys(const CatalogTableRow& table) = 0;
  // An error leaves the count at 0.
  virtual Result<int64_t> row_count(const CatalogTableRow& table) = 0;
  // At most `limit` distinct non-null values of the column, as the first
  // column of the result. An error leaves the column without samples.
  virtual Result<ResultSet> sample_values(const CatalogTableRow& table, const std::string& column, int limit) = 0;
  // False where the engine has no foreign keys (ClickHouse): the builder infers
  // one where a column has the name of another table's one-column primary key.
  virtual bool declares_foreign_keys() const { return true; }
};

Result<Catalog> build_catalog(CatalogSource& source, const CatalogOptions& options);

// The count in the first cell of a `SELECT count(*)` result.
Result<int64_t> count_from(const Result<ResultSet>& result);

}  // namespace t2sql
