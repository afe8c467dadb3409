// `t2sql eval --mode gold --grammar-coverage`: real gold SQL against the LLM
// engine's constraints (grammar + scope checker), no model involved.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace fs = std::filesystem;

namespace t2sql {
namespace {

using testing::demo_db;
using testing::read_file;
using testing::run_t2sql;
using testing::temp_dir;

std::string shared_data() {
  const char* env = std::getenv("T2SQL_SHARED_DIR");
  return (env && *env ? std::string(env) : std::string(T2SQL_SOURCE_DIR) + "/../shared") + "/data";
}

// The floor of the issue: 99% of Spider dev-open's gold SQL as published, and
// 99% of the mutants (a table or column name that exists nowhere) refused.
TEST(GrammarCoverageTest, SpiderDevOpenGoldIsAcceptedAndMutantsRefused) {
  std::string data = shared_data() + "/spider-dev-open";
  if (!fs::exists(data + "/dev.json")) GTEST_SKIP() << "no shared Spider data";
  std::string dir = temp_dir("grammar_coverage");
  auto r = run_t2sql({"eval", "--suite", "spider", "--data", data, "--mode", "gold", "--grammar-coverage", "--quiet",
                      "--json", dir + "/cov.json", "--fail-under", "0.99"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(read_file(dir + "/cov.json"));
  EXPECT_EQ(j["gold"], 543);
  EXPECT_GE(j["grammar.acceptance"].get<double>(), 0.99);
  EXPECT_GE(j["grammar.mutant_rejection"].get<double>(), 0.99);
  EXPECT_GT(j["mutants"].get<int>(), 543);
  EXPECT_NE(r.out.find("grammar.acceptance"), std::string::npos) << r.out;
  for (const auto& refused : j["refused_gold"]) {
    EXPECT_TRUE(refused.contains("offset"));
    EXPECT_LE(refused["offset"].get<size_t>(), refused["sql"].get<std::string>().size());
  }
}

TEST(GrammarCoverageTest, RefusedGoldIsListedWithItsOffset) {
  std::string dir = temp_dir("grammar_coverage_jsonl");
  fs::copy_file(demo_db(), dir + "/shop.db");
  std::ofstream(dir + "/suite.jsonl")
      << "{\"db\": \"shop.db\", \"question\": \"How many brands?\", \"sql\": \"SELECT COUNT(*) FROM brands\"}\n"
      << "{\"db\": \"shop.db\", \"question\": \"Broken\", \"sql\": \"SELECT nope FROM brands\"}\n";
  auto r = run_t2sql({"eval", "--suite", "jsonl", "--data", dir + "/suite.jsonl", "--mode", "gold",
                      "--grammar-coverage", "--quiet", "--json", dir + "/cov.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_file(dir + "/cov.json"));
  EXPECT_EQ(j["gold"], 2);
  EXPECT_DOUBLE_EQ(j["grammar.acceptance"].get<double>(), 0.5);
  ASSERT_EQ(j["refused_gold"].size(), 1u);
  EXPECT_EQ(j["refused_gold"][0]["offset"], 7);  // "nope"
  EXPECT_EQ(j["refused_gold"][0]["stage"], "scope");
  // Only with --mode gold.
  auto bad = run_t2sql(
      {"eval", "--suite", "jsonl", "--data", dir + "/suite.jsonl", "--mode", "template", "--grammar-coverage"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--mode gold"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace t2sql
