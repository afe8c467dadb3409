#include "db/postgres_database.h"
#include "sql/sql_quote.h"

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include "db/catalog_builder.h"
#include "db/result_budget.h"
#include "sql/statement_guard.h"

namespace t2sql {

namespace {

using Clock = std::chrono::steady_clock;

// Type OIDs from pg_type.h (stable across server versions).
constexpr unsigned kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700, kFloat8 = 701,
                   kNumeric = 1700, kDate = 1082, kTimestamp = 1114, kTimestampTz = 1184, kMoney = 790;

ValueType value_type_of(unsigned oid) {
  switch (oid) {
    case kBool: return ValueType::kBoolean;
    case kInt8:
    case kInt2:
    case kInt4:
    case kOid: return ValueType::kInteger;
    case kFloat4:
    case kFloat8:
    case kNumeric: return ValueType::kReal;
    case kBytea: return ValueType::kBlob;
    case kDate: return ValueType::kDate;
    case kTimestamp:
    case kTimestampTz: return ValueType::kTimestamp;
    default: return ValueType::kText;
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

Value read_cell(const PGresult* res, int row, int col, ValueType type) {
  if (PQgetisnull(res, row, col)) return Value::null();
  const char* text = PQgetvalue(res, row, col);
  int len = PQgetlength(res, row, col);
  switch (type) {
    case ValueType::kBoolean: return Value::boolean(text[0] == 't');
    case ValueType::kInteger: return Value::integer(std::strtoll(text, nullptr, 10));
    case ValueType::kReal: return Value::real(std::strtod(text, nullptr));
    case ValueType::kBlob: {
      // bytea_output=hex: "\x0a1b..."
      std::string bytes;
      if (len >= 2 && text[0] == '\\' && text[1] == 'x') {
        for (int i = 2; i + 1 < len; i += 2)
          bytes += static_cast<char>(hex_digit(text[i]) * 16 + hex_digit(text[i + 1]));
      } else {
        bytes.assign(text, len);
      }
      return Value::text(std::move(bytes), ValueType::kBlob);
    }
    default: return Value::text(std::string(text, len), type);
  }
}

std::string first_line(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (auto nl = message.find('\n'); nl != std::string::npos) message = message.substr(0, nl);
  if (message.rfind("ERROR:  ", 0) == 0) message = message.substr(8);
  return message;
}

// Cancels the statement in flight if the server has not stopped it itself
// shortly after its statement_timeout (a server that no longer answers).
class CancelWatchdog {
 public:
  CancelWatchdog(PGconn* conn, int64_t timeout_ms) {
    if (timeout_ms <= 0) return;
    cancel_ = PQgetCancel(conn);
    if (!cancel_) return;
    thread_ = std::thread([this, timeout_ms] {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms + 1000), [this] { return stopped_; })) {
        fired_ = true;
        char err[256];
        PQcancel(cancel_, err, sizeof err);
      }
    });
  }
  ~CancelWatchdog() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (cancel_) PQfreeCancel(cancel_);
  }

 private:
  PGcancel* cancel_ = nullptr;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mutex_
  bool fired_ = false;    // guarded by mutex_
  std::thread thread_;
};

using ResultPtr = std::unique_ptr<PGresult, void (*)(PGresult*)>;

ResultPtr exec_params(PGconn* conn, const std::string& sql) {
  return ResultPtr(PQexecParams(conn, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0), PQclear);
}

Status connect_error(const std::string& uri, const std::string& redacted, const std::string& message) {
  std::string m = redact_uri_in(first_line(message), uri);
  if (m.find("authentication failed") != std::string::npos || m.find("no password supplied") != std::string::npos ||
      m.find("role \"") != std::string::npos || m.find("no pg_hba.conf entry") != std::string::npos) {
    return permission_denied("PostgreSQL refused the login for '" + redacted + "': " + m);
  }
  if (m.find("database \"") != std::string::npos && m.find("does not exist") != std::string::npos) {
    return not_found("PostgreSQL at '" + redacted + "': " + m);
  }
  if (m.find("URI") != std::string::npos || m.find("invalid connection option") != std::string::npos) {
    return invalid_argument("'" + redacted + "' is not a valid PostgreSQL URI: " + m);
  }
  return unavailable("cannot reach PostgreSQL at '" + redacted + "': " + m);
}

PGconn* connect(const std::string& uri, const PostgresOptions& options) {
  std::string timeout_s = std::to_string(std::max<int64_t>(2, (options.timeout_connect_ms + 999) / 1000));
  // Later keywords override what the URI says: the read-only session
  // settings always win over ?options=... in a user's URI.
  const char* keys[] = {"dbname", "connect_timeout", "application_name", "client_encoding", "options", nullptr};
  const char* values[] = {uri.c_str(),
                          timeout_s.c_str(),
                          "t2sql",
                          "UTF8",
                          "-c default_transaction_read_only=on -c DateStyle=ISO,YMD -c bytea_output=hex "
                          "-c extra_float_digits=1 -c idle_in_transaction_session_timeout=60000 "
                          "-c standard_conforming_strings=on -c work_mem=4MB",
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  // Server notices (RAISE NOTICE in a function) would go to stderr unasked.
  if (conn)
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
  return conn;
}

// What makes the connected role more than a reader, or "" when nothing does.
// A role that can write would be stopped by the read-only transaction, but a
// SECURITY DEFINER function, dblink or a file function can step around it.
std::string role_privilege(PGconn* conn) {
  static const char* kQuery =
      "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
      "(SELECT string_agg(r, ', ') FROM (SELECT r FROM unnest(ARRAY['pg_write_server_files', "
      "'pg_read_server_files', 'pg_execute_server_program', 'pg_write_all_data']) AS r "
      "WHERE pg_has_role(current_user, r, 'MEMBER')) m), "
      "(SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' AND ("
      "(c.relkind IN ('r', 'p', 'v', 'm', 'f') AND (has_any_column_privilege(c.oid, 'INSERT') OR "
      "has_any_column_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE') OR "
      "has_table_privilege(c.oid, 'TRUNCATE'))) OR "
      "(c.relkind = 'S' AND (has_sequence_privilege(c.oid, 'USAGE') OR has_sequence_privilege(c.oid, 'UPDATE')))) "
      "LIMIT 1), "
      "(SELECT p.oid::regprocedure::text FROM pg_proc p WHERE (p.proname LIKE 'dblink%' OR "
      "p.proname IN ('lo_import', 'lo_export', 'pg_stat_file') OR p.proname LIKE 'pg\\_read\\_%' OR "
      "p.proname LIKE 'pg\\_ls\\_%') AND has_function_privilege(p.oid, 'EXECUTE') "
      "AND has_schema_privilege(p.pronamespace, 'USAGE') "
      // adminpack's old entry point checks for a superuser itself, whoever may call it.
      "AND p.proname <> 'pg_read_file_old' LIMIT 1)";
  PGresult* res = PQexec(conn, kQuery);
  std::string why;
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    why = "its privileges could not be read (" + first_line(PQresultErrorMessage(res)) + ")";
  } else if (std::string(PQgetvalue(res, 0, 0)) == "t") {
    why = "it is a superuser";
  } else if (!PQgetisnull(res, 0, 1)) {
    why = std::string("it is a member of ") + PQgetvalue(res, 0, 1);
  } else if (!PQgetisnull(res, 0, 2)) {
    why = std::string("it can write to ") + PQgetvalue(res, 0, 2);
  } else if (!PQgetisnull(res, 0, 3)) {
    why = std::string("it can execute ") + PQgetvalue(res, 0, 3);
  }
  PQclear(res);
  return why;
}

// The session settings the guard's lexer and the bounds rely on, and the
// role check. Runs after every (re)connect.
Status prepare_session(PGconn* conn, const PostgresOptions& options, const std::string& redacted) {
  const char* scs = PQparameterStatus(conn, "standard_conforming_strings");
  if (!scs || std::string(scs) != "on") {
    return internal_error("PostgreSQL at '" + redacted + "' did not accept standard_conforming_strings=on");
  }
  if (!options.allow_privileged_role) {
    std::string why = role_privilege(conn);
    if (!why.empty()) {
      const char* user = PQuser(conn);
      return permission_denied("refusing to use PostgreSQL role \"" + std::string(user ? user : "") + "\": " + why +
                               ". t2sql wants a role that can only read (README: \"A read-only PostgreSQL "
                               "role\"); --allow-privileged-role uses it anyway");
    }
  }
  // Built-in functions first: the allow-list names pg_catalog's functions, and
  // a search_path that puts another schema before it would let a function of
  // the same name there answer the call.
  PQclear(PQexec(conn,
                 "SELECT CASE WHEN (current_schemas(true))[1] <> 'pg_catalog' THEN set_config('search_path', "
                 "'pg_catalog, ' || current_setting('search_path'), false) END"));
  // Only a superuser may bound temporary files; for others the setting is
  // the server's (and t2sql refuses superusers unless told otherwise).
  PQclear(PQexec(conn, "SET temp_file_limit = '256MB'"));
  return Status();
}

}  // namespace

std::string with_database(const std::string& uri, const std::string& database) {
  auto scheme = uri.find("://");
  size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t query = uri.find('?', host_start);
  size_t slash = uri.find('/', host_start);
  if (slash != std::string::npos && query != std::string::npos && slash > query) slash = std::string::npos;
  std::string head = uri.substr(0, slash != std::string::npos   ? slash
                                   : query != std::string::npos ? query
                                                                : uri.size());
  std::string tail = query != std::string::npos ? uri.substr(query) : "";
  return head + "/" + database + tail;
}

PostgresDatabase::PostgresDatabase(PGconn* conn, std::string uri, std::string redacted_uri, PostgresOptions options)
    : conn_(conn), uri_(std::move(uri)), redacted_uri_(std::move(redacted_uri)), options_(options) {}

PostgresDatabase::~PostgresDatabase() {
  PQfinish(conn_);
}

Result<std::unique_ptr<Database>> PostgresDatabase::open_uri(const std::string& uri, const PostgresOptions& options) {
  std::string redacted = redact_password(uri);
  PGconn* conn = connect(uri, options);
  if (!conn) return internal_error("libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status s = connect_error(uri, redacted, PQerrorMessage(conn));
    PQfinish(conn);
    return s;
  }
  if (Status s = prepare_session(conn, options, redacted); !s.ok()) {
    PQfinish(conn);
    return s;
  }
  return std::unique_ptr<Database>(new PostgresDatabase(conn, uri, redacted, options));
}

int PostgresDatabase::backend_pid() const {
  return conn_ && PQstatus(conn_) == CONNECTION_OK ? PQbackendPID(conn_) : 0;
}

Status PostgresDatabase::ensure_connected() {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) return Status();
  PQfinish(conn_);
  conn_ = connect(uri_, options_);
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) {
    Status s = prepare_session(conn_, options_, redacted_uri_);
    if (!s.ok()) {
      PQfinish(conn_);
      conn_ = nullptr;
    }
    return s;
  }
  return connect_error(uri_, redacted_uri_, conn_ ? PQerrorMessage(conn_) : "out of memory");
}

Status PostgresDatabase::validate(const std::string& sql) {
  auto planned = run(sql, ExecOptions{.timeout_ms = 10000, .max_rows = 0}, true, true);
  return planned.ok() ? Status() : planned.status();
}

Result<ResultSet> PostgresDatabase::execute(const std::string& sql, const ExecOptions& options) {
  return run(sql, options, true, false);
}

Result<ResultSet> PostgresDatabase::run(const std::string& sql, const ExecOptions& options, bool check,
                                        bool explain_only) {
  auto start = Clock::now();
  if (check) {
    if (Status s = check_read_only_statement(sql, Dialect::Engine::kPostgres); !s.ok()) return s;
  }
  if (Status s = ensure_connected(); !s.ok()) return s;
  std::string body = sql;
  while (!body.empty() && (std::isspace(static_cast<unsigned char>(body.back())) || body.back() == ';'))
    body.pop_back();

  // Turns a failed result into a Status, by SQLSTATE class.
  auto failure = [&](const PGresult* res) -> Status {
    if (PQstatus(conn_) != CONNECTION_OK) {
      return unavailable("the connection to PostgreSQL at '" + redacted_uri_ +
                         "' was lost: " + first_line(PQerrorMessage(conn_)));
    }
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string code = state ? state : "";
    std::string message = first_line(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    if (code == "57014") {
      return deadline_exceeded("query interrupted after its timeout of " + std::to_string(options.timeout_ms) + " ms");
    }
    if (code == "25006" || code == "42501")
      return permission_denied("refused by the read-only PostgreSQL session: " + message);
    if (code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0) {
      return unavailable("the connection to PostgreSQL at '" + redacted_uri_ + "' was lost: " + message);
    }
    if (code == "0A000" && message.find("DECLARE CURSOR") != std::string::npos) {
      return permission_denied("refusing a statement that is not a plain query: " + message);
    }
    if (code == "42601" && message.find("cannot insert multiple commands") != std::string::npos) {
      return invalid_argument("several statements in one string; give exactly one");
    }
    return invalid_argument(message);
  };

  auto begin = exec_params(conn_, "BEGIN TRANSACTION READ ONLY");
  if (PQresultStatus(begin.get()) != PGRES_COMMAND_OK) return failure(begin.get());
  struct Rollback {
    PGconn* conn;
    ~Rollback() {
      if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
    }
  } rollback{conn_};
  int64_t timeout = options.timeout_ms > 0 ? options.timeout_ms : 0;
  auto set_timeout = exec_params(conn_, "SET LOCAL statement_timeout = " + std::to_string(timeout));
  if (PQresultStatus(set_timeout.get()) != PGRES_COMMAND_OK) return failure(set_timeout.get());

  // The cursor admits one SELECT/VALUES only, and the extended protocol one statement.
  std::string declare = "DECLARE t2sql_cursor NO SCROLL CURSOR FOR " + body;
  CancelWatchdog watchdog(conn_, timeout);
  ResultSet out;
  if (explain_only) {
    auto res = exec_params(conn_, "EXPLAIN " + declare);
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return failure(res.get());
    return out;
  }
  auto declared = exec_params(conn_, declare);
  if (PQresultStatus(declared.get()) != PGRES_COMMAND_OK) return failure(declared.get());
  // Rows come in batches, each FETCH given the time that is left, so that the
  // timeout covers the whole statement and the byte caps apply as rows arrive
  // (a single value is fetched whole: PostgreSQL caps it at 1 GB).
  constexpr int64_t kBatchRows = 1000;
  ResultBudget budget(options, start);
  for (bool first = true;; first = false) {
    int64_t want = kBatchRows;
    if (options.max_rows > 0) want = std::min<int64_t>(want, options.max_rows + 1 - out.rows.size());
    if (!first && timeout > 0) {
      if (Status s = budget.check_deadline(); !s.ok()) return s;
      auto set = exec_params(conn_, "SET LOCAL statement_timeout = " + std::to_string(budget.remaining_ms()));
      if (PQresultStatus(set.get()) != PGRES_COMMAND_OK) return failure(set.get());
    }
    auto res = exec_params(conn_, "FETCH FORWARD " + std::to_string(want) + " FROM t2sql_cursor");
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return failure(res.get());
    int ncol = PQnfields(res.get());
    int nrow = PQntuples(res.get());
    if (first) {
      for (int c = 0; c < ncol; ++c) {
        out.columns.emplace_back(PQfname(res.get(), c));
        out.column_types.push_back(value_type_of(PQftype(res.get(), c)));
      }
    }
    for (int r = 0; r < nrow; ++r) {
      if (options.max_rows > 0 && static_cast<int64_t>(out.rows.size()) >= options.max_rows) {
        out.truncated = true;
        break;
      }
      std::vector<Value> row;
      row.reserve(ncol);
      for (int c = 0; c < ncol; ++c) {
        if (Status s = budget.charge(PQgetlength(res.get(), r, c)); !s.ok()) return s;
        row.push_back(read_cell(res.get(), r, c, out.column_types[c]));
      }
      out.rows.push_back(std::move(row));
    }
    if (out.truncated || nrow < want) break;
  }
  out.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return out;
}

namespace {

// PostgreSQL's introspection from pg_catalog: every relation the role may
// read outside the system schemas (public first), comments as descriptions,
// types by OID, keys from pg_constraint.
class PostgresCatalogSource final : public CatalogSource {
 public:
  using Query = std::function<Result<ResultSet>(const std::string&)>;
  explicit PostgresCatalogSource(Query query) : query_(std::move(query)) {}

  std::string engine() const override { return "postgresql"; }

  Result<std::vector<CatalogTableRow>> tables() override {
    auto rows = query_(
        "SELECT c.oid, n.nspname, c.relname, coalesce(obj_description(c.oid, 'pg_class'), ''), c.reltuples::bigint "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND NOT c.relispartition "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' "
        "AND has_table_privilege(c.oid, 'SELECT') ORDER BY n.nspname <> 'public', n.nspname, c.relname");
    if (!rows.ok()) return rows.status();
    std::vector<CatalogTableRow> out;
    for (const auto& row : rows->rows) {
      CatalogTableRow table;
      table.id = row[0].to_string();
      table.schema = row[1].to_string();
      table.relation = row[2].to_string();
      table.name = table.schema == "public" ? table.relation : table.schema + "." + table.relation;
      table.description = row[3].to_string();
      table.sql_name = sql_quoted_name(table.schema) + "." + sql_quoted_name(table.relation);
      table.estimated_rows = static_cast<int64_t>(row[4].as_double());
      out.push_back(std::move(table));
    }
    return out;
  }

  Result<std::vector<ColumnInfo>> columns(const CatalogTableRow& table) override {
    auto rows = query_(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, "
        "coalesce(col_description(a.attrelid, a.attnum), ''), a.atttypid FROM pg_attribute a "
        "WHERE a.attrelid = " +
        table.id + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
    if (!rows.ok()) return rows.status();
    std::vector<ColumnInfo> out;
    for (const auto& row : rows->rows) {
      ColumnInfo col;
      col.name = row[0].to_string();
      col.declared_type = row[1].to_string();
      col.nullable = row[2].as_double() != 0;
      col.description = row[3].to_string();
      col.type = value_type_of(static_cast<unsigned>(row[4].as_double()));
      out.push_back(std::move(col));
    }
    return out;
  }

  Result<std::vector<CatalogKeyRow>> keys(const CatalogTableRow& table) override {
    auto rows = query_(
        "SELECT con.contype, con.conname, a.attname, coalesce(fa.attname, ''), coalesce(fc.relname, ''), "
        "coalesce(fn.nspname, '') FROM pg_constraint con "
        "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum "
        "LEFT JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fattnum "
        "LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace "
        "WHERE con.conrelid = " +
        table.id + " AND con.contype IN ('p', 'f') ORDER BY con.contype DESC, con.conname, k.ord");
    if (!rows.ok()) return rows.status();
    std::vector<CatalogKeyRow> out;
    for (const auto& row : rows->rows) {
      const std::string ref_schema = row[5].to_string();
      out.push_back({.primary = row[0].to_string() == "p",
                     .constraint = row[1].to_string(),
                     .column = row[2].to_string(),
                     .ref_table = ref_schema == "public" ? row[4].to_string() : ref_schema + "." + row[4].to_string(),
                     .ref_column = row[3].to_string()});
    }
    return out;
  }

  // Exact counts for tables of ordinary size; the planner's estimate beyond.
  Result<int64_t> row_count(const CatalogTableRow& table) override {
    if (table.estimated_rows > 1000000) return table.estimated_rows;
    return count_from(query_("SELECT count(*) FROM " + table.sql_name));
  }

  Result<ResultSet> sample_values(const CatalogTableRow& table, const std::string& column, int limit) override {
    std::string q = sql_quoted_name(column);
    return query_("SELECT DISTINCT " + q + "::text FROM (SELECT " + q + " FROM " + table.sql_name + " WHERE " + q +
                  " IS NOT NULL LIMIT 1000) AS s ORDER BY 1 LIMIT " + std::to_string(limit));
  }

 private:
  Query query_;
};

}  // namespace

Result<Catalog> PostgresDatabase::catalog(const CatalogOptions& options) {
  PostgresCatalogSource source([this](const std::string& sql) {
    return run(sql, ExecOptions{.timeout_ms = 30000, .max_rows = 0}, false, false);
  });
  return build_catalog(source, options);
}

}  // namespace t2sql
