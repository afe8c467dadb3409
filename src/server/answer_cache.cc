#include "server/answer_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace t2sql {

namespace {

// Bytes of a file's header that change with every commit even when the size
// and the coarse modification time do not: SQLite's file change counter
// (offset 24) and the WAL header's checkpoint sequence and salts (0-32).
uint64_t bytes_hash(int fd, off_t offset, size_t length) {
  unsigned char buf[32] = {0};
  ssize_t n = ::pread(fd, buf, std::min(length, sizeof buf), offset);
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (ssize_t i = 0; i < n; ++i) h = (h ^ buf[i]) * 1099511628211ull;
  return h;
}

uint64_t header_bytes_hash(const std::string& path, off_t offset, size_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  uint64_t h = bytes_hash(fd, offset, length);
  ::close(fd);
  return h;
}

size_t entry_bytes(const std::string& key, const AnswerCache::Entry& e) {
  size_t n = key.size() + e.body.before_session.size() + e.body.after_session.size() + e.outcome.size() + 256;
  for (const auto& t : e.session.turns) n += t.question.size() + t.effective_question.size() + t.sql.size();
  return n;
}

}  // namespace

std::string db_file_of(const std::string& db_uri) {
  auto scheme_end = db_uri.find("://");
  std::string path;
  if (scheme_end == std::string::npos) {
    path = db_uri;
  } else {
    std::string scheme = db_uri.substr(0, scheme_end);
    if (scheme != "sqlite" && scheme != "sqlite3" && scheme != "file" && scheme != "duckdb") return "";
    path = db_uri.substr(scheme_end + 3);
  }
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  return path;
}

AnswerCache::AnswerCache(std::string db_file, size_t max_entries, size_t max_bytes)
    : db_file_(std::move(db_file)),
      max_entries_(max_entries),
      max_bytes_(max_bytes),
      enabled_(max_entries > 0 && max_bytes > 0 && !db_file_.empty()) {
  if (!enabled_) return;
  fd_ = ::open(db_file_.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0) fd_ino_ = st.st_ino;
  char magic[16] = {0};
  sqlite_ = fd_ >= 0 && ::pread(fd_, magic, sizeof magic, 0) == 16 && std::memcmp(magic, "SQLite format 3", 16) == 0;
}

AnswerCache::~AnswerCache() {
  if (fd_ >= 0) ::close(fd_);
}

std::string AnswerCache::key(const std::string& question, const std::string& mode, bool use_rag,
                             const std::string& instructions, bool svg) {
  // Lengths first, so that no two requests share a key.
  return std::to_string(question.size()) + ":" + question + "|" + mode + "|" + (use_rag ? "r" : "-") +
         (svg ? "s" : "-") + "|" + std::to_string(instructions.size()) + ":" + instructions;
}

AnswerCache::Identity AnswerCache::stat_now() const {
  Identity id;
  struct stat st {};
  if (::stat(db_file_.c_str(), &st) != 0) return id;
  id.valid = true;
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  id.size = static_cast<uint64_t>(st.st_size);
  id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  // SQLite's change counter; through the file opened at the start while it
  // is still the file at the path (pread on it is safe from any thread).
  if (sqlite_)
    id.header = fd_ >= 0 && st.st_ino == fd_ino_ ? bytes_hash(fd_, 24, 4) : header_bytes_hash(db_file_, 24, 4);
  // Committed changes may sit in the write-ahead log before they reach the
  // file: SQLite's "<file>-wal", DuckDB's "<file>.wal".
  std::string wal = db_file_ + (sqlite_ ? "-wal" : ".wal");
  struct stat w {};
  if (::stat(wal.c_str(), &w) == 0) {
    id.wal_size = static_cast<uint64_t>(w.st_size);
    id.wal_mtime_ns = static_cast<int64_t>(w.st_mtim.tv_sec) * 1000000000 + w.st_mtim.tv_nsec;
    if (sqlite_) id.header ^= header_bytes_hash(wal, 0, 32);
  }
  return id;
}

void AnswerCache::clear_locked() {
  lru_.clear();
  by_key_.clear();
  bytes_ = 0;
}

AnswerCache::Identity AnswerCache::begin() {
  if (!enabled_) return {};
  Identity now = stat_now();
  std::lock_guard<std::mutex> lock(mu_);
  if (!(now == identity_)) {
    clear_locked();
    identity_ = now;
  }
  return now;
}

std::optional<AnswerCache::Entry> AnswerCache::find(const std::string& key, const Identity& now) {
  if (!enabled_ || !now.valid) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end() || !(identity_ == now)) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void AnswerCache::insert(const std::string& key, Entry entry, const Identity& computed_on) {
  if (!enabled_ || !computed_on.valid) return;
  size_t bytes = entry_bytes(key, entry);
  if (bytes > max_bytes_ / 4) return;  // one huge answer must not push out everything else
  // The file may have changed while the answer was computed: then it was
  // computed on data that may be gone.
  Identity now = stat_now();
  std::lock_guard<std::mutex> lock(mu_);
  if (!(now == computed_on) || !(identity_ == computed_on)) return;
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    bytes_ -= entry_bytes(it->second->first, it->second->second);
    lru_.erase(it->second);
    by_key_.erase(it);
  }
  lru_.emplace_front(key, std::move(entry));
  by_key_[key] = lru_.begin();
  bytes_ += bytes;
  while (!lru_.empty() && (lru_.size() > max_entries_ || bytes_ > max_bytes_)) {
    auto& last = lru_.back();
    bytes_ -= entry_bytes(last.first, last.second);
    by_key_.erase(last.first);
    lru_.pop_back();
  }
}

bool AnswerCache::lead(const std::string& key) {
  if (!enabled_) return true;
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_.insert(key).second;
}

void AnswerCache::land(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.erase(key);
  }
  landed_.notify_all();
}

std::optional<AnswerCache::Entry> AnswerCache::wait(const std::string& key, const Identity& now,
                                                    std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!landed_.wait_for(lock, timeout, [&] { return !in_flight_.count(key); })) return std::nullopt;
  auto it = by_key_.find(key);
  if (it == by_key_.end() || !(identity_ == now)) return std::nullopt;
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

size_t AnswerCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

size_t AnswerCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

size_t AnswerCache::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace t2sql
