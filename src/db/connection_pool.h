// ConnectionPool: a bounded set of open read-only Database connections to one
// URI, lent out one at a time, for a server that answers requests on several
// threads (a PostgreSQL connection costs a process on the server and tens of
// milliseconds to open; SQLite and DuckDB ones are cheap but not shareable).
//
//   auto pool = ConnectionPool::create("postgresql://reader@db/shop", {.max_size = 4});
//   auto lease = (*pool)->acquire();          // waits while all are lent out
//   if (lease.ok()) (*lease)->execute("SELECT 1");
//   // the connection returns to the pool when `lease` is destroyed
//
// Thread-safe. create() opens one connection to report a bad URI or server at
// once; more are opened on demand up to max_size. acquire() returns
// kResourceExhausted after acquire_timeout_ms. A connection whose server went
// away reconnects on its next use (PostgresDatabase does this itself), so
// leases never hand out a dead connection for good.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "t2sql/database.h"

namespace t2sql {

class ConnectionPool {
 public:
  struct Options {
    size_t max_size = 4;
    int64_t acquire_timeout_ms = 10000;
    OpenOptions open;  // how each connection is opened
  };

  // A borrowed connection; gives it back when destroyed.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Database> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    Database* operator->() const { return db_.get(); }
    Database& operator*() const { return *db_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Database> db_;
  };

  static Result<std::unique_ptr<ConnectionPool>> create(const std::string& uri, Options options);
  static Result<std::unique_ptr<ConnectionPool>> create(const std::string& uri) { return create(uri, Options{}); }

  Result<Lease> acquire();

  size_t open_count() const;  // connections opened and not closed
  size_t idle_count() const;  // of those, how many wait in the pool

 private:
  ConnectionPool(std::string uri, Options options) : uri_(std::move(uri)), options_(options) {}
  void give_back(std::unique_ptr<Database> db);

  const std::string uri_;
  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Database>> idle_;  // guarded by mutex_
  size_t open_ = 0;                              // guarded by mutex_
};

}  // namespace t2sql
