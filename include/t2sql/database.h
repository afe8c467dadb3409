// Database: a read-only connection to one database, whatever its engine.
//
//   auto db = t2sql::Database::open("sqlite:///data/shop.db");
//   if (!db.ok()) return fail(db.status());
//   auto rows = (*db)->execute("SELECT count(*) FROM sales", {.timeout_ms = 2000});
//
// Every implementation refuses to write: the connection itself is opened
// read-only, and statements are checked before they run. Expected failures
// (bad SQL, a timeout, a write attempt) come back as a Status.
// One Database is not thread-safe; open one per thread (they are cheap).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "t2sql/catalog.h"
#include "t2sql/status.h"
#include "t2sql/value.h"

namespace t2sql {

// Bounds on one statement. The timeout covers execution and reading the
// rows; the byte caps keep one answer's memory bounded (each engine also caps
// its own working memory: see README "Bounded work").
struct ExecOptions {
  int64_t timeout_ms = 10000;           // interrupt the statement after this long; <= 0: no limit
  int64_t max_rows = 10000;             // stop reading after this many rows; <= 0: no cap
  int64_t max_value_bytes = 16 << 20;   // one value larger than this: kResourceExhausted; <= 0: no cap
  int64_t max_result_bytes = 64 << 20;  // the rows read exceed this: kResourceExhausted; <= 0: no cap
};

// How to open a database. PostgreSQL refuses a role that could write or
// reach files (a superuser, a role with INSERT/UPDATE/DELETE/TRUNCATE on a
// table or USAGE/UPDATE on a sequence, EXECUTE on dblink*, lo_import,
// lo_export, pg_read*, pg_ls*, pg_stat_file, or membership in
// pg_*_server_files / pg_execute_server_program) unless allow_privileged_role.
struct OpenOptions {
  bool allow_privileged_role = false;
};

struct CatalogOptions {
  int sample_values = 3;  // distinct sample values per column
  bool row_counts = true;
};

class Database {
 public:
  virtual ~Database() = default;

  // Opens "sqlite:///abs/path.db", "sqlite://rel/path.db",
  // "duckdb:///abs/path.duckdb", "duckdb://:memory:",
  // "postgresql://user:password@host:port/dbname" (or postgres://),
  // "clickhouse://user:password@host:port/dbname" (the HTTP port), or a
  // plain path (DuckDB when it ends in .duckdb/.ddb or holds DuckDB's magic
  // bytes, SQLite otherwise). A file must exist.
  static Result<std::unique_ptr<Database>> open(const std::string& uri, const OpenOptions& options = {});

  virtual std::string engine() const = 0;  // "sqlite", "duckdb", "postgresql", "clickhouse"
  virtual std::string uri() const = 0;

  virtual Result<Catalog> catalog(const CatalogOptions& options = {}) = 0;

  // Runs one read-only statement and returns its typed rows.
  virtual Result<ResultSet> execute(const std::string& sql, const ExecOptions& options = {}) = 0;

  // Checks that `sql` is one read-only statement the engine can plan, without
  // running it (prepare / EXPLAIN). The error text is the engine's own.
  virtual Status validate(const std::string& sql) = 0;
};

}  // namespace t2sql
