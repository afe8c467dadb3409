#include "t2sql/value.h"

#include <charconv>
#include <cmath>

namespace t2sql {

const char* value_type_name(ValueType type) {
  switch (type) {
    case ValueType::kNull: return "null";
    case ValueType::kInteger: return "integer";
    case ValueType::kReal: return "real";
    case ValueType::kText: return "text";
    case ValueType::kBlob: return "blob";
    case ValueType::kDate: return "date";
    case ValueType::kTimestamp: return "timestamp";
    case ValueType::kBoolean: return "boolean";
  }
  return "unknown";
}

bool Value::is_number() const {
  return type == ValueType::kInteger || type == ValueType::kReal || type == ValueType::kBoolean;
}

double Value::as_double() const {
  if (auto* i = std::get_if<int64_t>(&data)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&data)) return *d;
  return 0;
}

std::string Value::to_string() const {
  if (type == ValueType::kBoolean) return std::get<int64_t>(data) ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&data)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&data)) {
    if (std::isnan(*d)) return "NaN";
    if (std::isinf(*d)) return *d > 0 ? "Infinity" : "-Infinity";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return ec == std::errc() ? std::string(buf, end) : std::to_string(*d);
  }
  if (auto* s = std::get_if<std::string>(&data)) return *s;
  return "";
}

}  // namespace t2sql
