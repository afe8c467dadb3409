// Each piece of SQL that Dialect writes, run on the engine it was written for:
// SQLite, DuckDB and PostgreSQL hold the same demo rows (tests/postgres/
// pg_fixture.sh), so every query must give the same rows on all three.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "testing/pg_test_env.h"
#include "sql/dialect.h"
#include "t2sql/database.h"

namespace t2sql {
namespace {

std::string canonical(const ResultSet& rs) {
  std::string out;
  for (const auto& row : rs.rows) {
    for (const auto& v : row) {
      if (v.type == ValueType::kBoolean || v.type == ValueType::kInteger || v.type == ValueType::kReal) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g", v.as_double());
        out += buf;
      } else {
        out += v.is_null() ? "NULL" : v.to_string();
      }
      out += "|";
    }
    out += "\n";
  }
  return out;
}

TEST(DialectOnEveryEngine, EveryPieceRunsAndAgrees) {
  std::vector<std::unique_ptr<Database>> engines;
  for (const std::string& uri :
       {"sqlite://" + testing::pg_env("T2SQL_TEST_SQLITE_DEMO"),
        "duckdb://" + testing::pg_env("T2SQL_TEST_DUCKDB_DEMO"), testing::pg_env("T2SQL_TEST_PG_URI")}) {
    auto db = Database::open(uri);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    engines.push_back(std::move(*db));
  }
  // Each query is written through the dialect of the engine it runs on.
  std::vector<std::pair<std::string, std::function<std::string(const Dialect&)>>> queries = {
      {"year of a date column",
       [](const Dialect& d) {
         return "SELECT " + d.year_of("sale_date") + " AS y, COUNT(*) FROM sales GROUP BY " + d.year_of("sale_date") +
                " ORDER BY 1";
       }},
      {"month and year-month of ISO text",
       [](const Dialect& d) {
         std::string text =
             "CAST(sale_date AS " + std::string(d.engine() == Dialect::Engine::kSqlite ? "TEXT" : "VARCHAR") + ")";
         return "SELECT " + d.month_of(text) + ", " + d.year_month_of(text) + ", COUNT(*) FROM sales WHERE " +
                d.year_month_of("sale_date") + " = " + d.string_literal("2024-02") + " GROUP BY 1, 2";
       }},
      {"quarter, half and day of the week",
       [](const Dialect& d) {
         return "SELECT " + d.quarter_of("sale_date") + " AS q, " + d.half_of("sale_date") + " AS h, " +
                d.weekday_of("sale_date") + " AS w, COUNT(*) FROM sales WHERE " + d.year_of("sale_date") + " = " +
                d.string_literal("2024") + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
       }},
      {"date literals",
       [](const Dialect& d) {
         return "SELECT COUNT(*) FROM sales WHERE sale_date >= " + d.date_literal(2024, 2, 1) + " AND sale_date < " +
                d.date_literal(2024, 3, 1);
       }},
      {"current date",
       [](const Dialect& d) {
         return "SELECT CASE WHEN " + d.current_date() + " > " + d.date_literal(2020, 1, 1) + " THEN 1 ELSE 0 END";
       }},
      {"case-insensitive matching",
       [](const Dialect& d) {
         return "SELECT brand_name FROM brands WHERE " + d.like_ignore_case("brand_name", d.string_literal("%SON%")) +
                " OR " + d.equals_ignore_case("brand_name", d.string_literal("aPPLE")) + " ORDER BY brand_name";
       }},
      {"quoted names and limit",
       [](const Dialect& d) {
         return "SELECT " + d.quote_identifier("month") + ", " + d.quote_identifier("store_id") + " FROM " +
                d.quote_identifier("active_store") + " ORDER BY 1, 2" + d.limit(3);
       }},
      {"string literal with a quote",
       [](const Dialect& d) {
         return "SELECT COUNT(*) FROM brands WHERE brand_name IN (" + d.string_literal("Levi's") + ", " +
                d.string_literal("L'Oreal") + ")";
       }},
      {"rounding money",
       [](const Dialect& d) {
         return "SELECT " + d.round("AVG(amount)", 2) + ", " + d.round("SUM(amount) / COUNT(*)", 1) + " FROM sales";
       }},
  };
  for (const auto& [what, write] : queries) {
    std::string first;
    for (size_t i = 0; i < engines.size(); ++i) {
      Dialect d = Dialect::for_engine(engines[i]->engine());
      std::string sql = write(d);
      auto rows = engines[i]->execute(sql, {.max_rows = 0});
      ASSERT_TRUE(rows.ok()) << what << " on " << d.engine_name() << ": " << sql << "\n" << rows.status().to_string();
      ASSERT_FALSE(rows->rows.empty()) << what;
      std::string got = canonical(*rows);
      if (i == 0) first = got;
      EXPECT_EQ(got, first) << what << " on " << d.engine_name() << ": " << sql;
    }
  }
}

}  // namespace
}  // namespace t2sql
