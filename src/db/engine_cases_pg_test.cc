// Runs the data-driven SQL cases of tests/cases/*.test on the demo warehouse
// in SQLite, DuckDB and PostgreSQL: every engine must give the expected rows.
// With T2SQL_CASES_PRINT=1 it prints each engine's rows in the file's format
// (for writing a new case; the printed rows must still be checked by hand).
#include <gtest/gtest.h>

#include "testing/pg_test_env.h"
#include "testing/sql_case_files.h"

namespace t2sql {
namespace {

TEST(EngineCases, SqliteGivesTheExpectedRows) {
  testing::run_sql_cases_on("sqlite", "sqlite://" + testing::pg_env("T2SQL_TEST_SQLITE_DEMO"));
}

TEST(EngineCases, DuckdbGivesTheExpectedRows) {
  testing::run_sql_cases_on("duckdb", "duckdb://" + testing::pg_env("T2SQL_TEST_DUCKDB_DEMO"));
}

TEST(EngineCases, PostgresqlGivesTheExpectedRows) {
  testing::run_sql_cases_on("postgresql", testing::pg_env("T2SQL_TEST_PG_URI"));
}

}  // namespace
}  // namespace t2sql
