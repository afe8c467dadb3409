#include "t2sql/database.h"

#include "db/clickhouse_database.h"
#include "db/duckdb_database.h"
#include "db/postgres_database.h"
#include "db/sqlite_database.h"

namespace t2sql {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::string& uri, const OpenOptions& options) {
  if (uri.empty()) return invalid_argument("no database given");
  auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) {
    // A plain path: DuckDB by its extension or its magic bytes, SQLite otherwise.
    if (ends_with(uri, ".duckdb") || ends_with(uri, ".ddb") || looks_like_duckdb_file(uri)) {
      return DuckdbDatabase::open_file(uri);
    }
    return SqliteDatabase::open_file(uri);
  }
  std::string scheme = uri.substr(0, scheme_end);
  std::string rest = uri.substr(scheme_end + 3);
  if (scheme == "sqlite" || scheme == "sqlite3" || scheme == "file") {
    // sqlite:///abs/path -> /abs/path ; sqlite://rel/path -> rel/path
    if (rest.empty()) return invalid_argument("'" + uri + "' names no file");
    return SqliteDatabase::open_file(rest);
  }
  if (scheme == "duckdb") {
    // duckdb:///abs/path.duckdb, duckdb://rel/path.duckdb, duckdb://:memory:
    if (rest.empty())
      return invalid_argument("'" + uri + "' names no file (use duckdb://:memory: for an empty database)");
    return DuckdbDatabase::open_file(rest);
  }
  if (scheme == "postgresql" || scheme == "postgres") {
    return PostgresDatabase::open_uri(uri, {.allow_privileged_role = options.allow_privileged_role});
  }
  if (scheme == "clickhouse") return ClickhouseDatabase::open_uri(uri);
  return invalid_argument("unsupported database URI scheme '" + scheme + "' in '" + redact_password(uri) +
                          "' (supported: sqlite://, duckdb://, postgresql://, clickhouse://, or a plain file path)");
}

}  // namespace t2sql
