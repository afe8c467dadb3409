// AnswerCache: answers of the server kept for questions asked again, so that
// a dashboard or many users asking the same thing do not run the pipeline and
// the query each time.
//
// Only what is the same for every asker is cached: template-mode answers
// (deterministic) to requests without a session (a follow-up depends on the
// session's earlier turns), keyed by (question, mode, use_rag, instructions,
// svg). Every lookup first checks the database file's identity: device,
// inode, size and modification time of the file and of its write-ahead log
// (SQLite "-wal", DuckDB ".wal"), and the header bytes that change with each
// commit (SQLite's change counter, the WAL's salts); when any differs from what the entries were
// computed on, the cache is emptied, so an answer never outlives a change
// to the data. Databases that are not a local file (PostgreSQL) are not
// cached. Bounded by entries and bytes (least recently used go first).
//
//   AnswerCache cache(db_file_of(uri), 1000, 64 << 20);
//   auto token = cache.begin();                 // the identity now
//   if (auto hit = cache.find(key, token)) ...  // a copy of the entry
//   cache.insert(key, std::move(entry), token); // ignored if the file changed meanwhile
//
// Thread-safe (one mutex; lookups are a map find and a stat of two files).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "server/answer_body.h"

namespace t2sql {

// The local file behind a database URI ("shop.db", "sqlite:///x.db",
// "duckdb://x.duckdb"), or "" when it is not one (PostgreSQL, :memory:).
std::string db_file_of(const std::string& db_uri);

class AnswerCache {
 public:
  struct Entry {
    AnswerBody body;  // written with meta.cached = true
    int status = 200;
    std::string outcome;  // for the questions metric
    Session session;      // the session after the answer (its one turn)
  };
  struct Identity {
    bool valid = false;  // false: the file cannot be stat'ed; nothing is cached
    uint64_t dev = 0, ino = 0, size = 0, wal_size = 0, header = 0;
    int64_t mtime_ns = 0, wal_mtime_ns = 0;
    bool operator==(const Identity&) const = default;
  };

  // max_entries 0 or an empty `db_file`: the cache is off.
  AnswerCache(std::string db_file, size_t max_entries, size_t max_bytes);
  ~AnswerCache();
  AnswerCache(const AnswerCache&) = delete;
  AnswerCache& operator=(const AnswerCache&) = delete;

  bool enabled() const { return enabled_; }
  static std::string key(const std::string& question, const std::string& mode, bool use_rag,
                         const std::string& instructions, bool svg);

  // The database file's identity now; empties the cache when it changed.
  Identity begin();
  std::optional<Entry> find(const std::string& key, const Identity& now);
  void insert(const std::string& key, Entry entry, const Identity& computed_on);

  // One computation per question at a time: many clients asking the same new
  // question at once would otherwise all run it. lead() is true for the
  // first asker, who computes (holding a Flight until its insert is done);
  // the others wait() for its entry (nullopt: it made none, or the wait timed
  // out: they compute themselves).
  bool lead(const std::string& key);
  std::optional<Entry> wait(const std::string& key, const Identity& now, std::chrono::milliseconds timeout);
  class Flight {
   public:
    Flight(AnswerCache* cache, std::string key) : cache_(cache), key_(std::move(key)) {}
    Flight(const Flight&) = delete;
    Flight& operator=(const Flight&) = delete;
    ~Flight() { cache_->land(key_); }

   private:
    AnswerCache* cache_;
    std::string key_;
  };

  size_t hits() const;
  size_t misses() const;
  size_t entries() const;

 private:
  Identity stat_now() const;
  void land(const std::string& key);
  void clear_locked();

  const std::string db_file_;
  const size_t max_entries_, max_bytes_;
  const bool enabled_;
  int fd_ = -1;          // the database file, opened at the start (its header is read through it)
  uint64_t fd_ino_ = 0;  // fd_'s inode: when the path names another file, it is opened afresh
  bool sqlite_ = false;  // SQLite ("-wal", a change counter) or DuckDB (".wal")
  mutable std::mutex mu_;
  Identity identity_;  // guarded by mu_; what the entries were computed on
  using Lru = std::list<std::pair<std::string, Entry>>;
  Lru lru_;                                                // guarded by mu_; most recent first
  std::unordered_map<std::string, Lru::iterator> by_key_;  // guarded by mu_
  size_t bytes_ = 0;                                       // guarded by mu_
  size_t hits_ = 0, misses_ = 0;                           // guarded by mu_
  std::unordered_set<std::string> in_flight_;              // guarded by mu_
  std::condition_variable landed_;
};

}  // namespace t2sql
