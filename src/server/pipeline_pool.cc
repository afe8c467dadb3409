#include "server/pipeline_pool.h"

namespace t2sql {

PipelinePool::PipelinePool(std::string mode, size_t slots, size_t max_waiting, Factory factory)
    : mode_(std::move(mode)), slots_(slots == 0 ? 1 : slots), max_waiting_(max_waiting), factory_(std::move(factory)) {}

PipelinePool::Lease::~Lease() {
  if (pool_ && pipeline_) pool_->release(std::move(pipeline_));
}

void PipelinePool::release(std::unique_ptr<Pipeline> pipeline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(pipeline));
    --busy_;
  }
  freed_.notify_one();
}

size_t PipelinePool::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

size_t PipelinePool::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return busy_;
}

Result<PipelinePool::Lease> PipelinePool::acquire(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (idle_.empty() && created_ >= slots_) {
    if (waiting_ >= max_waiting_) {
      return resource_exhausted("the " + mode_ + " engine is busy (" + std::to_string(slots_) + " working, " +
                                std::to_string(waiting_) + " waiting); try again shortly");
    }
    ++waiting_;
    bool got = freed_.wait_for(lock, timeout, [&] { return !idle_.empty() || created_ < slots_; });
    --waiting_;
    if (!got) {
      return deadline_exceeded("no " + mode_ + " engine became free within " + std::to_string(timeout.count()) + " ms");
    }
  }
  if (!idle_.empty()) {
    auto p = std::move(idle_.back());
    idle_.pop_back();
    ++busy_;
    return Lease(this, std::move(p));
  }
  // Build a new one outside the lock: loading a model takes a while.
  ++created_;
  lock.unlock();
  auto made = factory_();
  lock.lock();
  if (!made.ok()) {
    --created_;
    lock.unlock();
    freed_.notify_one();
    return made.status();
  }
  ++busy_;
  return Lease(this, std::move(*made));
}

}  // namespace t2sql
