// DuckdbDatabase: a Database over one DuckDB file (or an empty in-memory
// database), through DuckDB's C API.
//
// Read-only by construction: a file is opened with access_mode=READ_ONLY, and
// every connection has external access (files, network, ATTACH, extensions)
// and configuration changes switched off, so no SQL text can write to the
// file, read another file or change a setting. On top, only statements that
// DuckDB itself classifies as SELECT are run. An in-memory database cannot be
// opened read-only (DuckDB refuses); it holds nothing, and the statement check
// still applies.
//
// execute() runs the statement streaming, stops reading at the row cap, and
// interrupts it (duckdb_interrupt from a watchdog thread) at its timeout.
// Errors: kNotFound (no such file), kInvalidArgument (not a DuckDB file, bad
// SQL), kPermissionDenied (a write), kDeadlineExceeded (timeout).
// Not thread-safe: one DuckdbDatabase per thread.
#pragma once

#include <memory>
#include <string>

#include "t2sql/database.h"

namespace t2sql {

class DuckdbDatabase final : public Database {
 public:
  // `path` names an existing DuckDB file, or is ":memory:".
  static Result<std::unique_ptr<Database>> open_file(const std::string& path);
  ~DuckdbDatabase() override;

  std::string engine() const override { return "duckdb"; }
  std::string uri() const override { return "duckdb://" + path_; }
  Result<Catalog> catalog(const CatalogOptions& options) override;
  Result<ResultSet> execute(const std::string& sql, const ExecOptions& options) override;
  Status validate(const std::string& sql) override;

 private:
  struct Handles;
  DuckdbDatabase(std::unique_ptr<Handles> handles, std::string path);
  Result<ResultSet> run(const std::string& sql, const ExecOptions& options, bool check);

  std::unique_ptr<Handles> handles_;
  std::string path_;
};

// True when the file starts like a DuckDB database (its magic bytes).
bool looks_like_duckdb_file(const std::string& path);

}  // namespace t2sql
