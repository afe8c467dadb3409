#include "tools/eval/retrieval_eval.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/eval/stress_catalog.h"

namespace t2sql {
namespace {

// The shared benchmark data beside the source tree (tests may look there; the program does not).
std::string test_shared_dir() {
  std::string env = default_shared_dir();
  return env.empty() ? std::string(T2SQL_SOURCE_DIR) + "/../shared" : env;
}

TEST(RetrievalEval, PerDatabaseRecallGrowsWithN) {
  RetrievalEvalOptions options;
  options.shared_dir = test_shared_dir();
  options.top_columns = {1, 8, 40};
  options.limit = 60;
  auto report = evaluate_retrieval(options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->n, 60);
  ASSERT_EQ(report->sweep.size(), 3u);
  EXPECT_LE(report->sweep[0].column_recall, report->sweep[1].column_recall);
  EXPECT_LE(report->sweep[1].column_recall, report->sweep[2].column_recall);
  EXPECT_LT(report->sweep[0].column_recall, 0.95);  // one column cannot cover a join
  EXPECT_GT(report->sweep[2].column_recall, 0.9);
  EXPECT_LT(report->sweep[0].prompt_tokens_mean, report->sweep[2].prompt_tokens_mean);
  EXPECT_GT(report->full_schema_tokens, 0);

  auto j = nlohmann::json::parse(report->to_json());
  for (const char* key : {"n", "column_recall", "prompt_tokens_mean", "full_schema_tokens", "latency_ms", "sweep"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_TRUE(j["latency_ms"].contains("p50"));
  EXPECT_TRUE(j["latency_ms"].contains("p95"));
}

TEST(RetrievalEval, SmallStressCatalog) {
  RetrievalEvalOptions options;
  options.shared_dir = test_shared_dir();
  options.catalog = "stress";
  options.top_columns = {60};
  options.limit = 30;
  options.stress_tables = 300;
  options.stress_columns = 3000;
  auto report = evaluate_retrieval(options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->tables, 300);
  EXPECT_EQ(report->columns, 3000);
  EXPECT_GT(report->headline.column_recall, 0.5);
  EXPECT_LT(report->headline.token_share, 0.2);
}

TEST(RetrievalEval, BadOptions) {
  RetrievalEvalOptions options;
  options.catalog = "everything";
  EXPECT_EQ(evaluate_retrieval(options).status().code(), StatusCode::kInvalidArgument);
  options.catalog = "db";
  options.shared_dir = "/nonexistent";
  EXPECT_EQ(evaluate_retrieval(options).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace t2sql
