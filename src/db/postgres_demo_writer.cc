// The PostgreSQL writer of the demo warehouse. Its connection is writable on
// purpose (it creates tables) and exists only while the demo is loaded; every
// other connection to PostgreSQL in t2sql is read-only.
#include <libpq-fe.h>

#include <memory>

#include "db/demo_table.h"
#include "db/postgres_database.h"

namespace t2sql {

namespace {

// COPY's text format: tab-separated, \N for NULL, backslash escapes.
void append_copy_field(std::string& line, const Value& v) {
  if (v.is_null()) {
    line += "\\N";
    return;
  }
  for (char c : v.to_string()) {
    switch (c) {
      case '\\': line += "\\\\"; break;
      case '\t': line += "\\t"; break;
      case '\n': line += "\\n"; break;
      case '\r': line += "\\r"; break;
      default: line += c;
    }
  }
}

}  // namespace

Status write_demo_postgres(const std::vector<DemoTable>& tables, const std::string& uri, bool replace) {
  std::string redacted = redact_password(uri);
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(uri.c_str()), PQfinish);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string msg = conn ? PQerrorMessage(conn.get()) : "out of memory";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return unavailable("cannot connect to PostgreSQL at '" + redacted +
                       "' to load the demo: " + redact_uri_in(msg, uri));
  }
  auto exec = [&](const std::string& sql, ExecStatusType want = PGRES_COMMAND_OK) -> Status {
    std::unique_ptr<PGresult, void (*)(PGresult*)> res(PQexec(conn.get(), sql.c_str()), PQclear);
    if (PQresultStatus(res.get()) == want) return Status();
    std::string msg = PQresultErrorMessage(res.get());
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return internal_error("building the demo warehouse (PostgreSQL): " + msg);
  };
  if (Status s = exec("SET client_min_messages = warning; BEGIN"); !s.ok()) return s;
  std::string names;
  for (auto it = tables.rbegin(); it != tables.rend(); ++it) names += (names.empty() ? "'" : ", '") + it->name + "'";
  {
    std::unique_ptr<PGresult, void (*)(PGresult*)> res(
        PQexec(conn.get(),
               ("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN (" + names + ")")
                   .c_str()),
        PQclear);
    bool exists = PQresultStatus(res.get()) == PGRES_TUPLES_OK && std::string(PQgetvalue(res.get(), 0, 0)) != "0";
    if (exists && !replace) {
      return invalid_argument("the database at '" + redacted +
                              "' already has the demo's tables; pass --force to replace them");
    }
  }
  for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
    if (Status s = exec("DROP TABLE IF EXISTS " + it->name + " CASCADE"); !s.ok()) return s;
  }
  for (const DemoTable& table : tables) {
    if (Status s = exec(demo_table_ddl(table, "postgresql")); !s.ok()) return s;
    if (Status s = exec("COPY " + table.name + " FROM STDIN", PGRES_COPY_IN); !s.ok()) return s;
    std::string buffer;
    for (const auto& row : table.rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) buffer += '\t';
        append_copy_field(buffer, row[i]);
      }
      buffer += '\n';
      if (buffer.size() > (1 << 20)) {
        PQputCopyData(conn.get(), buffer.data(), static_cast<int>(buffer.size()));
        buffer.clear();
      }
    }
    if (!buffer.empty()) PQputCopyData(conn.get(), buffer.data(), static_cast<int>(buffer.size()));
    PQputCopyEnd(conn.get(), nullptr);
    std::unique_ptr<PGresult, void (*)(PGresult*)> res(PQgetResult(conn.get()), PQclear);
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
      return internal_error("loading " + table.name + " into PostgreSQL: " + PQresultErrorMessage(res.get()));
    }
    while (PGresult* more = PQgetResult(conn.get())) PQclear(more);
    for (const auto& comment : demo_table_comments(table)) {
      if (Status s = exec(comment); !s.ok()) return s;
    }
    for (const auto& column : table.indexes) {
      if (Status s = exec("CREATE INDEX " + table.name + "_" + column + " ON " + table.name + "(" + column + ")");
          !s.ok()) {
        return s;
      }
    }
  }
  if (Status s = exec("COMMIT"); !s.ok()) return s;
  return exec("ANALYZE");
}

}  // namespace t2sql
