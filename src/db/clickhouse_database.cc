#include "db/clickhouse_database.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <random>
#include <set>

#include "db/catalog_builder.h"
#include "db/result_budget.h"
#include "db/uri_redaction.h"
#include "sql/dialect.h"
#include "sql/statement_guard.h"

#include "base/percent_encoding.h"

namespace t2sql {

namespace {

using Clock = std::chrono::steady_clock;

// ClickHouse error codes (ErrorCodes.cpp) that map to a Status other than
// kInvalidArgument.
constexpr int kUnknownDatabase = 81, kTimeoutExceeded = 159, kTooManyRows = 158, kReadonly = 164, kUnknownUser = 192,
              kWrongPassword = 193, kRequiredPassword = 194, kIpAddressNotAllowed = 195, kMemoryLimitExceeded = 241,
              kQueryWasCancelled = 394, kAllConnectionTriesFailed = 279, kNetworkError = 210, kSocketTimeout = 209,
              kAuthenticationFailed = 516;

std::string url_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// "Code: 159, e.displayText() = DB::Exception: Timeout exceeded: ..., e.what() = DB::Exception"
// -> code 159 and "Timeout exceeded: ...".
std::pair<int, std::string> parse_exception(std::string body) {
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
  int code = 0;
  if (body.rfind("Code: ", 0) == 0) code = std::atoi(body.c_str() + 6);
  std::string message = body;
  auto text = body.find("DB::Exception: ");
  if (text != std::string::npos) message = body.substr(text + 15);
  auto what = message.rfind(", e.what() = ");
  if (what != std::string::npos) message = message.substr(0, what);
  if (message.size() > 2000) message = message.substr(0, 2000) + "...";
  return {code, message};
}

Status error_status(int code, const std::string& message, const std::string& redacted, int64_t timeout_ms) {
  switch (code) {
    case kTimeoutExceeded:
    case kQueryWasCancelled:
      return deadline_exceeded("query interrupted after its timeout of " + std::to_string(timeout_ms) + " ms");
    case kReadonly: return permission_denied("refused by ClickHouse's read-only mode: " + message);
    case kUnknownUser:
    case kWrongPassword:
    case kRequiredPassword:
    case kIpAddressNotAllowed:
    case kAuthenticationFailed:
      return permission_denied("ClickHouse refused the login for '" + redacted + "': " + message);
    case kUnknownDatabase: return not_found("ClickHouse at '" + redacted + "': " + message);
    case kMemoryLimitExceeded:
    case kTooManyRows: return resource_exhausted("ClickHouse: " + message);
    case kNetworkError:
    case kSocketTimeout:
    case kAllConnectionTriesFailed:
      return unavailable("ClickHouse at '" + redacted + "' could not reach a shard: " + message);
    default: return invalid_argument(message);
  }
}

// The type inside Nullable(...) and LowCardinality(...).
std::string base_type(std::string type) {
  for (const char* wrapper : {"LowCardinality(", "Nullable("}) {
    std::string w = wrapper;
    if (type.rfind(w, 0) == 0 && type.back() == ')') type = type.substr(w.size(), type.size() - w.size() - 1);
  }
  return type;
}

ValueType value_type_of(const std::string& declared) {
  std::string type = base_type(declared);
  if (type.rfind("Int", 0) == 0 || type.rfind("UInt", 0) == 0) return ValueType::kInteger;
  if (type.rfind("Float", 0) == 0 || type.rfind("Decimal", 0) == 0) return ValueType::kReal;
  if (type == "Date") return ValueType::kDate;
  if (type.rfind("DateTime", 0) == 0) return ValueType::kTimestamp;
  if (type == "Nothing") return ValueType::kNull;
  return ValueType::kText;
}

// One field of ClickHouse's TSV: backslash escapes undone.
std::string tsv_unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c != '\\' || i + 1 == field.size()) {
      out += c;
      continue;
    }
    char next = field[++i];
    switch (next) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case '0': out += '\0'; break;
      default: out += next;
    }
  }
  return out;
}

Value read_cell(std::string_view field, ValueType type) {
  if (field == "\\N") return Value::null();
  switch (type) {
    case ValueType::kNull: return Value::null();
    case ValueType::kInteger: {
      std::string text(field);
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      // UInt64 beyond INT64_MAX: a real, as the other engines give large numbers.
      if (errno == ERANGE) return Value::real(std::strtod(text.c_str(), nullptr));
      return Value::integer(v);
    }
    case ValueType::kReal: return Value::real(std::strtod(std::string(field).c_str(), nullptr));
    default: return Value::text(tsv_unescape(field), type);
  }
}

std::string random_query_id() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char buf[40];
  std::snprintf(buf, sizeof buf, "t2sql-%016llx%08llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng() & 0xffffffffULL));
  return buf;
}

// Reads TSVWithNamesAndTypes as it arrives: names, types, then rows, each
// cell charged to the budget; stops (returns false) at the row cap + 1, a
// byte cap or the deadline.
class TsvReader {
 public:
  TsvReader(ResultSet* out, ResultBudget* budget, const ExecOptions& options)
      : out_(out), budget_(budget), max_rows_(options.max_rows), max_value_bytes_(options.max_value_bytes) {}

  bool feed(const char* data, size_t size) {
    pending_.append(data, size);
    size_t from = 0;
    while (true) {
      size_t nl = pending_.find('\n', from);
      if (nl == std::string::npos) break;
      if (!line(std::string_view(pending_).substr(from, nl - from))) return false;
      from = nl + 1;
    }
    pending_.erase(0, from);
    if (Status s = budget_->check_deadline(); !s.ok()) {
      failure_ = s;
      return false;
    }
    // An unfinished line longer than the value cap holds a value over it.
    if (max_value_bytes_ > 0 && static_cast<int64_t>(pending_.size()) > max_value_bytes_) {
      failure_ = budget_->value_too_large();
      return false;
    }
    return true;
  }
  const Status& failure() const { return failure_; }
  bool stopped_at_cap() const { return stopped_at_cap_; }

 private:
  bool line(std::string_view text) {
    std::vector<std::string_view> fields;
    size_t from = 0;
    while (true) {
      size_t tab = text.find('\t', from);
      fields.push_back(text.substr(from, tab == std::string_view::npos ? std::string_view::npos : tab - from));
      if (tab == std::string_view::npos) break;
      from = tab + 1;
    }
    if (line_ == 0) {
      for (auto f : fields) out_->columns.push_back(tsv_unescape(f));
    } else if (line_ == 1) {
      for (auto f : fields) out_->column_types.push_back(value_type_of(tsv_unescape(f)));
    } else {
      if (fields.size() != out_->columns.size()) {
        failure_ = internal_error("ClickHouse sent a row of " + std::to_string(fields.size()) + " fields for " +
                                  std::to_string(out_->columns.size()) + " columns");
        return false;
      }
      if (max_rows_ > 0 && static_cast<int64_t>(out_->rows.size()) >= max_rows_) {
        out_->truncated = true;
        stopped_at_cap_ = true;
        return false;
      }
      std::vector<Value> row;
      row.reserve(fields.size());
      for (size_t c = 0; c < fields.size(); ++c) {
        if (Status s = budget_->charge(static_cast<int64_t>(fields[c].size())); !s.ok()) {
          failure_ = s;
          return false;
        }
        row.push_back(read_cell(fields[c], out_->column_types[c]));
      }
      out_->rows.push_back(std::move(row));
    }
    ++line_;
    return true;
  }

  ResultSet* out_;
  ResultBudget* budget_;
  int64_t max_rows_;
  int64_t max_value_bytes_;
  std::string pending_;
  int64_t line_ = 0;
  Status failure_;
  bool stopped_at_cap_ = false;
};

std::string trim_statement(std::string body) {
  while (!body.empty() && (std::isspace(static_cast<unsigned char>(body.back())) || body.back() == ';'))
    body.pop_back();
  return body;
}

}  // namespace

Result<ClickhouseUri> parse_clickhouse_uri(const std::string& uri) {
  ClickhouseUri parts;
  auto scheme = uri.find("://");
  std::string rest = scheme == std::string::npos ? uri : uri.substr(scheme + 3);
  if (auto q = rest.find('?'); q != std::string::npos) rest = rest.substr(0, q);
  // The userinfo ends at the last '@' before the path, as in uri_redaction.
  size_t slash = rest.find('/', rest.rfind('@') == std::string::npos ? 0 : rest.rfind('@'));
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash + 1);
  auto at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    std::string user = userinfo.substr(0, colon);
    if (!user.empty()) {
      auto decoded = percent_decode_strict(user);
      if (!decoded) return invalid_argument("the user name holds a malformed %-escape");
      parts.user = std::move(*decoded);
    }
    if (colon != std::string::npos) {
      auto decoded = percent_decode_strict(userinfo.substr(colon + 1));
      if (!decoded) return invalid_argument("the password holds a malformed %-escape");
      parts.password = std::move(*decoded);
    }
  }
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    std::string port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p <= 0 || p > 65535) return invalid_argument("'" + port + "' is not a port");
    parts.port = static_cast<int>(p);
  }
  if (!authority.empty()) parts.host = authority;
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (!path.empty()) {
    auto decoded = percent_decode_strict(path);
    if (!decoded) return invalid_argument("the database name holds a malformed %-escape");
    parts.database = std::move(*decoded);
  }
  return parts;
}

ClickhouseDatabase::ClickhouseDatabase(ClickhouseUri parts, std::string redacted_uri, ClickhouseOptions options)
    : parts_(std::move(parts)), redacted_uri_(std::move(redacted_uri)), options_(options) {}

Result<std::unique_ptr<Database>> ClickhouseDatabase::open_uri(const std::string& uri,
                                                               const ClickhouseOptions& options) {
  std::string redacted = redact_password(uri);
  auto parts = parse_clickhouse_uri(uri);
  if (!parts.ok())
    return invalid_argument("'" + redacted + "' is not a valid ClickHouse URI: " + parts.status().message());
  std::unique_ptr<ClickhouseDatabase> db(new ClickhouseDatabase(*parts, redacted, options));
  if (options.create_database) {
    db->parts_.database = "default";
    Status made = db->execute_write("CREATE DATABASE IF NOT EXISTS " +
                                    Dialect::for_engine("clickhouse").quote_identifier(parts->database));
    db->parts_.database = parts->database;
    if (!made.ok()) return made;
  }
  // One round trip checks the server, the login and the database, and reads
  // whether the user's profile lets a query carry its own settings.
  auto probe =
      db->run("SELECT value FROM system.settings WHERE name = 'readonly'",
              ExecOptions{.timeout_ms = std::max<int64_t>(options.timeout_connect_ms, 1000), .max_rows = 0}, false);
  if (!probe.ok()) return probe.status();
  if (!probe->rows.empty()) db->profile_readonly_ = std::atoi(probe->rows[0][0].to_string().c_str());
  return std::unique_ptr<Database>(std::move(db));
}

Status ClickhouseDatabase::validate(const std::string& sql) {
  if (Status s = check_read_only_statement(sql, Dialect::Engine::kClickHouse); !s.ok()) return s;
  // DESCRIBE of the query as a subquery: the server parses and analyses it
  // (names, types, functions) without reading the tables.
  ExecOptions bounds{.timeout_ms = 10000, .max_rows = 1};
  auto described = run("DESC (" + trim_statement(sql) + "\n)", bounds, true);
  if (!described.ok() || profile_readonly_ == 1) return described.ok() ? Status() : described.status();
  // A shard analyses its part again, and 18.16 refuses there some queries the
  // first server accepts (a join's right-hand key in GROUP BY): a dry run that
  // reads at most one block per source sends the query through every shard.
  auto dry = run(sql, bounds, true, true);
  return dry.ok() ? Status() : dry.status();
}

Result<ResultSet> ClickhouseDatabase::execute(const std::string& sql, const ExecOptions& options) {
  if (Status s = check_read_only_statement(sql, Dialect::Engine::kClickHouse); !s.ok()) return s;
  return run(sql, options, true);
}

Status ClickhouseDatabase::execute_write(const std::string& sql) {
  auto done = run(sql, ExecOptions{.timeout_ms = 120000, .max_rows = 0}, false);
  return done.ok() ? Status() : done.status();
}

void ClickhouseDatabase::kill_query(const std::string& query_id) {
  httplib::Client client(parts_.host, parts_.port);
  client.set_connection_timeout(std::chrono::milliseconds(1000));
  client.set_read_timeout(std::chrono::milliseconds(2000));
  httplib::Headers headers = {{"X-ClickHouse-User", parts_.user}, {"X-ClickHouse-Key", parts_.password}};
  client.Post("/", headers, "KILL QUERY WHERE query_id = '" + query_id + "' ASYNC", "text/plain");
}

Result<ResultSet> ClickhouseDatabase::run(const std::string& sql, const ExecOptions& options, bool read_only,
                                          bool dry_run) {
  auto start = Clock::now();
  std::string query_id = random_query_id();
  std::string target =
      "/?database=" + url_encode(parts_.database) + "&query_id=" + query_id + "&default_format=TSVWithNamesAndTypes";
  // wait_end_of_query: the server answers only once the query is done, so a
  // failure after the first rows is an HTTP error, not text in the rows.
  target += "&wait_end_of_query=1";
  if (read_only && profile_readonly_ != 1) {
    if (profile_readonly_ == 0) target += "&readonly=1";
    target += "&distributed_product_mode=global";
    if (options.timeout_ms > 0) target += "&max_execution_time=" + std::to_string((options.timeout_ms + 999) / 1000);
    if (options.max_rows > 0) {
      target += "&max_result_rows=" + std::to_string(options.max_rows + 1) + "&result_overflow_mode=break";
    }
    if (dry_run) target += "&max_rows_to_read=1&read_overflow_mode=break";
  }
  httplib::Client client(parts_.host, parts_.port);
  client.set_connection_timeout(std::chrono::milliseconds(std::max<int64_t>(options_.timeout_connect_ms, 100)));
  // The server keeps silent until the query ends: the read timeout is the
  // statement's deadline (plus a moment for the server's own timeout error).
  int64_t read_ms = options.timeout_ms > 0 ? options.timeout_ms + 250 : 24 * 3600 * 1000;
  client.set_read_timeout(std::chrono::milliseconds(read_ms));
  client.set_keep_alive(false);

  ResultSet out;
  ResultBudget budget(options, start);
  TsvReader reader(&out, &budget, options);
  int status = 0;
  std::string error_body;
  httplib::Request req;
  req.method = "POST";
  req.path = target;
  req.headers = {{"X-ClickHouse-User", parts_.user}, {"X-ClickHouse-Key", parts_.password}};
  req.body = trim_statement(sql);
  req.set_header("Content-Type", "text/plain; charset=UTF-8");
  req.response_handler = [&](const httplib::Response& res) {
    status = res.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    if (status != 200) {
      if (error_body.size() < 65536) error_body.append(data, std::min<size_t>(size, 65536));
      return true;
    }
    return reader.feed(data, size);
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool sent = client.send(req, res, error);
  if (!sent) {
    if (reader.stopped_at_cap()) {
      kill_query(query_id);  // rows past the cap are not wanted
    } else if (!reader.failure().ok()) {
      kill_query(query_id);
      return reader.failure();
    } else if (options.timeout_ms > 0 && !budget.check_deadline().ok()) {
      // The server said nothing before the deadline: stop the query there too.
      kill_query(query_id);
      return budget.timed_out();
    } else {
      return unavailable("cannot reach ClickHouse at '" + redacted_uri_ + "': " + httplib::to_string(error));
    }
  }
  if (status != 200 && !reader.stopped_at_cap()) {
    auto [code, message] = parse_exception(error_body.empty() ? res.body : error_body);
    if (code == 0) message = "HTTP " + std::to_string(status) + ": " + message;
    return error_status(code, message, redacted_uri_, options.timeout_ms);
  }
  if (!reader.failure().ok()) return reader.failure();
  if (out.column_types.size() != out.columns.size()) return internal_error("ClickHouse sent no column types");
  out.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return out;
}

namespace {

// ClickHouse's introspection: system.tables and system.columns. A Distributed
// table (cluster, database, table[, key]) reads its shards' local tables: it
// takes their sorting key as its key, and a local table of the same database
// is left out (it holds one shard's rows). ClickHouse declares no foreign keys.
class ClickhouseCatalogSource final : public CatalogSource {
 public:
  using Query = std::function<Result<ResultSet>(const std::string&)>;
  ClickhouseCatalogSource(Query query, std::string database)
      : query_(std::move(query)), database_(std::move(database)), dialect_(Dialect::for_engine("clickhouse")) {}

  std::string engine() const override { return "clickhouse"; }
  bool declares_foreign_keys() const override { return false; }

  Result<std::vector<CatalogTableRow>> tables() override {
    auto tables = query_("SELECT name, engine, engine_full FROM system.tables WHERE database = " +
                         dialect_.string_literal(database_) + " ORDER BY name");
    if (!tables.ok()) return tables.status();
    auto columns = query_("SELECT database, table, name, type, comment, is_in_primary_key FROM system.columns");
    if (!columns.ok()) return columns.status();
    columns_ = std::move(*columns);
    std::set<std::string> local_tables;
    shard_of_.clear();
    for (const auto& row : tables->rows) {
      if (row[1].to_string() != "Distributed") continue;
      std::vector<std::string> args = engine_arguments(row[2].to_string());
      if (args.size() < 3) continue;
      if (args[1] == database_) local_tables.insert(args[2]);
      shard_of_.push_back({row[0].to_string(), {args[1], args[2]}});
    }
    std::vector<CatalogTableRow> out;
    for (const auto& row : tables->rows) {
      CatalogTableRow table;
      table.name = table.relation = row[0].to_string();
      if (local_tables.count(table.name)) continue;
      table.id = table.schema = database_;
      table.sql_name = dialect_.quote_identifier(table.name);
      out.push_back(std::move(table));
    }
    return out;
  }

  Result<std::vector<ColumnInfo>> columns(const CatalogTableRow& table) override {
    std::vector<ColumnInfo> out;
    for (const auto& row : columns_.rows) {
      if (row[0].to_string() != table.schema || row[1].to_string() != table.relation) continue;
      ColumnInfo col;
      col.name = row[2].to_string();
      col.declared_type = row[3].to_string();
      col.type = value_type_of(col.declared_type);
      col.nullable = col.declared_type.rfind("Nullable(", 0) == 0;
      col.description = row[4].to_string();
      out.push_back(std::move(col));
    }
    return out;
  }

  Result<std::vector<CatalogKeyRow>> keys(const CatalogTableRow& table) override {
    std::vector<CatalogKeyRow> out = primary_key(table.schema, table.relation);
    for (const auto& [dist, local] : shard_of_) {
      if (dist != table.relation || !out.empty()) continue;
      out = primary_key(local.first, local.second);
    }
    return out;
  }

  Result<int64_t> row_count(const CatalogTableRow& table) override {
    return count_from(query_("SELECT count() FROM " + table.sql_name));
  }

  Result<ResultSet> sample_values(const CatalogTableRow& table, const std::string& column, int limit) override {
    std::string q = dialect_.quote_identifier(column);
    return query_("SELECT DISTINCT toString(" + q + ") AS v FROM (SELECT " + q + " FROM " + table.sql_name + " WHERE " +
                  q + " IS NOT NULL LIMIT 1000) ORDER BY v LIMIT " + std::to_string(limit));
  }

 private:
  std::vector<CatalogKeyRow> primary_key(const std::string& database, const std::string& table) const {
    std::vector<CatalogKeyRow> out;
    for (const auto& row : columns_.rows) {
      if (row[0].to_string() != database || row[1].to_string() != table || row[5].as_double() == 0) continue;
      out.push_back({.primary = true, .column = row[2].to_string()});
    }
    return out;
  }

  // The arguments of an engine clause such as Distributed('c', 'db', 't', rand()), unquoted.
  static std::vector<std::string> engine_arguments(const std::string& full) {
    std::vector<std::string> args;
    auto open = full.find('(');
    auto close = full.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return args;
    std::string inner = full.substr(open + 1, close - open - 1);
    for (size_t from = 0;;) {
      size_t comma = inner.find(',', from);
      std::string arg = inner.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
      arg.erase(0, arg.find_first_not_of(" '`\""));
      arg.erase(arg.find_last_not_of(" '`\"") + 1);
      args.push_back(arg);
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
    return args;
  }

  Query query_;
  std::string database_;
  Dialect dialect_;
  ResultSet columns_;  // all of system.columns, read once by tables()
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> shard_of_;  // distributed -> (db, local)
};

}  // namespace

Result<Catalog> ClickhouseDatabase::catalog(const CatalogOptions& options) {
  ClickhouseCatalogSource source(
      [this](const std::string& sql) { return run(sql, ExecOptions{.timeout_ms = 30000, .max_rows = 0}, true); },
      parts_.database);
  return build_catalog(source, options);
}

}  // namespace t2sql
