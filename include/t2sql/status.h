// Status and Result<T>: how t2sql reports expected failures across its API.
//
//   t2sql::Result<std::unique_ptr<Database>> db = Database::open("sqlite:///tmp/x.db");
//   if (!db.ok()) { std::cerr << db.status().message() << "\n"; return 1; }
//   (*db)->execute("SELECT 1");
//
// Exceptions never cross the library boundary: every public function that can
// fail because of a user, a file or a model returns one of these.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace t2sql {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input: a question, SQL, a path, an option
  kNotFound,           // a file, table, column or model that is not there
  kUnavailable,        // a server that does not answer, a dropped connection
  kDeadlineExceeded,   // a timeout
  kResourceExhausted,  // a queue, a row cap, a memory limit
  kPermissionDenied,   // a statement that would write, a refused request
  kInternal,           // a bug or an engine error we cannot classify
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>"
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status not_found(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}
inline Status unavailable(std::string m) {
  return {StatusCode::kUnavailable, std::move(m)};
}
inline Status deadline_exceeded(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
inline Status resource_exhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status permission_denied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status internal_error(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                                  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace t2sql
