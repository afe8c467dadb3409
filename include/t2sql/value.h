// Typed cells and result sets, shared by every database engine.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace t2sql {

// The type a column holds, as far as t2sql cares (engines map theirs onto these).
enum class ValueType { kNull, kInteger, kReal, kText, kBlob, kDate, kTimestamp, kBoolean };

const char* value_type_name(ValueType type);

// One cell. Dates and timestamps are carried as ISO-8601 text with their type.
struct Value {
  ValueType type = ValueType::kNull;
  std::variant<std::monostate, int64_t, double, std::string> data;

  static Value null() { return {}; }
  static Value integer(int64_t v) { return {ValueType::kInteger, v}; }
  static Value real(double v) { return {ValueType::kReal, v}; }
  static Value text(std::string v, ValueType t = ValueType::kText) { return {t, std::move(v)}; }
  static Value boolean(bool v) { return {ValueType::kBoolean, int64_t{v}}; }

  bool is_null() const { return type == ValueType::kNull; }
  bool is_number() const;
  double as_double() const;       // 0 for non-numbers
  std::string to_string() const;  // "" for NULL, shortest round-trip for reals

  bool operator==(const Value& other) const = default;
};

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<ValueType> column_types;  // declared or inferred from the first non-null cell
  std::vector<std::vector<Value>> rows;
  bool truncated = false;  // more rows existed than the row cap allowed
  double elapsed_ms = 0;
};

}  // namespace t2sql
