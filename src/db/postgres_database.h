// PostgresDatabase: a Database over one PostgreSQL database, through libpq.
//
// Read-only three times over: the session starts with
// default_transaction_read_only=on; every statement runs inside
// BEGIN READ ONLY ... ROLLBACK with a statement_timeout, as the body of a
// cursor (DECLARE ... CURSOR FOR <sql>, which the server accepts only for a
// single SELECT or VALUES without data-modifying WITH clauses) sent through
// the extended protocol (which refuses several statements in one string);
// and t2sql's statement guard refuses writes, SELECT INTO, COPY, file,
// large-object and side-effect functions before the server sees the text.
//
// A dropped connection fails the statement in flight with kUnavailable; the
// next call reconnects. Errors: kUnavailable (unreachable server, lost
// connection), kPermissionDenied (bad credentials, a write, a refused
// function), kInvalidArgument (bad SQL, bad URI), kDeadlineExceeded (timeout).
// Not thread-safe: one per thread, or borrow them from a ConnectionPool.
#pragma once

#include <memory>
#include <string>

#include "db/uri_redaction.h"
#include "t2sql/database.h"

struct pg_conn;

namespace t2sql {

struct PostgresOptions {
  int64_t timeout_connect_ms = 5000;
  bool allow_privileged_role = false;  // see OpenOptions
};

class PostgresDatabase final : public Database {
 public:
  // `uri` is a postgresql:// or postgres:// URI as libpq reads it
  // (user, password, host, port, database, ?sslmode=...).
  static Result<std::unique_ptr<Database>> open_uri(const std::string& uri, const PostgresOptions& options = {});
  ~PostgresDatabase() override;

  std::string engine() const override { return "postgresql"; }
  std::string uri() const override { return redacted_uri_; }
  Result<Catalog> catalog(const CatalogOptions& options) override;
  Result<ResultSet> execute(const std::string& sql, const ExecOptions& options) override;
  Status validate(const std::string& sql) override;

  // The server's backend process id for this connection (tests use it to
  // drop the connection from outside); 0 when not connected.
  int backend_pid() const;

 private:
  PostgresDatabase(pg_conn* conn, std::string uri, std::string redacted_uri, PostgresOptions options);
  Status ensure_connected();
  Result<ResultSet> run(const std::string& sql, const ExecOptions& options, bool check, bool explain_only);

  pg_conn* conn_;
  std::string uri_;           // with the password, for reconnecting
  std::string redacted_uri_;  // for messages and uri()
  PostgresOptions options_;
};

// The URI with its database name replaced ("postgresql://h:5432/a?x" + "b" -> "postgresql://h:5432/b?x").
std::string with_database(const std::string& uri, const std::string& database);

}  // namespace t2sql
