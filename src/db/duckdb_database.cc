#include "db/duckdb_database.h"
#include "sql/sql_quote.h"

#include <duckdb.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "db/catalog_builder.h"
#include "db/result_budget.h"
#include "sql/statement_guard.h"

namespace t2sql {

namespace {

using Clock = std::chrono::steady_clock;

// The memory one database (one connection of t2sql) may use. Without
// external access DuckDB cannot spill to its temp directory beside the file
// either, so a query that needs more fails instead.
constexpr const char* kMemoryLimit = "256MB";

// Settings every t2sql connection gets; lock_configuration comes last so
// that nothing after it (SET, a pragma) can loosen the others.
Status make_config(bool read_only, duckdb_config* config) {
  if (duckdb_create_config(config) != DuckDBSuccess) return internal_error("DuckDB: cannot create a configuration");
  const std::pair<const char*, const char*> kSettings[] = {
      {"access_mode", read_only ? "READ_ONLY" : "AUTOMATIC"},
      {"enable_external_access", "false"},
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "false"},
      {"memory_limit", kMemoryLimit},
      {"lock_configuration", "true"},
  };
  for (const auto& [name, value] : kSettings) {
    if (duckdb_set_config(*config, name, value) != DuckDBSuccess) {
      duckdb_destroy_config(config);
      return internal_error(std::string("DuckDB: cannot set ") + name);
    }
  }
  return Status();
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string date_text(duckdb_date date) {
  duckdb_date_struct d = duckdb_from_date(date);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(d.year), d.month, d.day);
  return buf;
}

std::string time_text(int64_t micros_of_day) {
  duckdb_time_struct t = duckdb_from_time(duckdb_time{micros_of_day});
  std::string out = two(t.hour) + ":" + two(t.min) + ":" + two(t.sec);
  if (t.micros) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06d", t.micros);
    out += buf;
  }
  return out;
}

std::string timestamp_text(int64_t micros) {
  duckdb_timestamp_struct ts = duckdb_from_timestamp(duckdb_timestamp{micros});
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d ", static_cast<int>(ts.date.year), ts.date.month, ts.date.day);
  int64_t of_day = ((ts.time.hour * 60LL + ts.time.min) * 60 + ts.time.sec) * 1000000 + ts.time.micros;
  return buf + time_text(of_day);
}

double hugeint_to_double(duckdb_hugeint h) {
  return static_cast<double>(h.upper) * 18446744073709551616.0 + static_cast<double>(h.lower);
}

// Types that t2sql reads straight from DuckDB's vectors; the rest (lists,
// structs, maps, intervals, UUIDs, ...) are cast to text by DuckDB itself.
bool decodable(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_ENUM:
    case DUCKDB_TYPE_SQLNULL: return true;
    default: return false;
  }
}

ValueType value_type_of(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN: return ValueType::kBoolean;
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT: return ValueType::kInteger;
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL: return ValueType::kReal;
    case DUCKDB_TYPE_BLOB: return ValueType::kBlob;
    case DUCKDB_TYPE_DATE: return ValueType::kDate;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ: return ValueType::kTimestamp;
    case DUCKDB_TYPE_SQLNULL: return ValueType::kNull;
    default: return ValueType::kText;
  }
}

// One cell of a vector; the vector's logical type says how to read its data.
Value read_cell(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  if (validity && !duckdb_validity_row_is_valid(validity, row)) return Value::null();
  void* data = duckdb_vector_get_data(vector);
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN: return Value::boolean(static_cast<bool*>(data)[row]);
    case DUCKDB_TYPE_TINYINT: return Value::integer(static_cast<int8_t*>(data)[row]);
    case DUCKDB_TYPE_SMALLINT: return Value::integer(static_cast<int16_t*>(data)[row]);
    case DUCKDB_TYPE_INTEGER: return Value::integer(static_cast<int32_t*>(data)[row]);
    case DUCKDB_TYPE_BIGINT: return Value::integer(static_cast<int64_t*>(data)[row]);
    case DUCKDB_TYPE_UTINYINT: return Value::integer(static_cast<uint8_t*>(data)[row]);
    case DUCKDB_TYPE_USMALLINT: return Value::integer(static_cast<uint16_t*>(data)[row]);
    case DUCKDB_TYPE_UINTEGER: return Value::integer(static_cast<uint32_t*>(data)[row]);
    case DUCKDB_TYPE_UBIGINT: {
      uint64_t v = static_cast<uint64_t*>(data)[row];
      return v <= static_cast<uint64_t>(INT64_MAX) ? Value::integer(static_cast<int64_t>(v))
                                                   : Value::real(static_cast<double>(v));
    }
    case DUCKDB_TYPE_HUGEINT: {
      // SUM over integers is a HUGEINT in DuckDB; it nearly always fits.
      duckdb_hugeint h = static_cast<duckdb_hugeint*>(data)[row];
      bool fits = (h.upper == 0 && h.lower <= static_cast<uint64_t>(INT64_MAX)) ||
                  (h.upper == -1 && h.lower > static_cast<uint64_t>(INT64_MAX));
      return fits ? Value::integer(static_cast<int64_t>(h.lower)) : Value::real(hugeint_to_double(h));
    }
    case DUCKDB_TYPE_FLOAT: return Value::real(static_cast<float*>(data)[row]);
    case DUCKDB_TYPE_DOUBLE: return Value::real(static_cast<double*>(data)[row]);
    case DUCKDB_TYPE_DECIMAL: {
      double unscaled = 0;
      switch (duckdb_decimal_internal_type(type)) {
        case DUCKDB_TYPE_SMALLINT: unscaled = static_cast<int16_t*>(data)[row]; break;
        case DUCKDB_TYPE_INTEGER: unscaled = static_cast<int32_t*>(data)[row]; break;
        case DUCKDB_TYPE_BIGINT: unscaled = static_cast<double>(static_cast<int64_t*>(data)[row]); break;
        default: unscaled = hugeint_to_double(static_cast<duckdb_hugeint*>(data)[row]);
      }
      // Dividing by an exact power of ten rounds correctly: 1299 -> 12.99.
      return Value::real(unscaled / std::pow(10.0, duckdb_decimal_scale(type)));
    }
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: {
      duckdb_string_t* s = static_cast<duckdb_string_t*>(data) + row;
      std::string text(duckdb_string_t_data(s), duckdb_string_t_length(*s));
      return Value::text(std::move(text), id == DUCKDB_TYPE_BLOB ? ValueType::kBlob : ValueType::kText);
    }
    case DUCKDB_TYPE_DATE: return Value::text(date_text(static_cast<duckdb_date*>(data)[row]), ValueType::kDate);
    case DUCKDB_TYPE_TIME: return Value::text(time_text(static_cast<duckdb_time*>(data)[row].micros));
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ: {
      std::string text = timestamp_text(static_cast<int64_t*>(data)[row]);
      return Value::text(id == DUCKDB_TYPE_TIMESTAMP_TZ ? text + "+00" : text, ValueType::kTimestamp);
    }
    case DUCKDB_TYPE_TIMESTAMP_S:
      return Value::text(timestamp_text(static_cast<int64_t*>(data)[row] * 1000000), ValueType::kTimestamp);
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return Value::text(timestamp_text(static_cast<int64_t*>(data)[row] * 1000), ValueType::kTimestamp);
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return Value::text(timestamp_text(static_cast<int64_t*>(data)[row] / 1000), ValueType::kTimestamp);
    case DUCKDB_TYPE_ENUM: {
      idx_t index = 0;
      switch (duckdb_enum_internal_type(type)) {
        case DUCKDB_TYPE_UTINYINT: index = static_cast<uint8_t*>(data)[row]; break;
        case DUCKDB_TYPE_USMALLINT: index = static_cast<uint16_t*>(data)[row]; break;
        default: index = static_cast<uint32_t*>(data)[row];
      }
      char* word = duckdb_enum_dictionary_value(type, index);
      std::string text = word ? word : "";
      duckdb_free(word);
      return Value::text(std::move(text));
    }
    default: return Value::null();
  }
}

// Interrupts the connection when the deadline passes first; stop() cancels it.
class Watchdog {
 public:
  Watchdog(duckdb_connection connection, int64_t timeout_ms) {
    if (timeout_ms <= 0) return;
    thread_ = std::thread([this, connection, timeout_ms] {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return stopped_; })) {
        fired_ = true;
        duckdb_interrupt(connection);
      }
    });
  }
  ~Watchdog() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  bool fired() {
    std::lock_guard lock(mutex_);
    return fired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mutex_
  bool fired_ = false;    // guarded by mutex_
  std::thread thread_;
};

// The bytes a cell holds: a string's or blob's length, 8 for the rest.
int64_t cell_bytes(duckdb_vector vector, duckdb_type id, idx_t row) {
  if (id != DUCKDB_TYPE_VARCHAR && id != DUCKDB_TYPE_BLOB) return 8;
  uint64_t* validity = duckdb_vector_get_validity(vector);
  if (validity && !duckdb_validity_row_is_valid(validity, row)) return 0;
  duckdb_string_t* s = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector)) + row;
  return static_cast<int64_t>(duckdb_string_t_length(*s));
}

Status classify_error(std::string message, duckdb_error_type type) {
  // DuckDB adds hints on further lines; t2sql's errors are one line.
  if (auto nl = message.find('\n'); nl != std::string::npos) message.erase(nl);
  bool spill =
      message.find("Cannot access directory") != std::string::npos && message.find(".tmp") != std::string::npos;
  if (type == DUCKDB_ERROR_OUT_OF_MEMORY || message.find("Out of Memory") != std::string::npos || spill) {
    return resource_exhausted(std::string("the query needed more memory than DuckDB may use (") + kMemoryLimit +
                              "): " + message);
  }
  if (type == DUCKDB_ERROR_PERMISSION || message.find("read-only") != std::string::npos ||
      message.find("read only") != std::string::npos ||
      message.find("disabled by configuration") != std::string::npos) {
    return permission_denied("refused by the read-only DuckDB connection: " + message);
  }
  return invalid_argument(message);
}

// The guard's refusal, or for a typo ("selec * from t") DuckDB's own syntax
// error: extracting statements only parses.
Status guard_or_syntax_error(duckdb_connection conn, const std::string& sql, Status refusal) {
  if (refusal.code() != StatusCode::kInvalidArgument || !starts_with_unknown_word(sql, Dialect::Engine::kDuckDb))
    return refusal;
  duckdb_extracted_statements extracted = nullptr;
  idx_t n = duckdb_extract_statements(conn, sql.c_str(), &extracted);
  const char* err = n == 0 && extracted ? duckdb_extract_statements_error(extracted) : nullptr;
  Status out = err ? classify_error(err, DUCKDB_ERROR_PARSER) : refusal;
  duckdb_destroy_extracted(&extracted);
  return out;
}

}  // namespace

struct DuckdbDatabase::Handles {
  duckdb_database db = nullptr;
  duckdb_connection conn = nullptr;
  ~Handles() {
    if (conn) duckdb_disconnect(&conn);
    if (db) duckdb_close(&db);
  }
};

bool looks_like_duckdb_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char header[12] = {};
  in.read(header, sizeof header);
  return in.gcount() == sizeof header && std::memcmp(header + 8, "DUCK", 4) == 0;
}

DuckdbDatabase::DuckdbDatabase(std::unique_ptr<Handles> handles, std::string path)
    : handles_(std::move(handles)), path_(std::move(path)) {}

DuckdbDatabase::~DuckdbDatabase() = default;

Result<std::unique_ptr<Database>> DuckdbDatabase::open_file(const std::string& path) {
  bool memory = path == ":memory:";
  std::string abs = path;
  if (!memory) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return not_found("database file '" + path + "' does not exist");
    if (std::filesystem::is_directory(path, ec))
      return invalid_argument("'" + path + "' is a directory, not a database file");
    if (!looks_like_duckdb_file(path)) {
      return invalid_argument("'" + path +
                              "' is not a usable DuckDB database: the file is not a DuckDB database (bad header)");
    }
    abs = std::filesystem::absolute(path, ec).string();
    if (ec) abs = path;
  }
  duckdb_config config = nullptr;
  if (Status s = make_config(!memory, &config); !s.ok()) return s;
  auto handles = std::make_unique<Handles>();
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(memory ? nullptr : abs.c_str(), &handles->db, config, &error);
  duckdb_destroy_config(&config);
  if (state != DuckDBSuccess) {
    std::string msg = error ? error : "unknown error";
    duckdb_free(error);
    return invalid_argument("'" + path + "' is not a usable DuckDB database: " + msg);
  }
  if (duckdb_connect(handles->db, &handles->conn) != DuckDBSuccess) {
    return internal_error("cannot connect to DuckDB database '" + path + "'");
  }
  return std::unique_ptr<Database>(new DuckdbDatabase(std::move(handles), abs));
}

Status DuckdbDatabase::validate(const std::string& sql) {
  if (Status s = check_read_only_statement(sql, Dialect::Engine::kDuckDb); !s.ok())
    return guard_or_syntax_error(handles_->conn, sql, s);
  duckdb_prepared_statement stmt = nullptr;
  duckdb_state state = duckdb_prepare(handles_->conn, sql.c_str(), &stmt);
  Status result;
  if (state != DuckDBSuccess) {
    const char* err = duckdb_prepare_error(stmt);
    result = classify_error(err ? err : "cannot prepare the statement", DUCKDB_ERROR_INVALID);
  } else if (duckdb_prepared_statement_type(stmt) != DUCKDB_STATEMENT_TYPE_SELECT) {
    result = permission_denied("refusing a statement that is not a query: t2sql only runs read-only queries (SELECT)");
  }
  duckdb_destroy_prepare(&stmt);
  return result;
}

Result<ResultSet> DuckdbDatabase::execute(const std::string& sql, const ExecOptions& options) {
  return run(sql, options, true);
}

Result<ResultSet> DuckdbDatabase::run(const std::string& sql, const ExecOptions& options, bool check) {
  auto start = Clock::now();
  if (check) {
    if (Status s = check_read_only_statement(sql, Dialect::Engine::kDuckDb); !s.ok())
      return guard_or_syntax_error(handles_->conn, sql, s);
  }
  duckdb_connection conn = handles_->conn;
  duckdb_prepared_statement stmt = nullptr;
  std::unique_ptr<duckdb_prepared_statement, void (*)(duckdb_prepared_statement*)> stmt_guard(&stmt,
                                                                                              duckdb_destroy_prepare);
  if (duckdb_prepare(conn, sql.c_str(), &stmt) != DuckDBSuccess) {
    const char* err = duckdb_prepare_error(stmt);
    return classify_error(err ? err : "cannot prepare the statement", DUCKDB_ERROR_INVALID);
  }
  if (check && duckdb_prepared_statement_type(stmt) != DUCKDB_STATEMENT_TYPE_SELECT) {
    return permission_denied("refusing a statement that is not a query: t2sql only runs read-only queries (SELECT)");
  }
  idx_t ncol = duckdb_prepared_statement_column_count(stmt);
  bool all_decodable = true;
  for (idx_t c = 0; c < ncol; ++c)
    all_decodable = all_decodable && decodable(duckdb_prepared_statement_column_type(stmt, c));
  if (!all_decodable) {
    // Let DuckDB render nested and exotic values as text; the other columns
    // keep their types, and every column its name (by position, so that
    // duplicate names survive).
    std::string body = sql;
    while (!body.empty() && (std::isspace(static_cast<unsigned char>(body.back())) || body.back() == ';'))
      body.pop_back();
    std::string select;
    for (idx_t c = 0; c < ncol; ++c) {
      std::string pos = "#" + std::to_string(c + 1);
      const char* name = duckdb_prepared_statement_column_name(stmt, c);
      std::string alias = sql_quoted_name(name ? name : "");
      if (name) duckdb_free(const_cast<char*>(name));
      bool keep = decodable(duckdb_prepared_statement_column_type(stmt, c));
      select += (c ? ", " : "") + (keep ? pos : "CAST(" + pos + " AS VARCHAR)") + " AS " + alias;
    }
    duckdb_destroy_prepare(&stmt);
    std::string wrapped = "SELECT " + select + " FROM (" + body + "\n) AS t2sql_query";
    if (duckdb_prepare(conn, wrapped.c_str(), &stmt) != DuckDBSuccess) {
      const char* err = duckdb_prepare_error(stmt);
      return classify_error(err ? err : "cannot prepare the statement", DUCKDB_ERROR_INVALID);
    }
  }

  Watchdog watchdog(conn, options.timeout_ms);
  duckdb_result result;
  duckdb_state state = duckdb_execute_prepared_streaming(stmt, &result);
  struct ResultGuard {
    duckdb_result* r;
    ~ResultGuard() { duckdb_destroy_result(r); }
  } result_guard{&result};
  auto failure = [&]() -> Status {
    watchdog.stop();
    if (watchdog.fired() || duckdb_result_error_type(&result) == DUCKDB_ERROR_INTERRUPT) {
      return deadline_exceeded("query interrupted after its timeout of " + std::to_string(options.timeout_ms) + " ms");
    }
    const char* err = duckdb_result_error(&result);
    return classify_error(err ? err : "the query failed", duckdb_result_error_type(&result));
  };
  if (state != DuckDBSuccess) return failure();

  ResultSet out;
  ncol = duckdb_column_count(&result);
  std::vector<duckdb_logical_type> types(ncol);
  for (idx_t c = 0; c < ncol; ++c) {
    out.columns.emplace_back(duckdb_column_name(&result, c));
    types[c] = duckdb_column_logical_type(&result, c);
    out.column_types.push_back(value_type_of(duckdb_get_type_id(types[c])));
  }
  struct TypesGuard {
    std::vector<duckdb_logical_type>& t;
    ~TypesGuard() {
      for (auto& type : t) duckdb_destroy_logical_type(&type);
    }
  } types_guard{types};

  ResultBudget budget(options, start);
  std::vector<duckdb_type> type_ids(ncol);
  for (idx_t c = 0; c < ncol; ++c) type_ids[c] = duckdb_get_type_id(types[c]);
  bool done = false;
  while (!done) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
    if (!chunk) {
      if (duckdb_result_error(&result) != nullptr) return failure();
      break;
    }
    std::unique_ptr<duckdb_data_chunk, void (*)(duckdb_data_chunk*)> chunk_guard(&chunk, duckdb_destroy_data_chunk);
    if (Status s = budget.check_deadline(); !s.ok()) return s;
    idx_t n = duckdb_data_chunk_get_size(chunk);
    for (idx_t r = 0; r < n; ++r) {
      if (options.max_rows > 0 && static_cast<int64_t>(out.rows.size()) >= options.max_rows) {
        out.truncated = true;
        done = true;
        break;
      }
      std::vector<Value> row;
      row.reserve(ncol);
      for (idx_t c = 0; c < ncol; ++c) {
        duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
        // Charged before the copy, so that an oversized value is never copied.
        if (Status s = budget.charge(cell_bytes(vector, type_ids[c], r)); !s.ok()) return s;
        row.push_back(read_cell(vector, types[c], r));
      }
      out.rows.push_back(std::move(row));
    }
    if (n == 0) break;
  }
  watchdog.stop();
  if (watchdog.fired() && !done && out.rows.empty()) {
    // The interrupt can land just as the last chunk was read; an empty,
    // untruncated result after it is not trustworthy.
    return deadline_exceeded("query interrupted after its timeout of " + std::to_string(options.timeout_ms) + " ms");
  }
  out.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return out;
}

namespace {

// DuckDB's introspection: duckdb_tables(), duckdb_views(), duckdb_columns()
// and duckdb_constraints() of the database file itself; other schemas than
// main are named schema.table.
class DuckdbCatalogSource final : public CatalogSource {
 public:
  using Query = std::function<Result<ResultSet>(const std::string&)>;
  explicit DuckdbCatalogSource(Query query) : query_(std::move(query)) {}

  std::string engine() const override { return "duckdb"; }

  Result<std::vector<CatalogTableRow>> tables() override {
    auto rows =
        query_("SELECT schema_name, table_name, coalesce(comment, '') FROM duckdb_tables() WHERE database_name = "
               "current_database() "
               "AND NOT internal UNION ALL SELECT schema_name, view_name, coalesce(comment, '') FROM duckdb_views() "
               "WHERE database_name = current_database() AND NOT internal ORDER BY 1, 2");
    if (!rows.ok()) return rows.status();
    std::vector<CatalogTableRow> out;
    for (const auto& row : rows->rows) {
      CatalogTableRow table;
      table.schema = row[0].to_string();
      table.relation = row[1].to_string();
      table.name = table.schema == "main" ? table.relation : table.schema + "." + table.relation;
      table.description = row[2].to_string();
      table.sql_name = sql_quoted_name(table.schema) + "." + sql_quoted_name(table.relation);
      out.push_back(std::move(table));
    }
    return out;
  }

  Result<std::vector<ColumnInfo>> columns(const CatalogTableRow& table) override {
    auto rows = query_("SELECT column_name, data_type, is_nullable, coalesce(comment, '') FROM duckdb_columns()" +
                       where(table) + " ORDER BY column_index");
    if (!rows.ok()) return rows.status();
    std::vector<ColumnInfo> out;
    for (const auto& row : rows->rows) {
      ColumnInfo col;
      col.name = row[0].to_string();
      col.declared_type = row[1].to_string();
      col.nullable = row[2].as_double() != 0;
      col.description = row[3].to_string();
      out.push_back(std::move(col));
    }
    // Each column's t2sql type comes from a zero-row probe, so that DuckDB
    // maps it rather than a second mapping from type names.
    auto probe = query_("SELECT * FROM " + table.sql_name + " LIMIT 0");
    if (probe.ok()) {
      for (size_t i = 0; i < out.size() && i < probe->column_types.size(); ++i) {
        out[i].type = probe->column_types[i] == ValueType::kNull ? ValueType::kText : probe->column_types[i];
      }
    }
    return out;
  }

  Result<std::vector<CatalogKeyRow>> keys(const CatalogTableRow& table) override {
    // Key column lists are joined with a unit separator, which names do not contain.
    auto rows = query_(
        "SELECT constraint_type, array_to_string(constraint_column_names, chr(31)), coalesce(referenced_table, ''), "
        "array_to_string(coalesce(referenced_column_names, []), chr(31)), constraint_index "
        "FROM duckdb_constraints()" +
        where(table) + " AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY') ORDER BY constraint_index");
    if (!rows.ok()) return rows.status();
    std::vector<CatalogKeyRow> primary, foreign;
    for (const auto& row : rows->rows) {
      const bool is_primary = row[0].to_string() == "PRIMARY KEY";
      std::vector<std::string> cols = split(row[1].to_string()), refs = split(row[3].to_string());
      if (is_primary) primary.clear();  // one primary key per table
      for (size_t i = 0; i < cols.size(); ++i) {
        (is_primary ? primary : foreign)
            .push_back({.primary = is_primary,
                        .constraint = row[4].to_string(),
                        .column = cols[i],
                        .ref_table = is_primary ? std::string() : row[2].to_string(),
                        .ref_column = i < refs.size() ? refs[i] : std::string()});
      }
    }
    primary.insert(primary.end(), foreign.begin(), foreign.end());
    return primary;
  }

  Result<int64_t> row_count(const CatalogTableRow& table) override {
    return count_from(query_("SELECT count(*) FROM " + table.sql_name));
  }

  Result<ResultSet> sample_values(const CatalogTableRow& table, const std::string& column, int limit) override {
    std::string q = sql_quoted_name(column);
    return query_("SELECT DISTINCT " + q + " FROM (SELECT " + q + " FROM " + table.sql_name + " WHERE " + q +
                  " IS NOT NULL LIMIT 1000) ORDER BY 1 LIMIT " + std::to_string(limit));
  }

 private:
  static std::string where(const CatalogTableRow& table) {
    return " WHERE database_name = current_database() AND schema_name = " + sql_quoted_literal(table.schema) +
           " AND table_name = " + sql_quoted_literal(table.relation);
  }

  static std::vector<std::string> split(const std::string& joined) {
    std::vector<std::string> parts;
    size_t from = 0;
    while (from <= joined.size() && !joined.empty()) {
      size_t at = joined.find('\x1f', from);
      if (at == std::string::npos) at = joined.size();
      parts.push_back(joined.substr(from, at - from));
      from = at + 1;
    }
    return parts;
  }

  Query query_;
};

}  // namespace

Result<Catalog> DuckdbDatabase::catalog(const CatalogOptions& options) {
  DuckdbCatalogSource source([this](const std::string& sql) {
    return run(sql, ExecOptions{.timeout_ms = 30000, .max_rows = 0}, false);
  });
  return build_catalog(source, options);
}

}  // namespace t2sql
