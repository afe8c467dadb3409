#include "db/connection_pool.h"

#include <chrono>

namespace t2sql {

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (db_ && pool_) pool_->give_back(std::move(db_));
    pool_ = other.pool_;
    db_ = std::move(other.db_);
  }
  return *this;
}

ConnectionPool::Lease::~Lease() {
  if (db_ && pool_) pool_->give_back(std::move(db_));
}

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::create(const std::string& uri, Options options) {
  if (options.max_size == 0) return invalid_argument("a connection pool needs room for at least one connection");
  auto first = Database::open(uri, options.open);
  if (!first.ok()) return first.status();
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(uri, options));
  pool->idle_.push_back(std::move(*first));
  pool->open_ = 1;
  return pool;
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.acquire_timeout_ms);
  while (idle_.empty() && open_ >= options_.max_size) {
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.max_size) {
      return resource_exhausted("all " + std::to_string(options_.max_size) + " database connections are busy after " +
                                std::to_string(options_.acquire_timeout_ms) + " ms");
    }
  }
  if (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(db));
  }
  ++open_;  // reserve the slot, then open without holding the lock
  lock.unlock();
  auto opened = Database::open(uri_, options_.open);
  if (!opened.ok()) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return opened.status();
  }
  return Lease(this, std::move(*opened));
}

void ConnectionPool::give_back(std::unique_ptr<Database> db) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
  }
  returned_.notify_one();
}

size_t ConnectionPool::open_count() const {
  std::lock_guard lock(mutex_);
  return open_;
}

size_t ConnectionPool::idle_count() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace t2sql
