// The question records of tests/cases/*.test asked through the pipeline
// (template engine) on the two-shard ClickHouse cluster of
// tests/clickhouse/ch_fixture.sh; records marked "unsupported clickhouse"
// must still fail there.
#include <gtest/gtest.h>

#include "testing/ch_test_env.h"
#include "testing/pipeline_question_cases.h"

namespace t2sql {
namespace {

TEST(QuestionCases, ClickhouseClusterGivesTheExpectedAnswers) {
  T2SQL_SKIP_WITHOUT_CLICKHOUSE();
  testing::run_question_cases_through_pipeline("clickhouse", testing::ch_env("T2SQL_TEST_CH_URI"));
}

}  // namespace
}  // namespace t2sql
