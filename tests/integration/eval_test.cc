// `t2sql eval` run as a user would.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace t2sql::testing {
namespace {

namespace fs = std::filesystem;

void expect_summary_fields(const nlohmann::json& j) {
  for (const char* f : {"n", "execution_accuracy", "execution_rate", "answered_rate", "answered_accuracy",
                        "exact_set_match", "latency_ms", "by_hardness", "by_category"}) {
    EXPECT_TRUE(j.contains(f)) << f;
  }
  EXPECT_TRUE(j["latency_ms"].contains("p50"));
  EXPECT_TRUE(j["latency_ms"].contains("p95"));
}

// The template engine on the first 20 demo questions.
TEST(EvalCommandTest, DemoSuiteWithTheTemplateEngineWritesJson) {
  std::string dir = temp_dir("eval_template");
  auto r = run_t2sql({"eval", "--suite", "demo", "--limit", "20", "--db", demo_db(), "--json", dir + "/out.json",
                      "--markdown", dir + "/out.md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_file(dir + "/out.json"));
  expect_summary_fields(j);
  EXPECT_EQ(j["n"], 20);
  EXPECT_EQ(j["mode"], "template");
  EXPECT_EQ(j["cases"].size(), 20u);
  double ea = j["execution_accuracy"];
  EXPECT_GE(ea, 0.0);
  EXPECT_LE(ea, 1.0);
  EXPECT_LE(ea, j["execution_rate"].get<double>());
  EXPECT_LE(j["execution_rate"].get<double>(), j["answered_rate"].get<double>());
  EXPECT_NE(read_file(dir + "/out.md").find("# Evaluation: demo"), std::string::npos);
}

// The suite's own SQL scores 100%: checks suite, comparison and reports end to end.
TEST(EvalCommandTest, GoldModeScoresEverythingAndReportsSideBySide) {
  std::string dir = temp_dir("eval_gold");
  auto r = run_t2sql({"eval", "--suite", "demo", "--mode", "gold,gold", "--limit", "12", "--jobs", "2", "--db",
                      demo_db(), "--json", dir + "/out.json", "--markdown", dir + "/out.md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("execution accuracy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("100.0%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("by hardness"), std::string::npos) << r.out;
  // Not a terminal: plain progress lines, never carriage returns.
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  auto j = nlohmann::json::parse(read_file(dir + "/out.json"));
  expect_summary_fields(j);
  EXPECT_EQ(j["n"], 12);
  EXPECT_DOUBLE_EQ(j["execution_accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["answered_accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["exact_set_match"].get<double>(), 1.0);
  ASSERT_EQ(j["modes"].size(), 2u);
  for (const auto& m : j["modes"]) {
    expect_summary_fields(m);
    EXPECT_EQ(m["cases"].size(), 12u);
  }
  EXPECT_FALSE(j["by_category"].empty());
  std::string md = read_file(dir + "/out.md");
  EXPECT_NE(md.find("failures (0)"), std::string::npos) << md;
}

TEST(EvalCommandTest, JsonlSuiteSetsAsideBrokenGoldQueries) {
  std::string dir = temp_dir("eval_jsonl");
  fs::copy_file(demo_db(), dir + "/shop.db");
  // A gold query that fails is set aside and named, not counted as a miss.
  std::ofstream(dir + "/suite.jsonl")
      << "{\"db\": \"shop.db\", \"question\": \"How many brands?\", \"sql\": \"SELECT COUNT(*) FROM brands\"}\n"
      << "{\"db\": \"shop.db\", \"question\": \"Broken\", \"sql\": \"SELECT nope FROM brands\"}\n";
  auto r = run_t2sql(
      {"eval", "--suite", "jsonl", "--data", dir + "/suite.jsonl", "--mode", "gold", "--json", dir + "/out.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("gold query failed"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(read_file(dir + "/out.json"));
  EXPECT_EQ(j["n"], 1);
  EXPECT_EQ(j["gold_errors"], 1);
}

TEST(EvalCommandTest, SpiderSuiteLoadsFromSharedData) {
  const char* env = std::getenv("T2SQL_SHARED_DIR");
  std::string data =
      (env && *env ? std::string(env) : std::string(T2SQL_SOURCE_DIR) + "/../shared") + "/data/spider-dev-open";
  if (!fs::exists(data + "/dev.json")) GTEST_SKIP() << "no shared Spider data";
  std::string dir = temp_dir("eval_spider");
  auto r = run_t2sql(
      {"eval", "--suite", "spider", "--data", data, "--mode", "gold", "--limit", "25", "--json", dir + "/out.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_file(dir + "/out.json"));
  EXPECT_EQ(j["n"], 25);
  EXPECT_DOUBLE_EQ(j["execution_accuracy"].get<double>(), 1.0);
  EXPECT_FALSE(j["by_hardness"].empty());
}

// defog's SQLite question files name databases that ship as PostgreSQL dumps:
// scripts/defog_sqlite.sh converts them, and every gold query then runs.
TEST(EvalCommandTest, DefogSuiteOnDumpsConvertedToSqlite) {
  const char* env = std::getenv("T2SQL_SHARED_DIR");
  std::string data = (env && *env ? std::string(env) : std::string(T2SQL_SOURCE_DIR) + "/../shared") + "/data/defog";
  if (!fs::exists(data + "/postgres")) GTEST_SKIP() << "no shared defog data";
  if (!fs::exists("/usr/lib/postgresql/15/bin/initdb")) GTEST_SKIP() << "PostgreSQL 15 is not installed";
  std::string dir = temp_dir("eval_defog");
  std::string cmd = "bash '" + std::string(T2SQL_SOURCE_DIR) + "/scripts/defog_sqlite.sh' '" + data + "' '" + dir +
                    "/db' broker >'" + dir + "/log' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(dir + "/log");
  auto r = run_t2sql({"eval", "--suite", "defog", "--data", data, "--defog-db-uri", dir + "/db/{db}.sqlite", "--mode",
                      "gold", "--json", dir + "/out.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_file(dir + "/out.json"));
  // broker: 10 basic and 16 advanced questions; the other three databases
  // were not converted here and are skipped.
  EXPECT_EQ(j["n"], 26);
  EXPECT_EQ(j["skipped"], 78);
  EXPECT_EQ(j["gold_errors"], 0);
  EXPECT_DOUBLE_EQ(j["execution_accuracy"].get<double>(), 1.0);
  EXPECT_TRUE(j["by_category"].contains("basic_left_join"));
}

// --baseline: a real run's report, altered so that one question the engine
// gets right was wrong before and one it gets wrong was right, is compared
// with a second real run question by question.
TEST(EvalCommandTest, BaselineCountsGainedAndLostQuestions) {
  std::string dir = temp_dir("eval_baseline");
  fs::copy_file(demo_db(), dir + "/shop.db");
  std::ofstream(dir + "/suite.jsonl")
      << "{\"db\": \"shop.db\", \"question\": \"What were total sales in 2023?\", \"sql\": "
         "\"SELECT SUM(amount) FROM sales WHERE strftime('%Y', sale_date) = '2023'\"}\n"
      << "{\"db\": \"shop.db\", \"question\": \"How much did we sell in total?\", \"sql\": \"SELECT SUM(amount) "
         "FROM sales\"}\n"
      << "{\"db\": \"shop.db\", \"question\": \"How many brands are there?\", \"sql\": \"SELECT COUNT(*) FROM "
         "brands\"}\n"
      << "{\"db\": \"shop.db\", \"question\": \"Sing me a song about penguins\", \"sql\": \"SELECT COUNT(*) FROM "
         "brands\"}\n";
  auto first = run_t2sql({"eval", "--suite", "jsonl", "--data", dir + "/suite.jsonl", "--quiet", "--json",
                          dir + "/first.json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto before = nlohmann::json::parse(read_file(dir + "/first.json"));
  ASSERT_EQ(before["cases"].size(), 4u);
  // What the test relies on: the engine answers the first three right and not the fourth.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(before["cases"][i]["correct"].get<bool>()) << before["cases"][i];
  ASSERT_FALSE(before["cases"][3]["correct"].get<bool>()) << before["cases"][3];
  before["cases"][0]["correct"] = false;
  before["cases"][0]["predicted_sql"] = "SELECT 0";
  before["cases"][3]["correct"] = true;
  before["cases"][3]["predicted_sql"] = "SELECT COUNT(*) FROM brands";
  std::ofstream(dir + "/before.json") << before.dump(2);

  auto r = run_t2sql({"eval", "--suite", "jsonl", "--data", dir + "/suite.jsonl", "--quiet", "--baseline",
                      dir + "/before.json", "--json", dir + "/after.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("gained 1, lost 1, changed SQL 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Sing me a song about penguins"), std::string::npos) << r.out;  // the lost one
  EXPECT_NE(r.out.find("SELECT COUNT(*) FROM brands"), std::string::npos) << r.out;    // its SQL before
  EXPECT_NE(r.out.find("What were total sales in 2023?"), std::string::npos) << r.out;  // the gained one
  auto after = nlohmann::json::parse(read_file(dir + "/after.json"));
  ASSERT_TRUE(after.contains("baseline")) << after.dump();
  EXPECT_EQ(after["baseline"]["gained"], 1);
  EXPECT_EQ(after["baseline"]["lost"], 1);
  EXPECT_EQ(after["baseline"]["changed_sql"], 2);
  EXPECT_EQ(after["baseline"]["lost_ids"], nlohmann::json::array({before["cases"][3]["id"]}));
  EXPECT_EQ(after["baseline"]["gained_ids"], nlohmann::json::array({before["cases"][0]["id"]}));

  // Refused before any question runs, nothing written: a missing file, a file
  // that is not a report with cases, a report of other modes or another suite.
  std::ofstream(dir + "/not_report.json") << "{\"suite\": \"suite\", \"n\": 4}";
  std::string out_dir = temp_dir("eval_baseline_out");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> bad = {
      {{"--suite", "jsonl", "--data", dir + "/suite.jsonl", "--baseline", dir + "/missing.json"}, "does not exist"},
      {{"--suite", "jsonl", "--data", dir + "/suite.jsonl", "--baseline", dir + "/not_report.json"}, "with cases"},
      {{"--suite", "jsonl", "--data", dir + "/suite.jsonl", "--mode", "gold", "--baseline", dir + "/before.json"},
       "modes"},
      {{"--suite", "demo", "--db", demo_db(), "--baseline", dir + "/before.json"}, "suite"},
      {{"--suite", "spider", "--data", dir, "--retrieval-only", "--baseline", dir + "/before.json"}, "--baseline"},
  };
  for (auto& c : bad) {
    std::vector<std::string> args = {"eval"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--quiet", "--json", out_dir + "/out.json"});
    auto bad_run = run_t2sql(args);
    EXPECT_EQ(bad_run.exit_code, 1) << c.message << ": " << bad_run.out;
    EXPECT_NE(bad_run.err.find(c.message), std::string::npos) << bad_run.err;
    EXPECT_EQ(bad_run.out.find("execution accuracy"), std::string::npos) << bad_run.out;  // nothing ran
  }
  EXPECT_TRUE(fs::is_empty(out_dir));
}

// bench/eval_suites.sh end to end on one analyst suite, then again against
// the first run's reports as its baseline folder.
TEST(EvalCommandTest, EvalSuitesScriptComparesWithABaselineFolder) {
  std::string dir = temp_dir("eval_suites");
  std::string build = fs::path(T2SQL_BINARY).parent_path().string();
  auto script = [&](const std::string& args) {
    std::string cmd = "cd '" + dir + "' && XDG_DATA_HOME='" + dir + "/xdg' SUITES=analyst bash '" +
                      std::string(T2SQL_SOURCE_DIR) + "/bench/eval_suites.sh' '" + build + "' " + args +
                      " >script.txt 2>&1";
    int rc = std::system(cmd.c_str());
    return std::make_pair(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_file(dir + "/script.txt"));
  };
  auto [rc, out] = script("first");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("[analyst] EX "), std::string::npos) << out;
  auto first = nlohmann::json::parse(read_file(dir + "/first/analyst.json"));
  EXPECT_EQ(first["mode"], "template");
  EXPECT_GT(first["n"].get<int>(), 0);

  std::tie(rc, out) = script("second first");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("gained 0, lost 0, changed SQL 0"), std::string::npos) << out;
  auto second = nlohmann::json::parse(read_file(dir + "/second/analyst.json"));
  EXPECT_EQ(second["baseline"]["matched"], first["n"]);

  std::tie(rc, out) = script("third missing");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("does not exist"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir + "/third"));
}

TEST(EvalCommandTest, BadInputIsAOneLineErrorAndWritesNothing) {
  std::string dir = temp_dir("eval_bad");
  struct Case {
    std::vector<std::string> args;
    std::string message;
    int exit_code;
  };
  std::vector<Case> cases = {
      {{"eval", "--suite", "bogus"}, "--suite", 2},
      {{"eval", "--suite", "spider"}, "needs --data", 1},
      {{"eval", "--suite", "spider", "--data", dir + "/missing"}, "does not exist", 1},
      {{"eval", "--suite", "demo", "--jobs", "0"}, "--jobs", 2},
      {{"eval", "--suite", "demo", "--mode", "magic"}, "unknown --mode", 2},
      {{"eval", "--suite", "demo", "--json", dir + "/no/such/folder/out.json"}, "does not exist", 1},
      {{"eval", "--suite", "jsonl", "--data", dir + "/empty.jsonl"}, "does not exist", 1},
      {{"eval", "--suite", "demo", "--baseline-gained", "3"}, "needs --baseline", 1},
      {{"eval"}, "--suite", 2},
  };
  for (const auto& c : cases) {
    auto r = run_t2sql(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args.back() << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

}  // namespace
}  // namespace t2sql::testing
