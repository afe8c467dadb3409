// ResultBudget: what one statement may still spend while its rows are read:
// the deadline and the value and result byte caps of ExecOptions. Every
// engine's execute() charges each value it copies, so that the timeout covers
// materialising the rows and no answer outgrows its caps. One per statement;
// not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "t2sql/database.h"
#include "t2sql/status.h"

namespace t2sql {

class ResultBudget {
 public:
  using Clock = std::chrono::steady_clock;

  ResultBudget(const ExecOptions& options, Clock::time_point start) : options_(options) {
    if (options.timeout_ms > 0) deadline_ = start + std::chrono::milliseconds(options.timeout_ms);
  }

  // kResourceExhausted when one value or the result so far is over its cap.
  Status charge(int64_t value_bytes) {
    if (options_.max_value_bytes > 0 && value_bytes > options_.max_value_bytes) return value_too_large();
    spent_ += value_bytes;
    if (options_.max_result_bytes > 0 && spent_ > options_.max_result_bytes) {
      return resource_exhausted("the result is larger than the " + mib(options_.max_result_bytes) +
                                " cap on one answer; select fewer or smaller columns, or add a LIMIT");
    }
    return Status();
  }
  Status value_too_large() const {
    return resource_exhausted("a value is larger than the " + mib(options_.max_value_bytes) + " cap on one value");
  }
  // kDeadlineExceeded once the timeout has passed.
  Status check_deadline() const {
    if (deadline_ != Clock::time_point() && Clock::now() >= deadline_) return timed_out();
    return Status();
  }
  Status timed_out() const {
    return deadline_exceeded("query interrupted after its timeout of " + std::to_string(options_.timeout_ms) + " ms");
  }
  // Milliseconds left before the deadline (at least 1), or 0 when there is none.
  int64_t remaining_ms() const {
    if (deadline_ == Clock::time_point()) return 0;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
    return left < 1 ? 1 : left;
  }
  int64_t spent() const { return spent_; }

 private:
  static std::string mib(int64_t bytes) {
    return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
  }

  ExecOptions options_;
  Clock::time_point deadline_{};
  int64_t spent_ = 0;
};

}  // namespace t2sql
