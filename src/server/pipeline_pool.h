// PipelinePool: a bounded set of Pipelines of one mode, lent to one request
// at a time. Pipelines are made on first need (so an idle server holds no
// model), reused afterwards, and at most `slots` exist. At most `max_waiting`
// requests wait for one; the next is told kResourceExhausted at once, which
// the server answers with 503. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "t2sql/pipeline.h"

namespace t2sql {

class PipelinePool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Pipeline>>()>;

  PipelinePool(std::string mode, size_t slots, size_t max_waiting, Factory factory);

  // Returns the pipeline to the pool when destroyed.
  class Lease {
   public:
    Lease(PipelinePool* pool, std::unique_ptr<Pipeline> pipeline) : pool_(pool), pipeline_(std::move(pipeline)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Pipeline* operator->() { return pipeline_.get(); }
    Pipeline& operator*() { return *pipeline_; }

   private:
    PipelinePool* pool_;
    std::unique_ptr<Pipeline> pipeline_;
  };

  // kResourceExhausted: too many waiting; kDeadlineExceeded: none freed in
  // time; any error of the factory (a model that does not load).
  Result<Lease> acquire(std::chrono::milliseconds timeout);

  const std::string& mode() const { return mode_; }
  size_t waiting() const;
  size_t busy() const;

 private:
  void release(std::unique_ptr<Pipeline> pipeline);

  const std::string mode_;
  const size_t slots_, max_waiting_;
  Factory factory_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Pipeline>> idle_;  // guarded by mu_
  size_t created_ = 0;                           // guarded by mu_; includes ones being built
  size_t waiting_ = 0;                           // guarded by mu_
  size_t busy_ = 0;                              // guarded by mu_
};

}  // namespace t2sql
