// ClickhouseDatabase: a Database over one ClickHouse database, through the
// server's HTTP interface (cpp-httplib; no client library).
//
// Read-only three times over: every statement is sent with readonly=1 (the
// server refuses writes, DDL, table functions and SETTINGS changes for that
// query), t2sql's statement guard (ClickHouse's lexer and allow-list) refuses
// writes, FORMAT, SETTINGS and calls outside the allow-list before the server
// sees the text, and the README's user has a readonly profile of its own.
// Bounds travel with each query: max_execution_time (the server stops the
// query), max_result_rows with result_overflow_mode=break (the server stops
// producing rows past the cap), distributed_product_mode=global (a subquery
// over a Distributed table inside another is sent to the shards once) and a
// query_id; at t2sql's own deadline the request is abandoned and the query
// killed by that id. ClickHouse lets no query change readonly under a profile
// that sets it: under readonly=2 t2sql sends its limits only, and under
// readonly=1 nothing (the profile's limits hold, and t2sql's deadline, row cap
// and KILL QUERY do the work).
//
// A Distributed table is queried like any other; the server fans the query
// out to its shards. ClickHouse declares no foreign keys: the catalog infers
// one where a column has the name of another table's one-column primary
// (sorting) key.
//
// Errors: kUnavailable (unreachable server), kPermissionDenied (bad
// credentials, a write, a refused function), kNotFound (unknown database),
// kInvalidArgument (bad SQL, bad URI), kDeadlineExceeded (timeout),
// kResourceExhausted (byte caps, the server's memory limit).
// Not thread-safe: one per thread.
#pragma once

#include <memory>
#include <string>

#include "t2sql/database.h"

namespace t2sql {

struct ClickhouseOptions {
  int64_t timeout_connect_ms = 5000;
  bool create_database = false;  // CREATE DATABASE IF NOT EXISTS first (the demo writer's)
};

// The parts of a clickhouse:// URI (user and password percent-decoded).
struct ClickhouseUri {
  std::string user = "default";
  std::string password;
  std::string host = "127.0.0.1";
  int port = 8123;
  std::string database = "default";
};

// "clickhouse://user:password@host:port/database"; every part may be left out
// (defaults above). kInvalidArgument for a bad port or a malformed escape.
Result<ClickhouseUri> parse_clickhouse_uri(const std::string& uri);

class ClickhouseDatabase final : public Database {
 public:
  static Result<std::unique_ptr<Database>> open_uri(const std::string& uri, const ClickhouseOptions& options = {});

  std::string engine() const override { return "clickhouse"; }
  std::string uri() const override { return redacted_uri_; }
  Result<Catalog> catalog(const CatalogOptions& options) override;
  Result<ResultSet> execute(const std::string& sql, const ExecOptions& options) override;
  Status validate(const std::string& sql) override;

  // Runs any statement (DDL, INSERT) without the guard or readonly=1: only
  // the demo writer uses it, on a URI it was given for writing.
  Status execute_write(const std::string& sql);

  const ClickhouseUri& parts() const { return parts_; }

 private:
  ClickhouseDatabase(ClickhouseUri parts, std::string redacted_uri, ClickhouseOptions options);
  // dry_run: every source stops after its first block (validation).
  Result<ResultSet> run(const std::string& sql, const ExecOptions& options, bool read_only, bool dry_run = false);
  void kill_query(const std::string& query_id);

  ClickhouseUri parts_;
  std::string redacted_uri_;
  ClickhouseOptions options_;
  // The user's profile's readonly: 0 (t2sql sends readonly=1 and its limits),
  // 2 (the server is read-only already; t2sql sends its limits), 1 (no
  // setting may be sent: the profile's limits hold).
  int profile_readonly_ = 0;
};

}  // namespace t2sql
