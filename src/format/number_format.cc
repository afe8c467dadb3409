#include "t2sql/number_format.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "schema/identifier_words.h"

namespace t2sql {

namespace {

// The words of a column name or an expression ("SUM(s.amount)" -> sum, s,
// amount), abbreviations expanded, not singularized ("sales" stays).
std::vector<std::string> name_words(const std::string& name) {
  std::string cleaned;
  for (char c : name) cleaned += std::isalnum(static_cast<unsigned char>(c)) ? c : ' ';
  std::vector<std::string> out;
  for (const auto& part : split_identifier(cleaned))
    for (const auto& w : expand_abbreviation(part)) out.push_back(w);
  return out;
}

bool has_any(const std::vector<std::string>& words, const std::set<std::string>& wanted) {
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return wanted.count(w) > 0; });
}

const std::set<std::string>& money_words() {
  static const std::set<std::string> k = {
      "amount",  "revenue",  "revenues", "sales",    "sale",     "price",    "prices", "cost",   "costs",
      "profit",  "profits",  "income",   "salary",   "salaries", "wage",     "wages",  "budget", "budgets",
      "fee",     "fees",     "payment",  "payments", "paid",     "balance",  "spend",  "spent",  "spending",
      "expense", "expenses", "earning",  "earnings", "gmv",      "turnover", "tax",    "taxes",  "fare",
      "fares",   "charge",   "charges",  "dollar",   "dollars",  "usd",      "eur",    "money",  "margin"};
  return k;
}

// Words that make a column a count even when a money word is in it
// ("sales_count", "number of sales").
const std::set<std::string>& count_words() {
  static const std::set<std::string> k = {"count", "number", "quantity", "units", "qty", "orders", "items"};
  return k;
}

bool is_whole(double d) {
  return std::isfinite(d) && std::fabs(d) < 1e15 && d == std::floor(d);
}

}  // namespace

const char* number_kind_name(NumberKind kind) {
  switch (kind) {
    case NumberKind::kText: return "text";
    case NumberKind::kPlain: return "plain";
    case NumberKind::kMoney: return "money";
    case NumberKind::kPercent: return "percent";
    case NumberKind::kInteger: return "integer";
    case NumberKind::kDecimal: return "decimal";
  }
  return "text";
}

ColumnFormat column_format(const std::string& name, ValueType declared, const std::vector<const Value*>& values) {
  ColumnFormat f;
  size_t non_null = 0, integers = 0, numbers = 0;
  bool all_whole = true, years = true;
  double max_abs = 0, min_nonzero_abs = 0;
  for (const Value* v : values) {
    if (!v || v->is_null()) continue;
    ++non_null;
    if (v->type != ValueType::kInteger && v->type != ValueType::kReal) continue;
    ++numbers;
    double d = v->as_double();
    if (v->type == ValueType::kInteger) ++integers;
    if (!std::isfinite(d)) continue;
    if (!is_whole(d)) all_whole = false;
    if (!(v->type == ValueType::kInteger && d >= 1900 && d <= 2100)) years = false;
    double a = std::fabs(d);
    max_abs = std::max(max_abs, a);
    if (a > 0 && (min_nonzero_abs == 0 || a < min_nonzero_abs)) min_nonzero_abs = a;
  }
  bool numeric = non_null > 0 ? numbers == non_null : (declared == ValueType::kInteger || declared == ValueType::kReal);
  if (!numeric) return f;
  bool integer_column = non_null > 0 ? integers == non_null : declared == ValueType::kInteger;
  f.right_align = true;

  auto words = name_words(name);
  std::string lower_name;
  for (char c : name) lower_name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool counted = has_any(words, count_words());
  bool id_like = has_any(words, {"id", "code", "zip", "postcode", "phone", "isbn", "year", "yr"}) ||
                 (!words.empty() && integer_column && !counted && (words.back() == "no" || words.back() == "nr")) ||
                 (!words.empty() && integer_column && words.size() > 1 && words.back() == "number");
  bool time_named = has_any(words, {"year", "date", "period", "season", "yr"});
  if (id_like && !has_any(words, {"sum", "total", "avg", "average", "count"})) {
    f.kind = NumberKind::kPlain;
    return f;
  }
  if (integer_column && non_null > 0 && years && time_named) {
    f.kind = NumberKind::kPlain;
    return f;
  }
  if (has_any(words, {"percent", "percentage", "pct"}) || lower_name.find('%') != std::string::npos) {
    f.kind = NumberKind::kPercent;
    f.decimals = all_whole ? 0 : 1;
    f.suffix = "%";
    f.thousands = true;
    return f;
  }
  f.thousands = true;
  if (has_any(words, money_words()) && !counted) {
    f.kind = NumberKind::kMoney;
    f.decimals = integer_column ? 0 : 2;
    return f;
  }
  if (integer_column) {
    f.kind = NumberKind::kInteger;
    return f;
  }
  f.kind = NumberKind::kDecimal;
  if (all_whole) {
    f.decimals = 0;
  } else if (max_abs >= 1 || min_nonzero_abs == 0) {
    f.decimals = 2;
  } else {
    int d = 1 - static_cast<int>(std::floor(std::log10(min_nonzero_abs)));
    f.decimals = std::clamp(d, 2, 6);
  }
  return f;
}

std::vector<ColumnFormat> column_formats(const ResultSet& rows) {
  std::vector<ColumnFormat> out;
  for (size_t c = 0; c < rows.columns.size(); ++c) {
    std::vector<const Value*> values;
    values.reserve(rows.rows.size());
    for (const auto& row : rows.rows)
      if (c < row.size()) values.push_back(&row[c]);
    ValueType declared = c < rows.column_types.size() ? rows.column_types[c] : ValueType::kText;
    out.push_back(column_format(rows.columns[c], declared, values));
  }
  return out;
}

std::string format_number(double value, int decimals, bool thousands) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  decimals = std::clamp(decimals, 0, 12);
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string s = buf;
  // "-0.00" is zero.
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  if (!thousands) return s;
  size_t start = s[0] == '-' ? 1 : 0;
  size_t point = s.find('.');
  size_t int_end = point == std::string::npos ? s.size() : point;
  std::string out = s.substr(0, start);
  for (size_t i = start; i < int_end; ++i) {
    out += s[i];
    size_t left = int_end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out + s.substr(int_end);
}

std::string format_number_cell(const Value& value, const ColumnFormat& format) {
  if (value.is_null()) return "NULL";
  if (format.kind == NumberKind::kText || format.kind == NumberKind::kPlain) return value.to_string();
  if (value.type != ValueType::kInteger && value.type != ValueType::kReal) return value.to_string();
  double d = value.as_double();
  if (!std::isfinite(d)) return value.to_string();
  if (value.type == ValueType::kInteger && format.decimals == 0 && std::fabs(d) >= 9e15) {
    // Beyond a double's exact integers: group the exact digits.
    std::string digits = value.to_string();
    if (!format.thousands) return digits + format.suffix;
    size_t start = digits[0] == '-' ? 1 : 0;
    std::string out = digits.substr(0, start);
    for (size_t i = start; i < digits.size(); ++i) {
      out += digits[i];
      size_t left = digits.size() - i - 1;
      if (left > 0 && left % 3 == 0) out += ',';
    }
    return out + format.suffix;
  }
  return format_number(d, format.decimals, format.thousands) + format.suffix;
}

std::string column_formats_to_json(const std::vector<ColumnFormat>& formats) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : formats)
    out.push_back({{"kind", number_kind_name(f.kind)},
                   {"decimals", f.decimals},
                   {"thousands", f.thousands},
                   {"suffix", f.suffix},
                   {"align", f.right_align ? "right" : "left"}});
  return out.dump();
}

}  // namespace t2sql
