// The question records of tests/cases/*.test asked through the pipeline
// (template engine) on the demo warehouse in SQLite, DuckDB and PostgreSQL:
// every engine must give the record's rows, or abstain or refuse as it says,
// and leave the database as it was.
#include <gtest/gtest.h>

#include "testing/pg_test_env.h"
#include "testing/pipeline_question_cases.h"

namespace t2sql {
namespace {

TEST(QuestionCases, SqliteGivesTheExpectedAnswers) {
  testing::run_question_cases_through_pipeline("sqlite", "sqlite://" + testing::pg_env("T2SQL_TEST_SQLITE_DEMO"));
}

TEST(QuestionCases, DuckdbGivesTheExpectedAnswers) {
  testing::run_question_cases_through_pipeline("duckdb", "duckdb://" + testing::pg_env("T2SQL_TEST_DUCKDB_DEMO"));
}

TEST(QuestionCases, PostgresqlGivesTheExpectedAnswersAndChangesNothing) {
  std::string before = testing::pg_data_checksum();
  testing::run_question_cases_through_pipeline("postgresql", testing::pg_env("T2SQL_TEST_PG_URI"));
  EXPECT_EQ(testing::pg_data_checksum(), before);
}

}  // namespace
}  // namespace t2sql
