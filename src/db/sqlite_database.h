// SqliteDatabase: a Database over one SQLite file, read-only by construction.
// The file is opened with SQLITE_OPEN_READONLY and `query_only`, and an
// authorizer refuses every action but reading, so no SQL text can write,
// attach another file or load an extension. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "t2sql/database.h"

struct sqlite3;
struct sqlite3_stmt;

namespace t2sql {

class SqliteDatabase final : public Database {
 public:
  // `path` must name an existing SQLite file. kNotFound when it does not
  // exist, kInvalidArgument when it is not a (healthy) SQLite database.
  static Result<std::unique_ptr<Database>> open_file(const std::string& path);
  ~SqliteDatabase() override;

  std::string engine() const override { return "sqlite"; }
  std::string uri() const override { return "sqlite://" + path_; }
  Result<Catalog> catalog(const CatalogOptions& options) override;
  Result<ResultSet> execute(const std::string& sql, const ExecOptions& options) override;
  Status validate(const std::string& sql) override;

 private:
  // What tells that another process changed the file: the main file's size
  // and modification time, the -wal file's size.
  struct FileStamp {
    uint64_t size = 0;
    int64_t mtime = 0;
    uint64_t wal_size = 0;
    bool operator==(const FileStamp&) const = default;
  };
  static FileStamp stamp_of(const std::string& path);

  SqliteDatabase(sqlite3* db, std::string path, bool immutable, FileStamp stamp)
      : db_(db), path_(std::move(path)), immutable_(immutable), stamp_(stamp) {}
  Status prepare_checked(const std::string& sql, sqlite3_stmt** stmt);
  Status reopen_if_changed();

  sqlite3* db_;
  std::string path_;
  bool immutable_ = false;  // opened with ?immutable=1: reopened when the file changes
  FileStamp stamp_;
};

}  // namespace t2sql
