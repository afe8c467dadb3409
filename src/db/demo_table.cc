#include "db/demo_table.h"

#include <sqlite3.h>

#include <memory>

namespace t2sql {

namespace {

std::string column_type(ValueType type, std::string_view engine) {
  switch (type) {
    case ValueType::kInteger: return "INTEGER";
    // Money: exact decimals where the engine has them, so that ROUND(x, 2)
    // reads the same everywhere (PostgreSQL has no ROUND(double, int)).
    case ValueType::kReal: return engine == "sqlite" ? "REAL" : engine == "duckdb" ? "DECIMAL(12,2)" : "NUMERIC(12,2)";
    case ValueType::kDate: return "DATE";
    default: return "TEXT";
  }
}

}  // namespace

std::string demo_table_ddl(const DemoTable& table, std::string_view engine) {
  std::string ddl = "CREATE TABLE " + table.name + " (\n";
  bool inline_pk = table.primary_key.size() == 1;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const DemoColumn& c = table.columns[i];
    ddl += "  " + c.name + " " + column_type(c.type, engine);
    if (inline_pk && c.name == table.primary_key[0]) {
      ddl += " PRIMARY KEY";
    } else if (c.not_null) {
      ddl += " NOT NULL";
    }
    if (!c.references.empty()) ddl += " REFERENCES " + c.references;
    if (i + 1 < table.columns.size() || !inline_pk) ddl += ",";
    ddl += "\n";
  }
  if (!inline_pk) {
    ddl += "  PRIMARY KEY (";
    for (size_t i = 0; i < table.primary_key.size(); ++i) ddl += (i ? ", " : "") + table.primary_key[i];
    ddl += ")\n";
  }
  return ddl + ")";
}

std::vector<std::string> demo_table_comments(const DemoTable& table) {
  auto literal = [](const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  };
  std::vector<std::string> out;
  if (!table.description.empty()) out.push_back("COMMENT ON TABLE " + table.name + " IS " + literal(table.description));
  for (const DemoColumn& c : table.columns) {
    if (c.description.empty()) continue;
    out.push_back("COMMENT ON COLUMN " + table.name + "." + c.name + " IS " + literal(c.description));
  }
  return out;
}

Status write_demo_sqlite(const std::vector<DemoTable>& tables, const std::string& path) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return invalid_argument("cannot create '" + path + "': " + msg);
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close);
  auto exec = [&](const std::string& sql) -> Status {
    char* err = nullptr;
    if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return internal_error("building the demo warehouse (SQLite): " + msg);
    }
    return Status();
  };
  if (Status s = exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON; BEGIN;");
      !s.ok()) {
    return s;
  }
  for (const DemoTable& table : tables) {
    if (Status s = exec(demo_table_ddl(table, "sqlite")); !s.ok()) return s;
    std::string insert = "INSERT INTO " + table.name + " VALUES (";
    for (size_t i = 0; i < table.columns.size(); ++i) insert += i ? ",?" : "?";
    insert += ")";
    sqlite3_stmt* raw_stmt = nullptr;
    if (sqlite3_prepare_v2(db.get(), insert.c_str(), -1, &raw_stmt, nullptr) != SQLITE_OK) {
      return internal_error("building the demo warehouse (SQLite): " + std::string(sqlite3_errmsg(db.get())));
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw_stmt, sqlite3_finalize);
    for (const auto& row : table.rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        const Value& v = row[i];
        int idx = static_cast<int>(i + 1);
        switch (v.type) {
          case ValueType::kNull: sqlite3_bind_null(stmt.get(), idx); break;
          case ValueType::kInteger: sqlite3_bind_int64(stmt.get(), idx, std::get<int64_t>(v.data)); break;
          case ValueType::kReal: sqlite3_bind_double(stmt.get(), idx, std::get<double>(v.data)); break;
          default: {
            const std::string& text = std::get<std::string>(v.data);
            sqlite3_bind_text(stmt.get(), idx, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
          }
        }
      }
      if (sqlite3_step(stmt.get()) != SQLITE_DONE) {
        return internal_error("inserting into " + table.name + ": " + sqlite3_errmsg(db.get()));
      }
      sqlite3_reset(stmt.get());
    }
  }
  std::string after = "COMMIT;";
  for (const DemoTable& table : tables) {
    for (const auto& column : table.indexes) {
      after += " CREATE INDEX " + table.name + "_" + column + " ON " + table.name + "(" + column + ");";
    }
  }
  return exec(after + " ANALYZE;");
}

}  // namespace t2sql
