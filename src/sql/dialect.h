// Dialect: the few pieces of SQL text that differ between the engines t2sql
// emits SQL for (SQLite, DuckDB, PostgreSQL, ClickHouse): quoting, date parts, date
// literals, case-insensitive matching and LIMIT. Generators build SQL through
// it so that one rule produces valid SQL on each engine.
//
//   Dialect d = Dialect::for_engine("duckdb");
//   d.year_of("sale_date")        // "strftime(sale_date, '%Y')"
//   d.quote_identifier("order")   // "\"order\""
//
// Plain value type, thread-safe, no errors (an unknown engine reads as SQLite).
#pragma once

#include <string>
#include <string_view>

namespace t2sql {

class Dialect {
 public:
  enum class Engine { kSqlite, kDuckDb, kPostgres, kClickHouse };

  // "sqlite", "duckdb", "postgresql" / "postgres", "clickhouse"; anything else -> SQLite.
  static Dialect for_engine(std::string_view engine);

  Engine engine() const { return engine_; }
  std::string engine_name() const;

  // The name as is when it is a plain lowercase-safe identifier that is not a
  // keyword; double-quoted (quotes doubled) otherwise. ClickHouse: backquoted,
  // with backslash escapes (its names are case-sensitive, so mixed case is plain).
  std::string quote_identifier(std::string_view name) const;
  // 'text' with single quotes doubled (ClickHouse: quotes and backslashes
  // escaped with a backslash, since its strings read backslash escapes).
  std::string string_literal(std::string_view text) const;

  // Date parts of a date/timestamp (or ISO text) expression, as text so that
  // every engine returns the same values: year "2023", month "03",
  // year-month "2023-03". DuckDB and PostgreSQL cast the expression to DATE
  // first, so that ISO text columns work there as they do in SQLite.
  std::string year_of(std::string_view expr) const;
  std::string month_of(std::string_view expr) const;
  std::string year_month_of(std::string_view expr) const;
  // Integer periods of a date: quarter 1-4, half 1-2, day of the week 0-6
  // (0 is Sunday on every engine).
  std::string quarter_of(std::string_view expr) const;
  std::string half_of(std::string_view expr) const;
  std::string weekday_of(std::string_view expr) const;
  // A date literal comparable with a date column: '2023-01-31' (SQLite keeps
  // dates as ISO text), DATE '2023-01-31' (DuckDB, PostgreSQL),
  // toDate('2023-01-31') (ClickHouse).
  std::string date_literal(int year, int month, int day) const;
  // The same for a string literal that holds an ISO date ("'2023-01-31'").
  std::string date_from_text(std::string_view string_literal) const;
  // Today's date as the engine sees it.
  std::string current_date() const;

  // expr matches pattern (a SQL string literal) ignoring case: LIKE in SQLite
  // (case-insensitive for ASCII), ILIKE in DuckDB and PostgreSQL, both sides
  // lowered in ClickHouse (18.16 has no ILIKE).
  std::string like_ignore_case(std::string_view expr, std::string_view pattern_literal) const;
  // expr equals the text literal ignoring case.
  std::string equals_ignore_case(std::string_view expr, std::string_view text_literal) const;

  // " LIMIT n" (with the leading space).
  std::string limit(long long n) const;
  // Rounds a numeric expression to `digits` decimals.
  std::string round(std::string_view expr, int digits) const;

 private:
  explicit Dialect(Engine engine) : engine_(engine) {}
  Engine engine_;
};

}  // namespace t2sql
