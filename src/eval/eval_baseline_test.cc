#include "eval/eval_baseline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "eval/eval_report.h"
#include "eval/gold_generator.h"
#include "testing/scratch_sqlite.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

// Two real runs over a scratch SQLite database whose answers differ: the
// first is written as an `eval --json` report and read back as the baseline.
class EvalBaselineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("t2sql_baseline_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_EQ(testing::write_sqlite(dir_ / "shop.db",
                                    "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, price REAL);"
                                    "INSERT INTO items VALUES (1,'pen',1.5),(2,'desk',120),(3,'chair',80);"),
              "");
    suite_.name = "shop";
    auto add = [&](const std::string& id, const std::string& question, const std::string& gold) {
      EvalCase c;
      c.id = id;
      c.db_id = "shop";
      c.db_uri = "sqlite://" + (dir_ / "shop.db").string();
      c.question = question;
      c.gold_sql = gold;
      c.gold_alternatives = {gold};
      c.hardness = "easy";
      suite_.cases.push_back(c);
    };
    add("shop:1", "how many items", "SELECT count(*) FROM items");
    add("shop:2", "most expensive item", "SELECT name FROM items ORDER BY price DESC LIMIT 1");
    add("shop:3", "total price", "SELECT sum(price) FROM items");
    add("shop:4", "cheapest item", "SELECT name FROM items ORDER BY price LIMIT 1");
    add("shop:5", "item names", "SELECT name FROM items");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A real run in which the generator answers with `answers` (question -> SQL).
  EvalRun run(const std::map<std::string, std::string>& answers, const std::string& mode = "template") {
    EvalGeneratorFactory factory = [answers](const Catalog&, Database*) -> Result<std::unique_ptr<Generator>> {
      return std::unique_ptr<Generator>(new GoldGenerator(answers));
    };
    auto r = run_evaluation(suite_, factory, {.mode = mode, .progress = false});
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(*r) : EvalRun{};
  }

  std::string write_report(const std::vector<const EvalRun*>& runs, const std::string& name) {
    std::vector<EvalSummary> summaries;
    for (const EvalRun* r : runs) summaries.push_back(summarize(*r));
    std::string path = (dir_ / name).string();
    std::ofstream(path) << report_json(summaries, runs, true);
    return path;
  }

  std::string write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
  BenchmarkSuite suite_;
};

std::vector<std::string> ids(const std::vector<BaselineChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.id);
  return out;
}

// Before: 1, 2, 3 right, 4 wrong, 5 unanswered. Now: 1 right as before, 2
// wrong, 3 unanswered, 4 and 5 right.
TEST_F(EvalBaselineTest, CountsGainedLostAndChangedQuestionByQuestion) {
  EvalRun before = run({{"how many items", "SELECT count(*) FROM items"},
                        {"most expensive item", "SELECT name FROM items ORDER BY price DESC LIMIT 1"},
                        {"total price", "SELECT sum(price) FROM items"},
                        {"cheapest item", "SELECT name FROM items ORDER BY price DESC LIMIT 1"}});
  EvalRun now = run({{"how many items", "SELECT count(*) FROM items"},
                     {"most expensive item", "SELECT name FROM items ORDER BY price LIMIT 1"},
                     {"cheapest item", "SELECT name FROM items ORDER BY price LIMIT 1"},
                     {"item names", "SELECT name FROM items"}});
  auto baseline = load_eval_baseline(write_report({&before}, "before.json"));
  ASSERT_TRUE(baseline.ok()) << baseline.status().message();
  EXPECT_EQ(baseline->suite, "shop");
  ASSERT_EQ(baseline->modes.size(), 1u);
  EXPECT_EQ(baseline->modes[0].metrics.correct, 3);
  EXPECT_DOUBLE_EQ(baseline->modes[0].metrics.execution_accuracy, 0.6);
  ASSERT_TRUE(check_baseline_matches(*baseline, suite_, {"template"}).ok());

  auto cmp = compare_with_baseline(*baseline, {&now});
  ASSERT_TRUE(cmp.ok()) << cmp.status().message();
  ASSERT_EQ(cmp->size(), 1u);
  const BaselineComparison& c = cmp->front();
  EXPECT_EQ(c.matched, 5);
  EXPECT_EQ(c.only_now, 0);
  EXPECT_EQ(c.only_before, 0);
  EXPECT_EQ(ids(c.gained), (std::vector<std::string>{"shop:4", "shop:5"}));
  EXPECT_EQ(ids(c.lost), (std::vector<std::string>{"shop:2", "shop:3"}));
  EXPECT_EQ(c.changed_sql, 4);  // all but the first
  EXPECT_EQ(c.lost[0].before_sql, "SELECT name FROM items ORDER BY price DESC LIMIT 1");
  EXPECT_EQ(c.lost[0].now_sql, "SELECT name FROM items ORDER BY price LIMIT 1");
  EXPECT_FALSE(c.lost[0].reason.empty());
  EXPECT_TRUE(c.lost[1].now_sql.empty());  // abstained now

  // The terminal table names every lost question and limits the gained ones.
  std::vector<EvalSummary> summaries = {summarize(now)};
  std::string table = baseline_table(summaries, *cmp, 1);
  EXPECT_NE(table.find("60.0% -> 60.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("gained 2, lost 2, changed SQL 4"), std::string::npos) << table;
  EXPECT_NE(table.find("most expensive item"), std::string::npos) << table;
  EXPECT_NE(table.find("total price"), std::string::npos) << table;
  EXPECT_NE(table.find("cheapest item"), std::string::npos) << table;  // the first gained
  EXPECT_EQ(table.find("item names"), std::string::npos) << table;     // beyond the limit

  // The JSON report carries the comparison.
  auto j = nlohmann::json::parse(report_json(summaries, {&now}, true, *cmp));
  ASSERT_TRUE(j.contains("baseline"));
  EXPECT_EQ(j["baseline"]["gained"], 2);
  EXPECT_EQ(j["baseline"]["lost"], 2);
  EXPECT_EQ(j["baseline"]["changed_sql"], 4);
  EXPECT_EQ(j["baseline"]["lost_ids"], nlohmann::json({"shop:2", "shop:3"}));
  EXPECT_DOUBLE_EQ(j["baseline"]["before"]["execution_accuracy"].get<double>(), 0.6);
}

// Several modes: each is compared with the baseline's mode of the same name,
// whatever the order; questions only one side has are counted, not compared.
TEST_F(EvalBaselineTest, ComparesEachModeWithItsOwnAndCountsUnmatchedQuestions) {
  std::map<std::string, std::string> all, none;
  for (const auto& c : suite_.cases) all[c.question] = c.gold_sql;
  EvalRun a_before = run(all, "a"), b_before = run(none, "b");
  auto baseline = load_eval_baseline(write_report({&a_before, &b_before}, "before.json"));
  ASSERT_TRUE(baseline.ok()) << baseline.status().message();
  ASSERT_EQ(baseline->modes.size(), 2u);

  suite_.cases.erase(suite_.cases.begin());  // the first question is gone now
  EvalCase extra = suite_.cases.back();
  extra.id = "shop:6";
  suite_.cases.push_back(extra);  // and one is new
  EvalRun b_now = run(all, "b"), a_now = run(none, "a");
  auto cmp = compare_with_baseline(*baseline, {&b_now, &a_now});
  ASSERT_TRUE(cmp.ok()) << cmp.status().message();
  ASSERT_EQ(cmp->size(), 2u);
  EXPECT_EQ((*cmp)[0].mode, "b");
  EXPECT_EQ((*cmp)[0].gained.size(), 4u);
  EXPECT_EQ((*cmp)[0].lost.size(), 0u);
  EXPECT_EQ((*cmp)[1].mode, "a");
  EXPECT_EQ((*cmp)[1].lost.size(), 4u);
  EXPECT_EQ((*cmp)[1].gained.size(), 0u);
  for (const auto& c : *cmp) {
    EXPECT_EQ(c.matched, 4);
    EXPECT_EQ(c.only_now, 1);
    EXPECT_EQ(c.only_before, 1);
  }
}

TEST_F(EvalBaselineTest, RefusesFilesThatAreNotAReportOfThisSuiteAndModes) {
  EXPECT_EQ(load_eval_baseline((dir_ / "missing.json").string()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(load_eval_baseline(dir_.string()).status().code(), StatusCode::kInvalidArgument);
  for (const char* text : {"not json", "[1, 2]", "{\"suite\": \"shop\", \"mode\": \"template\"}",
                           "{\"n\": 3, \"cases\": []}",
                           "{\"suite\": \"shop\", \"mode\": \"template\", \"cases\": [{\"id\": \"shop:1\"}]}"}) {
    auto b = load_eval_baseline(write("bad.json", text));
    EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(b.status().message().find("bad.json"), std::string::npos) << b.status().message();
  }

  EvalRun before = run({});
  auto baseline = load_eval_baseline(write_report({&before}, "before.json"));
  ASSERT_TRUE(baseline.ok()) << baseline.status().message();
  // Another mode set.
  Status s = check_baseline_matches(*baseline, suite_, {"template", "llm"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("modes"), std::string::npos) << s.message();
  EvalRun llm = run({}, "llm");
  EXPECT_FALSE(compare_with_baseline(*baseline, {&llm}).ok());
  // Another suite name.
  BenchmarkSuite other = suite_;
  other.name = "spider";
  s = check_baseline_matches(*baseline, other, {"template"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("suite"), std::string::npos) << s.message();
  // The same name, no question in common (another suite file).
  other = suite_;
  for (auto& c : other.cases) c.question += " please";
  s = check_baseline_matches(*baseline, other, {"template"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no question"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace t2sql
