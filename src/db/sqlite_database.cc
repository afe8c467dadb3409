#include "db/sqlite_database.h"
#include "sql/sql_quote.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>

#include "sql/statement_guard.h"

namespace t2sql {

namespace {

using Clock = std::chrono::steady_clock;

// Everything a query needs, and nothing that writes or reaches outside.
int authorize(void* /*user*/, int action, const char* arg1, const char* arg2, const char* /*db*/,
              const char* /*trigger*/) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE: return SQLITE_OK;
    case SQLITE_FUNCTION:
      // Loading code is disabled on the connection too; refuse it at prepare
      // time so that validation already says no.
      return arg2 && std::string_view(arg2) == "load_extension" ? SQLITE_DENY : SQLITE_OK;
    case SQLITE_PRAGMA: {
      // Introspection pragmas only; each of these is read-only with one argument.
      static const std::set<std::string> kReadPragmas = {"table_info", "table_xinfo", "foreign_key_list", "index_list",
                                                         "index_info"};
      return arg1 && kReadPragmas.count(arg1) ? SQLITE_OK : SQLITE_DENY;
    }
    case SQLITE_UPDATE:
      // Creating an eponymous virtual table (pragma_table_info) reports
      // updates of sqlite_master's columns while the schema is read; the
      // read-only connection could not perform a real one anyway.
      return arg1 && std::string_view(arg1) == "sqlite_master" ? SQLITE_OK : SQLITE_DENY;
    default: return SQLITE_DENY;
  }
}

struct Deadline {
  Clock::time_point at;
  bool enabled = false;
};

int progress(void* user) {
  auto* deadline = static_cast<Deadline*>(user);
  return deadline->enabled && Clock::now() >= deadline->at ? 1 : 0;
}

ValueType type_from_declared(const std::string& declared) {
  std::string d;
  for (char c : declared) d += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (d.find("INT") != std::string::npos) return ValueType::kInteger;
  if (d.find("BOOL") != std::string::npos) return ValueType::kBoolean;
  if (d.find("TIMESTAMP") != std::string::npos || d.find("DATETIME") != std::string::npos) return ValueType::kTimestamp;
  if (d.find("DATE") != std::string::npos) return ValueType::kDate;
  if (d.find("CHAR") != std::string::npos || d.find("CLOB") != std::string::npos || d.find("TEXT") != std::string::npos)
    return ValueType::kText;
  if (d.find("BLOB") != std::string::npos) return ValueType::kBlob;
  if (d.find("REAL") != std::string::npos || d.find("FLOA") != std::string::npos ||
      d.find("DOUB") != std::string::npos || d.find("NUM") != std::string::npos || d.find("DEC") != std::string::npos)
    return ValueType::kReal;
  return ValueType::kText;
}

// SQLite's own messages are terse; say which file.
Status open_error(const std::string& path, const std::string& detail) {
  return invalid_argument("'" + path + "' is not a usable SQLite database: " + detail);
}

}  // namespace

Result<std::unique_ptr<Database>> SqliteDatabase::open_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found("database file '" + path + "' does not exist");
  if (std::filesystem::is_directory(path, ec))
    return invalid_argument("'" + path + "' is a directory, not a database file");
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) return not_found("cannot read database file '" + path + "'");
    char header[16] = {};
    in.read(header, sizeof header);
    if (in.gcount() > 0 && std::string(header, 15) != "SQLite format 3") {
      return open_error(path, "the file is not an SQLite database (bad header)");
    }
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return open_error(path, msg);
  }
  // Reading the schema finds a file that is not a database or whose first
  // pages are damaged; damage further in is reported by the query that meets it.
  char* err = nullptr;
  rc = sqlite3_exec(db, "PRAGMA query_only = 1; SELECT count(*) FROM sqlite_master;", nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    sqlite3_close_v2(db);
    return open_error(path, msg);
  }
  sqlite3_set_authorizer(db, authorize, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  std::string abs = std::filesystem::absolute(path, ec).string();
  return std::unique_ptr<Database>(new SqliteDatabase(db, ec ? path : abs));
}

SqliteDatabase::~SqliteDatabase() {
  sqlite3_close_v2(db_);
}

Status SqliteDatabase::prepare_checked(const std::string& sql, sqlite3_stmt** stmt) {
  if (Status s = check_read_only_statement(sql, Dialect::Engine::kSqlite); !s.ok()) return s;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), stmt, &tail);
  if (rc == SQLITE_AUTH)
    return permission_denied("refused by the read-only connection: " + std::string(sqlite3_errmsg(db_)));
  if (rc != SQLITE_OK) return invalid_argument(sqlite3_errmsg(db_));
  if (*stmt == nullptr) return invalid_argument("the SQL is empty");
  for (; tail && *tail; ++tail) {
    if (!std::isspace(static_cast<unsigned char>(*tail)) && *tail != ';') {
      sqlite3_finalize(*stmt);
      *stmt = nullptr;
      return invalid_argument("several statements in one string; give exactly one");
    }
  }
  if (!sqlite3_stmt_readonly(*stmt)) {
    sqlite3_finalize(*stmt);
    *stmt = nullptr;
    return permission_denied("refusing a statement that would write");
  }
  return Status();
}

Status SqliteDatabase::validate(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  Status s = prepare_checked(sql, &stmt);
  sqlite3_finalize(stmt);
  return s;
}

Result<ResultSet> SqliteDatabase::execute(const std::string& sql, const ExecOptions& options) {
  auto start = Clock::now();
  sqlite3_stmt* stmt = nullptr;
  if (Status s = prepare_checked(sql, &stmt); !s.ok()) return s;
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);

  Deadline deadline;
  if (options.timeout_ms > 0) {
    deadline.enabled = true;
    deadline.at = start + std::chrono::milliseconds(options.timeout_ms);
  }
  // Checked every 1000 virtual-machine steps: microseconds apart.
  sqlite3_progress_handler(db_, 1000, progress, &deadline);
  struct ProgressOff {
    sqlite3* db;
    ~ProgressOff() { sqlite3_progress_handler(db, 0, nullptr, nullptr); }
  } progress_off{db_};

  ResultSet result;
  int ncol = sqlite3_column_count(stmt);
  for (int c = 0; c < ncol; ++c) {
    result.columns.emplace_back(sqlite3_column_name(stmt, c));
    const char* decl = sqlite3_column_decltype(stmt, c);
    result.column_types.push_back(decl ? type_from_declared(decl) : ValueType::kNull);
  }
  while (true) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_INTERRUPT) {
      return deadline_exceeded("query interrupted after its timeout of " + std::to_string(options.timeout_ms) + " ms");
    }
    if (rc != SQLITE_ROW) return invalid_argument(sqlite3_errmsg(db_));
    if (options.max_rows > 0 && static_cast<int64_t>(result.rows.size()) >= options.max_rows) {
      result.truncated = true;
      break;
    }
    std::vector<Value> row;
    row.reserve(ncol);
    for (int c = 0; c < ncol; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER: row.push_back(Value::integer(sqlite3_column_int64(stmt, c))); break;
        case SQLITE_FLOAT: row.push_back(Value::real(sqlite3_column_double(stmt, c))); break;
        case SQLITE_TEXT: {
          const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          ValueType t = result.column_types[c] == ValueType::kDate || result.column_types[c] == ValueType::kTimestamp
                            ? result.column_types[c]
                            : ValueType::kText;
          row.push_back(Value::text(std::string(text, sqlite3_column_bytes(stmt, c)), t));
          break;
        }
        case SQLITE_BLOB: {
          const char* blob = static_cast<const char*>(sqlite3_column_blob(stmt, c));
          row.push_back(Value::text(std::string(blob ? blob : "", sqlite3_column_bytes(stmt, c)), ValueType::kBlob));
          break;
        }
        default: row.push_back(Value::null());
      }
    }
    result.rows.push_back(std::move(row));
  }
  // Expressions have no declared type: take the first non-null cell's.
  for (int c = 0; c < ncol; ++c) {
    if (result.column_types[c] != ValueType::kNull) {
      // A declared INTEGER column can still hold reals after arithmetic in views.
      continue;
    }
    for (const auto& row : result.rows) {
      if (!row[c].is_null()) {
        result.column_types[c] = row[c].type;
        break;
      }
    }
  }
  result.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

Result<Catalog> SqliteDatabase::catalog(const CatalogOptions& options) {
  Catalog cat;
  cat.engine = "sqlite";
  ExecOptions exec{.timeout_ms = 30000, .max_rows = 0};
  auto tables = execute(
      "SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
      exec);
  if (!tables.ok()) return tables.status();
  for (const auto& trow : tables->rows) {
    TableInfo table;
    table.name = trow[0].to_string();
    std::string qname = sql_quoted_name(table.name);
    std::string lit = sql_quoted_literal(table.name);
    auto cols = execute("SELECT name, type, \"notnull\", pk FROM pragma_table_info(" + lit + ")", exec);
    if (!cols.ok()) return cols.status();
    std::vector<std::pair<int64_t, std::string>> pk;
    for (const auto& crow : cols->rows) {
      ColumnInfo col;
      col.name = crow[0].to_string();
      col.declared_type = crow[1].to_string();
      col.type = type_from_declared(col.declared_type);
      col.nullable = crow[2].as_double() == 0;
      int64_t pk_pos = static_cast<int64_t>(crow[3].as_double());
      if (pk_pos > 0) {
        col.primary_key = true;
        pk.emplace_back(pk_pos, col.name);
      }
      table.columns.push_back(std::move(col));
    }
    std::sort(pk.begin(), pk.end());
    for (auto& [pos, name] : pk) table.primary_key.push_back(name);

    auto fks = execute(
        "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(" + lit + ") ORDER BY id, seq", exec);
    if (fks.ok()) {
      int64_t last_id = -1;
      for (const auto& frow : fks->rows) {
        int64_t id = static_cast<int64_t>(frow[0].as_double());
        if (id != last_id) {
          table.foreign_keys.push_back({});
          table.foreign_keys.back().ref_table = frow[1].to_string();
          last_id = id;
        }
        auto& fk = table.foreign_keys.back();
        fk.columns.push_back(frow[2].to_string());
        fk.ref_columns.push_back(frow[3].is_null() ? std::string() : frow[3].to_string());
      }
    }
    if (options.row_counts) {
      auto count = execute("SELECT count(*) FROM " + qname, exec);
      if (count.ok() && !count->rows.empty()) table.row_count = static_cast<int64_t>(count->rows[0][0].as_double());
    }
    if (options.sample_values > 0) {
      for (auto& col : table.columns) {
        std::string q = sql_quoted_name(col.name);
        auto samples = execute("SELECT DISTINCT " + q + " FROM (SELECT " + q + " FROM " + qname + " WHERE " + q +
                                   " IS NOT NULL LIMIT 1000) LIMIT " + std::to_string(options.sample_values),
                               exec);
        if (!samples.ok()) continue;
        for (const auto& srow : samples->rows) {
          std::string v = srow[0].to_string();
          if (v.size() > 60) v = v.substr(0, 60);
          col.samples.push_back(std::move(v));
        }
      }
    }
    cat.tables.push_back(std::move(table));
  }
  // A foreign key that names no column refers to the primary key.
  for (auto& table : cat.tables) {
    for (auto& fk : table.foreign_keys) {
      const TableInfo* ref = cat.find_table(fk.ref_table);
      for (size_t i = 0; i < fk.ref_columns.size(); ++i) {
        if (fk.ref_columns[i].empty() && ref && i < ref->primary_key.size()) fk.ref_columns[i] = ref->primary_key[i];
      }
    }
  }
  return cat;
}

}  // namespace t2sql
