#include "eval/eval_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "eval/eval_report.h"
#include "eval/gold_generator.h"
#include "testing/scratch_sqlite.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

// A small real SQLite database for the runner.
class EvalRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("t2sql_runner_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "shop.db").string();
    ASSERT_EQ(testing::write_sqlite(path_,
                                    "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, price REAL, kind TEXT);"
                                    "INSERT INTO items VALUES (1,'pen',1.5,'office'),(2,'desk',120,'furniture'),"
                                    "(3,'chair',80,'furniture'),(4,'clip',0.1,'office');"),
              "");
  }
  void TearDown() override { fs::remove_all(dir_); }

  EvalCase make_case(const std::string& id, const std::string& question, const std::string& gold,
                     const std::string& category = "") {
    EvalCase c;
    c.id = id;
    c.db_id = "shop";
    c.db_uri = "sqlite://" + path_;
    c.question = question;
    c.gold_sql = gold;
    c.gold_alternatives = {gold};
    c.category = category;
    c.hardness = "easy";
    return c;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(EvalRunnerTest, ScoresEveryOutcomeWithItsReason) {
  BenchmarkSuite suite;
  suite.name = "shop";
  suite.cases = {
      make_case("q1", "how many items", "SELECT count(*) FROM items", "count"),
      make_case("q2", "names by price", "SELECT name FROM items ORDER BY price DESC", "order"),
      make_case("q3", "total price", "SELECT SUM(price) FROM items", "sum"),
      make_case("q4", "bad sql", "SELECT name FROM items"),
      make_case("q5", "abstain", "SELECT name FROM items"),
      make_case("q6", "slow", "SELECT count(*) FROM items"),
      make_case("q7", "delete", "SELECT count(*) FROM items"),
      make_case("q8", "broken gold", "SELECT nope FROM items"),
      make_case("q9", "kinds", "SELECT kind, count(*) FROM items GROUP BY kind"),
  };
  std::map<std::string, std::string> answers = {
      {"how many items", "select COUNT(*) from items;"},                // correct, exact match
      {"names by price", "SELECT name FROM items ORDER BY price ASC"},  // wrong order
      {"total price", "SELECT SUM(price) + 0.0000000001 FROM items"},   // within tolerance
      {"bad sql", "SELECT nam FROM items"},                             // execution error
      {"slow", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"},
      {"delete", "DELETE FROM items"},
      {"broken gold", "SELECT name FROM items"},
      {"kinds", "SELECT count(*), kind FROM items GROUP BY kind"},  // column order irrelevant
  };
  EvalGeneratorFactory factory = [&](const Catalog& catalog, Database*) -> Result<std::unique_ptr<Generator>> {
    EXPECT_NE(catalog.find_table("items"), nullptr);
    return std::unique_ptr<Generator>(new GoldGenerator(answers));
  };
  EvalOptions options;
  options.mode = "test";
  options.jobs = 3;
  options.progress = false;
  options.predicted_exec.timeout_ms = 200;
  auto run = run_evaluation(suite, factory, options);
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_EQ(run->cases.size(), 9u);
  const auto& c = run->cases;
  EXPECT_TRUE(c[0].correct);
  EXPECT_TRUE(c[0].exact_match);
  EXPECT_FALSE(c[1].correct);
  EXPECT_TRUE(c[1].executed);
  EXPECT_NE(c[1].reason.find("different order"), std::string::npos) << c[1].reason;
  EXPECT_TRUE(c[2].correct) << c[2].reason;
  EXPECT_FALSE(c[2].exact_match);
  EXPECT_FALSE(c[3].executed);
  EXPECT_NE(c[3].reason.find("execution error"), std::string::npos) << c[3].reason;
  EXPECT_FALSE(c[4].answered);
  EXPECT_NE(c[4].reason.find("abstained"), std::string::npos);
  EXPECT_NE(c[5].reason.find("timed out"), std::string::npos) << c[5].reason;
  EXPECT_NE(c[6].reason.find("refused"), std::string::npos) << c[6].reason;
  EXPECT_FALSE(c[7].gold_ok);
  EXPECT_NE(c[7].reason.find("gold query failed"), std::string::npos);
  EXPECT_TRUE(c[8].correct) << c[8].reason;

  EvalSummary s = summarize(*run);
  EXPECT_EQ(s.gold_errors, 1);
  EXPECT_EQ(s.overall.n, 8);
  EXPECT_EQ(s.overall.correct, 3);
  EXPECT_EQ(s.overall.answered, 7);
  EXPECT_DOUBLE_EQ(s.overall.execution_accuracy, 3.0 / 8);
  EXPECT_DOUBLE_EQ(s.overall.answered_rate, 7.0 / 8);
  EXPECT_DOUBLE_EQ(s.overall.answered_accuracy, 3.0 / 7);
  EXPECT_DOUBLE_EQ(s.overall.execution_rate, 4.0 / 8);  // q1 q2 q3 q9 ran
  EXPECT_EQ(s.by_category.size(), 3u);                  // count, order, sum
}

TEST_F(EvalRunnerTest, LimitAndBadOptions) {
  BenchmarkSuite suite;
  suite.name = "shop";
  for (int i = 0; i < 5; ++i) suite.cases.push_back(make_case("q" + std::to_string(i), "q", "SELECT 1"));
  EvalGeneratorFactory factory = [](const Catalog&, Database*) -> Result<std::unique_ptr<Generator>> {
    return std::unique_ptr<Generator>(new GoldGenerator(std::map<std::string, std::string>{{"q", "SELECT 1"}}));
  };
  auto run = run_evaluation(suite, factory, {.limit = 2, .progress = false});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->cases.size(), 2u);
  EXPECT_TRUE(run->cases[0].correct);
  EXPECT_EQ(run_evaluation(suite, factory, {.jobs = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(run_evaluation(suite, factory, {.limit = -1}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EvalRunnerTest, GeneratorThatCannotBeBuiltIsAReasonNotACrash) {
  BenchmarkSuite suite;
  suite.name = "shop";
  suite.cases = {make_case("q1", "q", "SELECT 1")};
  EvalGeneratorFactory factory = [](const Catalog&, Database*) -> Result<std::unique_ptr<Generator>> {
    return not_found("model file 'x.gguf' does not exist");
  };
  auto run = run_evaluation(suite, factory, {.progress = false});
  ASSERT_TRUE(run.ok());
  EXPECT_FALSE(run->cases[0].answered);
  EXPECT_NE(run->cases[0].reason.find("generator: model file"), std::string::npos) << run->cases[0].reason;
}

// A case's instructions (defog's domain hints) reach the generator with its
// question.
TEST_F(EvalRunnerTest, InstructionsReachTheGenerator) {
  class Recording : public Generator {
   public:
    explicit Recording(std::vector<std::string>* seen) : seen_(seen) {}
    std::string name() const override { return "recording"; }
    Result<GenerationResult> generate(const GenerationRequest& request) override {
      seen_->push_back(request.instructions);
      GenerationResult r;
      r.sql = "SELECT count(*) FROM items";
      r.engine = name();
      return r;
    }

   private:
    std::vector<std::string>* seen_;
  };
  BenchmarkSuite suite;
  suite.name = "shop";
  suite.cases = {make_case("q1", "how many items", "SELECT count(*) FROM items"),
                 make_case("q2", "how many", "SELECT count(*) FROM items")};
  suite.cases[1].instructions = "Items are rows of the items table.";
  std::vector<std::string> seen;
  EvalGeneratorFactory factory = [&](const Catalog&, Database*) -> Result<std::unique_ptr<Generator>> {
    return std::unique_ptr<Generator>(new Recording(&seen));
  };
  auto run = run_evaluation(suite, factory, {.jobs = 1, .progress = false});
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(seen, (std::vector<std::string>{"", "Items are rows of the items table."}));
}

// The judge is asked about answered questions only; an abstention counts as
// judged 0, a judge that fails leaves its question out. Novelty splits the
// questions by whether their gold SQL shape is in the training set.
TEST_F(EvalRunnerTest, JudgeNoveltyAndTheirMetrics) {
  BenchmarkSuite suite;
  suite.name = "shop";
  suite.cases = {
      make_case("q1", "how many items", "SELECT count(*) FROM items"),
      make_case("q2", "cheap names", "SELECT name FROM items WHERE price < 2"),
      make_case("q3", "abstain", "SELECT kind FROM items GROUP BY kind"),
      make_case("q4", "judge fails", "SELECT max(price) FROM items"),
  };
  std::map<std::string, std::string> answers = {
      {"how many items", "SELECT count(*) FROM items"},
      {"cheap names", "SELECT name FROM items WHERE price < 100"},  // runs, wrong rows
      {"judge fails", "SELECT max(price) FROM items"},
  };
  EvalGeneratorFactory factory = [&](const Catalog&, Database*) -> Result<std::unique_ptr<Generator>> {
    return std::unique_ptr<Generator>(new GoldGenerator(answers));
  };
  std::vector<std::string> asked;
  std::mutex mu;
  EvalOptions options;
  options.progress = false;
  options.judge = [&](const EvalCase& c, const std::string& predicted) -> Result<bool> {
    std::lock_guard<std::mutex> lock(mu);
    asked.push_back(c.id);
    if (c.id == "q4") return invalid_argument("the judge answered neither 1 nor 0");
    return predicted == c.gold_sql;
  };
  options.judge_name = "test judge";
  // count(*) over a table is a trained shape (other names), the rest is not.
  options.training_shapes =
      std::make_shared<const TrainingShapes>(TrainingShapes::from_sql({"SELECT count(*) FROM brands"}));
  options.training_set = "train.jsonl";
  auto run = run_evaluation(suite, factory, options);
  ASSERT_TRUE(run.ok());
  const auto& c = run->cases;
  EXPECT_EQ(c[0].judged, 1);
  EXPECT_EQ(c[1].judged, 0);
  EXPECT_EQ(c[2].judged, 0);   // abstained: not asked, counted as not the same
  EXPECT_EQ(c[3].judged, -1);  // the judge failed: left out
  std::sort(asked.begin(), asked.end());
  EXPECT_EQ(asked, (std::vector<std::string>{"q1", "q2", "q4"}));
  EXPECT_EQ(c[0].novel, 0);
  EXPECT_EQ(c[1].novel, 1);
  EXPECT_EQ(c[2].novel, 1);
  EXPECT_EQ(c[3].novel, 1);

  EvalSummary s = summarize(*run);
  EXPECT_EQ(s.overall.judged, 3);
  EXPECT_DOUBLE_EQ(s.overall.judge_accuracy, 1.0 / 3);
  EXPECT_EQ(s.overall.seen, 1);
  EXPECT_DOUBLE_EQ(s.overall.seen_accuracy, 1.0);
  EXPECT_EQ(s.overall.novel, 3);
  EXPECT_EQ(s.overall.novel_correct, 1);  // q4
  EXPECT_DOUBLE_EQ(s.overall.novel_accuracy, 1.0 / 3);
  EXPECT_DOUBLE_EQ(s.overall.prompt_tokens_mean, -1);  // the gold generator has no prompt
  EXPECT_EQ(s.judge_name, "test judge");
  EXPECT_EQ(s.training_set, "train.jsonl");

  std::string table = report_table({s});
  EXPECT_NE(table.find("novel-question handling"), std::string::npos) << table;
  EXPECT_NE(table.find("33.3% of 3"), std::string::npos) << table;
  EXPECT_NE(table.find("judge"), std::string::npos) << table;
  EXPECT_EQ(table.find("prompt tokens"), std::string::npos) << table;
  std::string json = report_json({s}, {&*run}, true);
  EXPECT_NE(json.find("\"novel\": {"), std::string::npos) << json;
  EXPECT_NE(json.find("\"prompt_tokens_mean\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"prompt_tokens_per_try\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"judge_model\": \"test judge\""), std::string::npos) << json;

  // Without a training set or a judge: unknown, not zero.
  auto plain = run_evaluation(suite, factory, {.progress = false});
  ASSERT_TRUE(plain.ok());
  EvalSummary p = summarize(*plain);
  EXPECT_DOUBLE_EQ(p.overall.novel_accuracy, -1);
  EXPECT_DOUBLE_EQ(p.overall.judge_accuracy, -1);
  EXPECT_EQ(report_table({p}).find("novel"), std::string::npos);
  std::string plain_json = report_json({p}, {&*plain}, false);
  EXPECT_NE(plain_json.find("\"novel\": null"), std::string::npos) << plain_json;
}

TEST(GoldIsOrderedTest, OuterOrderByOnly) {
  EXPECT_TRUE(gold_is_ordered("SELECT a FROM t ORDER BY a"));
  EXPECT_FALSE(gold_is_ordered("SELECT a FROM t WHERE a IN (SELECT b FROM u ORDER BY b LIMIT 3)"));
  EXPECT_TRUE(gold_is_ordered("SELECT a FROM t UNION SELECT b FROM u ORDER BY 1"));
  EXPECT_FALSE(gold_is_ordered("SELECT a FROM t"));
}

}  // namespace
}  // namespace t2sql
