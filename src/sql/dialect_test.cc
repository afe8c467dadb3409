#include "sql/dialect.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "t2sql/database.h"
#include "testing/scratch_sqlite.h"

namespace t2sql {
namespace {

TEST(DialectTest, EngineNames) {
  EXPECT_EQ(Dialect::for_engine("sqlite").engine_name(), "sqlite");
  EXPECT_EQ(Dialect::for_engine("DuckDB").engine_name(), "duckdb");
  EXPECT_EQ(Dialect::for_engine("postgres").engine_name(), "postgresql");
  EXPECT_EQ(Dialect::for_engine("something").engine_name(), "sqlite");
}

TEST(DialectTest, Quoting) {
  Dialect sqlite = Dialect::for_engine("sqlite");
  Dialect pg = Dialect::for_engine("postgresql");
  EXPECT_EQ(sqlite.quote_identifier("sale_date"), "sale_date");
  EXPECT_EQ(sqlite.quote_identifier("order"), "\"order\"");
  EXPECT_EQ(sqlite.quote_identifier("petType"), "petType");
  EXPECT_EQ(pg.quote_identifier("petType"), "\"petType\"");
  EXPECT_EQ(sqlite.quote_identifier("my col"), "\"my col\"");
  EXPECT_EQ(sqlite.quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(sqlite.string_literal("Levi's"), "'Levi''s'");
}

TEST(DialectTest, PostgresAndDuckDbForms) {
  Dialect duck = Dialect::for_engine("duckdb");
  Dialect pg = Dialect::for_engine("postgresql");
  EXPECT_EQ(duck.date_literal(2023, 1, 31), "DATE '2023-01-31'");
  // The cast admits ISO text columns too (to_char has no text overload).
  EXPECT_EQ(pg.year_of("d"), "to_char(CAST(d AS DATE), 'YYYY')");
  EXPECT_NE(duck.like_ignore_case("x", "'%a%'").find("ILIKE"), std::string::npos);
}

// The SQLite forms run on a real SQLite file and give the documented values.
TEST(DialectTest, SqliteFormsRun) {
  auto dir = std::filesystem::temp_directory_path() / ("t2sql_dialect_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "d.db").string();
  ASSERT_EQ(testing::write_sqlite(path,
                                  "CREATE TABLE t(\"order\" INTEGER, d DATE, name TEXT);"
                                  "INSERT INTO t VALUES (1, '2023-03-15', 'Apple'), (2, '2024-11-02', 'Levi''s');"),
            "");
  auto db = Database::open(path);
  ASSERT_TRUE(db.ok());
  Dialect d = Dialect::for_engine("sqlite");
  std::string sql = "SELECT " + d.year_of("d") + ", " + d.month_of("d") + ", " + d.year_month_of("d") + ", " +
                    d.quote_identifier("order") + " FROM t WHERE d >= " + d.date_literal(2023, 1, 1) + " AND " +
                    d.equals_ignore_case("name", d.string_literal("apple")) + d.limit(5);
  auto rows = (*db)->execute(sql);
  ASSERT_TRUE(rows.ok()) << rows.status().to_string() << "\n" << sql;
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0].to_string(), "2023");
  EXPECT_EQ(rows->rows[0][1].to_string(), "03");
  EXPECT_EQ(rows->rows[0][2].to_string(), "2023-03");
  EXPECT_EQ(rows->rows[0][3].to_string(), "1");
  // 2024-11-02 was a Saturday; 2023-03-15 a Wednesday.
  auto periods = (*db)->execute("SELECT " + d.quarter_of("d") + ", " + d.half_of("d") + ", " + d.weekday_of("d") +
                                " FROM t ORDER BY d");
  ASSERT_TRUE(periods.ok()) << periods.status().to_string();
  ASSERT_EQ(periods->rows.size(), 2u);
  EXPECT_EQ(periods->rows[0][0].to_string() + periods->rows[0][1].to_string() + periods->rows[0][2].to_string(), "113");
  EXPECT_EQ(periods->rows[1][0].to_string() + periods->rows[1][1].to_string() + periods->rows[1][2].to_string(), "426");
  auto like = (*db)->execute("SELECT count(*) FROM t WHERE " +
                             d.like_ignore_case("name", d.string_literal("%LEVI%")));
  ASSERT_TRUE(like.ok());
  EXPECT_EQ(like->rows[0][0].to_string(), "1");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace t2sql
