#include "db/sqlite_database.h"
#include "sql/sql_quote.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string_view>

#include "db/catalog_builder.h"
#include "db/result_budget.h"
#include "sql/function_allow_list.h"
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
    case SQLITE_FUNCTION: {
      // Every call, including those inside views, by the guard's allow-list
      // (fts3_tokenizer, load_extension, zeroblob, ... are refused here too).
      if (!arg2) return SQLITE_DENY;
      std::string name = arg2;
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return is_allowed_function(name, Dialect::Engine::kSqlite) ? SQLITE_OK : SQLITE_DENY;
    }
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

// SQLite's heap, all connections of the process together: a runaway query
// fails with SQLITE_NOMEM instead of taking the machine's memory.
constexpr int64_t kHeapLimitBytes = 256LL << 20;

int progress(void* user) {
  return static_cast<const ResultBudget*>(user)->check_deadline().ok() ? 0 : 1;
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool nonempty_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0 && !ec;
}

// "file:" URI of a path, for opening with ?immutable=1.
std::string file_uri(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out = "file:";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out + "?immutable=1";
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

// One read-only connection to `path`, set up as every statement expects.
// `*immutable` says whether it was opened with ?immutable=1 (a WAL file with
// no commits outside the main file).
Result<sqlite3*> open_connection(const std::string& path, bool* immutable) {
  bool wal = false;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) return not_found("cannot read database file '" + path + "'");
    char header[20] = {};
    in.read(header, sizeof header);
    if (in.gcount() > 0 && std::string(header, 15) != "SQLite format 3") {
      return open_error(path, "the file is not an SQLite database (bad header)");
    }
    // Bytes 18 and 19, the write and read format versions, are 2 in WAL mode.
    wal = in.gcount() == sizeof header && (header[18] == 2 || header[19] == 2);
  }
  // A read-only open never creates files beside the database. In WAL mode
  // SQLite would create the -wal and -shm files: with no (or an empty) -wal
  // file the main file holds every commit and is opened immutable; a -wal file
  // with its -shm is read as it is; a -wal file without -shm is refused.
  *immutable = false;
  if (wal) {
    bool has_wal = nonempty_file(path + "-wal");
    if (has_wal && !file_exists(path + "-shm")) {
      return invalid_argument("'" + path + "' is in WAL mode and has a -wal file but no -shm file: reading it would " +
                              "create '" + path + "-shm' beside it, and t2sql never creates files beside a " +
                              "database. Let its owner checkpoint it (sqlite3 '" + path +
                              "' 'PRAGMA wal_checkpoint(TRUNCATE)') and try again");
    }
    *immutable = !has_wal;
  }
  static std::once_flag heap_limit_once;
  std::call_once(heap_limit_once, [] {
    int64_t current = sqlite3_hard_heap_limit64(-1);
    if (current == 0 || current > kHeapLimitBytes) sqlite3_hard_heap_limit64(kHeapLimitBytes);
  });
  sqlite3* db = nullptr;
  int rc = *immutable ? sqlite3_open_v2(file_uri(std::filesystem::absolute(path).string()).c_str(), &db,
                                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr)
                      : sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
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
  return db;
}

}  // namespace

SqliteDatabase::FileStamp SqliteDatabase::stamp_of(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  FileStamp stamp;
  stamp.size = fs::file_size(path, ec);
  if (ec) stamp.size = 0;
  auto mtime = fs::last_write_time(path, ec);
  stamp.mtime = ec ? 0 : static_cast<int64_t>(mtime.time_since_epoch().count());
  stamp.wal_size = fs::file_size(path + "-wal", ec);
  if (ec) stamp.wal_size = 0;
  return stamp;
}

Result<std::unique_ptr<Database>> SqliteDatabase::open_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found("database file '" + path + "' does not exist");
  if (std::filesystem::is_directory(path, ec))
    return invalid_argument("'" + path + "' is a directory, not a database file");
  FileStamp stamp = stamp_of(path);
  bool immutable = false;
  auto db = open_connection(path, &immutable);
  if (!db.ok()) return db.status();
  std::string abs = std::filesystem::absolute(path, ec).string();
  return std::unique_ptr<Database>(new SqliteDatabase(*db, ec ? path : abs, immutable, stamp));
}

// An immutable connection reads the main file as it was: once another process
// writes (a -wal file appears) or checkpoints into the main file, it is
// reopened, so that a long-running server sees later commits and never reads
// a file that changes under an immutable connection.
Status SqliteDatabase::reopen_if_changed() {
  if (!immutable_) return Status();
  FileStamp now = stamp_of(path_);
  if (now == stamp_) return Status();
  bool immutable = false;
  auto db = open_connection(path_, &immutable);
  if (!db.ok()) return db.status();
  sqlite3_close_v2(db_);
  db_ = *db;
  immutable_ = immutable;
  stamp_ = now;
  return Status();
}

SqliteDatabase::~SqliteDatabase() {
  sqlite3_close_v2(db_);
}

Status SqliteDatabase::prepare_checked(const std::string& sql, sqlite3_stmt** stmt) {
  if (Status s = reopen_if_changed(); !s.ok()) return s;
  if (Status s = check_read_only_statement(sql, Dialect::Engine::kSqlite); !s.ok()) {
    // A typo ("selec * from t"): SQLite's own syntax error. Preparing runs
    // nothing; a statement that did parse stays refused.
    if (s.code() == StatusCode::kInvalidArgument && starts_with_unknown_word(sql, Dialect::Engine::kSqlite) &&
        sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), stmt, nullptr) != SQLITE_OK) {
      *stmt = nullptr;
      return invalid_argument(sqlite3_errmsg(db_));
    }
    sqlite3_finalize(*stmt);
    *stmt = nullptr;
    return s;
  }
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), stmt, &tail);
  if (rc != SQLITE_OK) {
    // A refused function reads "not authorized to use function: x"; a
    // direct-only function inside a view "unsafe use of x()".
    std::string message = sqlite3_errmsg(db_);
    if (rc == SQLITE_AUTH || message.find("not authorized") != std::string::npos ||
        message.find("unsafe use of") != std::string::npos) {
      return permission_denied("refused by the read-only connection: " + message);
    }
    return invalid_argument(message);
  }
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

  ResultBudget budget(options, start);
  // Checked every 1000 virtual-machine steps: microseconds apart.
  sqlite3_progress_handler(db_, 1000, progress, &budget);
  // No string or blob (nor row) the statement builds may outgrow the value cap.
  int length_cap = options.max_value_bytes > 0 && options.max_value_bytes < 1000000000
                       ? static_cast<int>(options.max_value_bytes)
                       : 1000000000;
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, length_cap);
  struct Restore {
    sqlite3* db;
    ~Restore() {
      sqlite3_progress_handler(db, 0, nullptr, nullptr);
      sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1000000000);
    }
  } restore{db_};

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
    if (rc == SQLITE_INTERRUPT) return budget.timed_out();
    if (rc == SQLITE_TOOBIG) return budget.value_too_large();
    if (rc == SQLITE_NOMEM) {
      return resource_exhausted("the query needed more memory than SQLite may use (" +
                                std::to_string(kHeapLimitBytes >> 20) + " MiB)");
    }
    if (rc != SQLITE_ROW) {
      std::string message = sqlite3_errmsg(db_);
      if (rc == SQLITE_AUTH || message.find("not authorized") != std::string::npos) {
        return permission_denied("refused by the read-only connection: " + message);
      }
      return invalid_argument(message);
    }
    if (Status s = budget.check_deadline(); !s.ok()) return s;
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
      if (Status s = budget.charge(sqlite3_column_bytes(stmt, c)); !s.ok()) return s;
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

namespace {

// SQLite's introspection: sqlite_master and the table_info and
// foreign_key_list pragmas.
class SqliteCatalogSource final : public CatalogSource {
 public:
  explicit SqliteCatalogSource(SqliteDatabase& db) : db_(db) {}

  std::string engine() const override { return "sqlite"; }

  Result<std::vector<CatalogTableRow>> tables() override {
    auto rows = db_.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
        kExec);
    if (!rows.ok()) return rows.status();
    std::vector<CatalogTableRow> out;
    for (const auto& row : rows->rows) {
      CatalogTableRow table;
      table.name = row[0].to_string();
      table.relation = table.name;
      table.sql_name = sql_quoted_name(table.name);
      out.push_back(std::move(table));
    }
    return out;
  }

  Result<std::vector<ColumnInfo>> columns(const CatalogTableRow& table) override {
    auto rows =
        db_.execute("SELECT name, type, \"notnull\" FROM pragma_table_info(" + sql_quoted_literal(table.relation) + ")",
                    kExec);
    if (!rows.ok()) return rows.status();
    std::vector<ColumnInfo> out;
    for (const auto& row : rows->rows) {
      ColumnInfo col;
      col.name = row[0].to_string();
      col.declared_type = row[1].to_string();
      col.type = type_from_declared(col.declared_type);
      col.nullable = row[2].as_double() == 0;
      out.push_back(std::move(col));
    }
    return out;
  }

  Result<std::vector<CatalogKeyRow>> keys(const CatalogTableRow& table) override {
    const std::string lit = sql_quoted_literal(table.relation);
    std::vector<CatalogKeyRow> out;
    auto pk = db_.execute("SELECT name FROM pragma_table_info(" + lit + ") WHERE pk > 0 ORDER BY pk", kExec);
    if (!pk.ok()) return pk.status();
    for (const auto& row : pk->rows) out.push_back({.primary = true, .column = row[0].to_string()});
    auto fks = db_.execute(
        "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(" + lit + ") ORDER BY id, seq", kExec);
    if (!fks.ok()) return out;  // the primary key stands without them
    for (const auto& row : fks->rows) {
      out.push_back({.constraint = row[0].to_string(),
                     .column = row[2].to_string(),
                     .ref_table = row[1].to_string(),
                     .ref_column = row[3].is_null() ? std::string() : row[3].to_string()});
    }
    return out;
  }

  Result<int64_t> row_count(const CatalogTableRow& table) override {
    return count_from(db_.execute("SELECT count(*) FROM " + table.sql_name, kExec));
  }

  Result<ResultSet> sample_values(const CatalogTableRow& table, const std::string& column, int limit) override {
    std::string q = sql_quoted_name(column);
    return db_.execute("SELECT DISTINCT " + q + " FROM (SELECT " + q + " FROM " + table.sql_name + " WHERE " + q +
                           " IS NOT NULL LIMIT 1000) LIMIT " + std::to_string(limit),
                       kExec);
  }

 private:
  static constexpr ExecOptions kExec{.timeout_ms = 30000, .max_rows = 0};
  SqliteDatabase& db_;
};

}  // namespace

Result<Catalog> SqliteDatabase::catalog(const CatalogOptions& options) {
  SqliteCatalogSource source(*this);
  return build_catalog(source, options);
}

}  // namespace t2sql
