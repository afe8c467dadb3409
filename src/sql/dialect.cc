#include "sql/dialect.h"

#include <cctype>
#include <cstdio>
#include <string>
#include <unordered_set>

#include "sql/sql_quote.h"

namespace t2sql {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Reserved words of the three engines that commonly appear as column names;
// quoting them is always safe, so the list errs on the long side.
bool is_reserved(const std::string& lower_name) {
  static const std::unordered_set<std::string> kWords = {
      "all",     "alter",  "analyze", "and",    "any",    "as",      "asc",     "between", "by",
      "case",    "cast",   "check",   "collate", "column", "constraint", "create", "cross", "current_date",
      "current_time", "current_timestamp", "default", "delete", "desc", "distinct", "do", "drop", "else",
      "end",     "except", "exists",  "false",  "fetch",  "for",     "foreign", "from",    "full",
      "group",   "having", "in",      "index",  "inner",  "insert",  "intersect", "into",  "is",
      "join",    "key",    "left",    "like",   "limit",  "natural", "not",     "null",    "offset",
      "on",      "or",     "order",   "outer",  "primary", "references", "right", "select", "set",
      "table",   "then",   "to",      "true",   "union",  "unique",  "update",  "user",    "using",
      "values",  "when",   "where",   "window", "with",   "year",    "month",   "day",     "date",
      "time",    "timestamp", "position", "value", "type", "level", "rank", "row", "rows", "range",
  };
  return kWords.count(lower_name) > 0;
}

// ClickHouse reads backslash escapes inside quotes, so both the quote and the
// backslash are escaped with one.
std::string clickhouse_quoted(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote || c == '\\') out += '\\';
    out += c;
  }
  return out + quote;
}

// ClickHouse names are case-sensitive and never folded: any plain name of
// letters, digits and underscores stands as it is.
std::string clickhouse_identifier(std::string_view name) {
  bool plain = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (plain && !is_reserved(lower(name))) return std::string(name);
  return clickhouse_quoted(name, '`');
}

}  // namespace

Dialect Dialect::for_engine(std::string_view engine) {
  std::string e = lower(engine);
  if (e == "duckdb") return Dialect(Engine::kDuckDb);
  if (e == "postgresql" || e == "postgres" || e == "pg") return Dialect(Engine::kPostgres);
  if (e == "clickhouse") return Dialect(Engine::kClickHouse);
  return Dialect(Engine::kSqlite);
}

std::string Dialect::engine_name() const {
  switch (engine_) {
    case Engine::kSqlite: return "sqlite";
    case Engine::kDuckDb: return "duckdb";
    case Engine::kPostgres: return "postgresql";
    case Engine::kClickHouse: return "clickhouse";
  }
  return "sqlite";
}

std::string Dialect::quote_identifier(std::string_view name) const {
  if (engine_ == Engine::kClickHouse) return clickhouse_identifier(name);
  bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    plain = plain && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                      c == '_');
  }
  // SQLite and DuckDB fold nothing and match names case-insensitively, so a
  // mixed-case name needs no quotes there; PostgreSQL folds to lowercase.
  if (!plain && engine_ != Engine::kPostgres && !name.empty() &&
      (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    plain = true;
    for (char c : name) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  }
  if (plain && !is_reserved(lower(name))) return std::string(name);
  return sql_quoted_name(name);
}

std::string Dialect::string_literal(std::string_view text) const {
  if (engine_ == Engine::kClickHouse) return clickhouse_quoted(text, '\'');
  return sql_quoted_literal(text);
}

std::string Dialect::year_of(std::string_view expr) const {
  switch (engine_) {
    case Engine::kSqlite: return "strftime('%Y', " + std::string(expr) + ")";
    case Engine::kDuckDb: return "strftime(CAST(" + std::string(expr) + " AS DATE), '%Y')";
    case Engine::kPostgres: return "to_char(CAST(" + std::string(expr) + " AS DATE), 'YYYY')";
    case Engine::kClickHouse: return "formatDateTime(toDate(" + std::string(expr) + "), '%Y')";
  }
  return "";
}

std::string Dialect::month_of(std::string_view expr) const {
  switch (engine_) {
    case Engine::kSqlite: return "strftime('%m', " + std::string(expr) + ")";
    case Engine::kDuckDb: return "strftime(CAST(" + std::string(expr) + " AS DATE), '%m')";
    case Engine::kPostgres: return "to_char(CAST(" + std::string(expr) + " AS DATE), 'MM')";
    case Engine::kClickHouse: return "formatDateTime(toDate(" + std::string(expr) + "), '%m')";
  }
  return "";
}

std::string Dialect::year_month_of(std::string_view expr) const {
  switch (engine_) {
    case Engine::kSqlite: return "strftime('%Y-%m', " + std::string(expr) + ")";
    case Engine::kDuckDb: return "strftime(CAST(" + std::string(expr) + " AS DATE), '%Y-%m')";
    case Engine::kPostgres: return "to_char(CAST(" + std::string(expr) + " AS DATE), 'YYYY-MM')";
    case Engine::kClickHouse: return "formatDateTime(toDate(" + std::string(expr) + "), '%Y-%m')";
  }
  return "";
}

namespace {

// The month number of a date as an integer expression.
std::string month_number_of(Dialect::Engine engine, std::string_view expr) {
  if (engine == Dialect::Engine::kClickHouse) return "toMonth(toDate(" + std::string(expr) + "))";
  if (engine == Dialect::Engine::kSqlite) return "CAST(strftime('%m', " + std::string(expr) + ") AS INTEGER)";
  return "CAST(EXTRACT(MONTH FROM CAST(" + std::string(expr) + " AS DATE)) AS INTEGER)";
}

}  // namespace

// DuckDB's "/" divides integers into a fraction; "//" keeps the integer part.
std::string Dialect::quarter_of(std::string_view expr) const {
  if (engine_ == Engine::kClickHouse) return "toQuarter(toDate(" + std::string(expr) + "))";
  return "(" + month_number_of(engine_, expr) + " + 2) " + (engine_ == Engine::kDuckDb ? "//" : "/") + " 3";
}

std::string Dialect::half_of(std::string_view expr) const {
  if (engine_ == Engine::kClickHouse) return "intDiv(" + month_number_of(engine_, expr) + " + 5, 6)";
  return "(" + month_number_of(engine_, expr) + " + 5) " + (engine_ == Engine::kDuckDb ? "//" : "/") + " 6";
}

std::string Dialect::weekday_of(std::string_view expr) const {
  if (engine_ == Engine::kSqlite) return "CAST(strftime('%w', " + std::string(expr) + ") AS INTEGER)";
  // toDayOfWeek counts Monday 1 to Sunday 7.
  if (engine_ == Engine::kClickHouse) return "(toDayOfWeek(toDate(" + std::string(expr) + ")) % 7)";
  return "CAST(EXTRACT(DOW FROM CAST(" + std::string(expr) + " AS DATE)) AS INTEGER)";
}

std::string Dialect::date_literal(int year, int month, int day) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  if (engine_ == Engine::kSqlite) return std::string("'") + buf + "'";
  if (engine_ == Engine::kClickHouse) return std::string("toDate('") + buf + "')";
  return std::string("DATE '") + buf + "'";
}

std::string Dialect::date_from_text(std::string_view string_literal) const {
  if (engine_ == Engine::kSqlite) return std::string(string_literal);
  if (engine_ == Engine::kClickHouse) return "toDate(" + std::string(string_literal) + ")";
  return "DATE " + std::string(string_literal);
}

std::string Dialect::current_date() const {
  if (engine_ == Engine::kSqlite) return "date('now')";
  if (engine_ == Engine::kClickHouse) return "today()";
  return "CURRENT_DATE";
}

std::string Dialect::like_ignore_case(std::string_view expr, std::string_view pattern_literal) const {
  if (engine_ == Engine::kSqlite) return std::string(expr) + " LIKE " + std::string(pattern_literal);
  if (engine_ == Engine::kClickHouse) {
    return "lowerUTF8(" + std::string(expr) + ") LIKE lowerUTF8(" + std::string(pattern_literal) + ")";
  }
  return std::string(expr) + " ILIKE " + std::string(pattern_literal);
}

std::string Dialect::equals_ignore_case(std::string_view expr, std::string_view text_literal) const {
  if (engine_ == Engine::kSqlite) return std::string(expr) + " = " + std::string(text_literal) + " COLLATE NOCASE";
  if (engine_ == Engine::kClickHouse) {
    return "lowerUTF8(" + std::string(expr) + ") = lowerUTF8(" + std::string(text_literal) + ")";
  }
  return "lower(" + std::string(expr) + ") = lower(" + std::string(text_literal) + ")";
}

std::string Dialect::limit(long long n) const { return " LIMIT " + std::to_string(n); }

std::string Dialect::round(std::string_view expr, int digits) const {
  if (engine_ == Engine::kPostgres) {
    return "round(CAST(" + std::string(expr) + " AS numeric), " + std::to_string(digits) + ")";
  }
  return "round(" + std::string(expr) + ", " + std::to_string(digits) + ")";
}

}  // namespace t2sql
