// The DuckDB writer of the demo warehouse: the one writable DuckDB connection
// in t2sql, open only while the demo file is built.
#include <duckdb.h>

#include <cstdio>
#include <memory>

#include "db/demo_table.h"

namespace t2sql {

namespace {

Status duck_error(const std::string& what, const char* detail) {
  return internal_error("building the demo warehouse (DuckDB): " + what + (detail ? std::string(": ") + detail : ""));
}

duckdb_date parse_date(const std::string& text) {
  int y = 0, m = 0, d = 0;
  std::sscanf(text.c_str(), "%d-%d-%d", &y, &m, &d);
  return duckdb_to_date(duckdb_date_struct{y, static_cast<int8_t>(m), static_cast<int8_t>(d)});
}

}  // namespace

Status write_demo_duckdb(const std::vector<DemoTable>& tables, const std::string& path) {
  duckdb_database db = nullptr;
  char* error = nullptr;
  if (duckdb_open_ext(path.c_str(), &db, nullptr, &error) != DuckDBSuccess) {
    Status s = invalid_argument("cannot create '" + path + "': " + std::string(error ? error : "unknown error"));
    duckdb_free(error);
    return s;
  }
  std::unique_ptr<duckdb_database, void (*)(duckdb_database*)> db_guard(&db, duckdb_close);
  duckdb_connection conn = nullptr;
  if (duckdb_connect(db, &conn) != DuckDBSuccess) return duck_error("cannot connect", nullptr);
  std::unique_ptr<duckdb_connection, void (*)(duckdb_connection*)> conn_guard(&conn, duckdb_disconnect);
  auto exec = [&](const std::string& sql) -> Status {
    duckdb_result result;
    duckdb_state state = duckdb_query(conn, sql.c_str(), &result);
    Status s = state == DuckDBSuccess ? Status() : duck_error(sql.substr(0, 40), duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    return s;
  };
  for (const DemoTable& table : tables) {
    if (Status s = exec(demo_table_ddl(table, "duckdb")); !s.ok()) return s;
    duckdb_appender appender = nullptr;
    if (duckdb_appender_create(conn, nullptr, table.name.c_str(), &appender) != DuckDBSuccess) {
      Status s = duck_error("appender for " + table.name, duckdb_appender_error(appender));
      duckdb_appender_destroy(&appender);
      return s;
    }
    std::unique_ptr<duckdb_appender, duckdb_state (*)(duckdb_appender*)> appender_guard(&appender,
                                                                                        duckdb_appender_destroy);
    for (const auto& row : table.rows) {
      duckdb_appender_begin_row(appender);
      for (size_t i = 0; i < row.size(); ++i) {
        const Value& v = row[i];
        duckdb_state state = DuckDBSuccess;
        switch (v.type) {
          case ValueType::kNull: state = duckdb_append_null(appender); break;
          case ValueType::kInteger: state = duckdb_append_int64(appender, std::get<int64_t>(v.data)); break;
          case ValueType::kReal: state = duckdb_append_double(appender, std::get<double>(v.data)); break;
          case ValueType::kDate: state = duckdb_append_date(appender, parse_date(std::get<std::string>(v.data))); break;
          default: {
            const std::string& text = std::get<std::string>(v.data);
            state = duckdb_append_varchar_length(appender, text.data(), text.size());
          }
        }
        if (state != DuckDBSuccess) return duck_error("appending to " + table.name, duckdb_appender_error(appender));
      }
      if (duckdb_appender_end_row(appender) != DuckDBSuccess) {
        return duck_error("appending to " + table.name, duckdb_appender_error(appender));
      }
    }
    if (duckdb_appender_close(appender) != DuckDBSuccess) {
      return duck_error("appending to " + table.name, duckdb_appender_error(appender));
    }
  }
  for (const DemoTable& table : tables) {
    for (const auto& comment : demo_table_comments(table)) {
      if (Status s = exec(comment); !s.ok()) return s;
    }
  }
  // No secondary indexes: DuckDB scans with zone maps, and ART indexes would
  // only slow the build.
  // Everything into the file itself, no WAL left beside it.
  return exec("CHECKPOINT");
}

}  // namespace t2sql
