// The committed demo suite (data/suites/demo.jsonl): every gold query runs on
// the demo warehouse and returns rows, and the suite covers what the issue asks.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "eval/benchmark_suite.h"
#include "db/result_comparator.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

class DemoSuiteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string((fs::temp_directory_path() / ("t2sql_demo_suite_" + std::to_string(::getpid()))).string());
    fs::create_directories(*dir_);
    auto made = create_demo_warehouse(*dir_ + "/demo.db", true);
    ASSERT_TRUE(made.ok()) << made.status().message();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static Result<BenchmarkSuite> load() {
    return load_jsonl_suite(default_demo_suite_path(), {.demo_db_path = *dir_ + "/demo.db"});
  }
  static std::string* dir_;
};
std::string* DemoSuiteTest::dir_ = nullptr;

TEST_F(DemoSuiteTest, EveryGoldQueryRunsAndReturnsRows) {
  auto suite = load();
  ASSERT_TRUE(suite.ok()) << suite.status().message();
  ASSERT_GE(suite->cases.size(), 150u);
  auto db = Database::open(*dir_ + "/demo.db");
  ASSERT_TRUE(db.ok());
  for (const auto& c : suite->cases) {
    auto rows = (*db)->execute(c.gold_sql, {.timeout_ms = 30000, .max_rows = 100000});
    ASSERT_TRUE(rows.ok()) << c.id << " " << c.question << ": " << rows.status().message();
    EXPECT_FALSE(rows->rows.empty()) << c.id << " " << c.question;
    EXPECT_FALSE(rows->truncated) << c.id;
    if (!rows->rows.empty()) EXPECT_FALSE(rows->rows[0][0].is_null()) << c.id << " " << c.question;
  }
}

TEST_F(DemoSuiteTest, QuestionsAreDistinctAndCategoriesCoverTheIssue) {
  auto suite = load();
  ASSERT_TRUE(suite.ok());
  std::set<std::string> questions;
  std::map<std::string, int> categories, hardness;
  for (const auto& c : suite->cases) {
    EXPECT_TRUE(questions.insert(c.question).second) << "duplicate question: " << c.question;
    EXPECT_EQ(c.db_id, "demo");
    categories[c.category]++;
    hardness[c.hardness]++;
  }
  for (const char* cat : {"total", "average", "count", "group", "top_k", "bottom_k", "filter", "date_range", "yoy",
                          "having", "active", "never"}) {
    EXPECT_GE(categories[cat], 8) << cat;
  }
  for (const char* h : {"easy", "medium", "hard", "extra"}) EXPECT_GE(hardness[h], 10) << h;
}

// The design documents' example questions are in the suite, and the project's
// own example SQL for them gives the same result as the suite's gold.
TEST_F(DemoSuiteTest, CoversTheDesignDocumentExamples) {
  auto suite = load();
  ASSERT_TRUE(suite.ok());
  auto db = Database::open(*dir_ + "/demo.db");
  ASSERT_TRUE(db.ok());
  for (const auto& example : demo_example_queries()) {
    const EvalCase* found = nullptr;
    for (const auto& c : suite->cases) {
      if (c.question == example.question) found = &c;
    }
    ASSERT_NE(found, nullptr) << example.question;
    auto gold = (*db)->execute(found->gold_sql);
    auto theirs = (*db)->execute(example.sql);
    ASSERT_TRUE(gold.ok() && theirs.ok());
    // The examples round to cents; the suite does not, so compare at that precision.
    EXPECT_TRUE(compare_results(*gold, *theirs, {.ordered = false, .rel_tolerance = 1e-8}).equal) << example.question;
  }
}

}  // namespace
}  // namespace t2sql
