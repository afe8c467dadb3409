// `t2sql ask` as a user runs it, with the real template engine over the demo
// warehouse. Results are checked against the design documents' example SQL
// run on the same database, not against numbers written here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "test_support.h"

namespace t2sql::testing {
namespace {

using nlohmann::json;

// The rows of `sql` on the demo warehouse, as JSON arrays, for comparison.
json expected_rows(const std::string& sql) {
  auto db = Database::open(demo_db());
  auto rows = (*db)->execute(sql);
  EXPECT_TRUE(rows.ok());
  json out = json::array();
  for (const auto& row : rows->rows) {
    json r = json::array();
    for (const auto& v : row) {
      if (v.is_null())
        r.push_back(nullptr);
      else if (v.is_number())
        r.push_back(v.as_double());
      else
        r.push_back(v.to_string());
    }
    out.push_back(r);
  }
  return out;
}

json as_numbers(const json& rows) {
  json out = json::array();
  for (const auto& row : rows) {
    json r = json::array();
    for (const auto& v : row) r.push_back(v.is_number() ? json(v.get<double>()) : v);
    out.push_back(r);
  }
  return out;
}

TEST(AskCommand, JsonAnswerMatchesTheDesignExample) {
  const DemoQuery q = demo_example_queries()[0];  // total sales in 2023
  RunResult r = run_t2sql({"ask", q.question, "--db", demo_db(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["answered"], true);
  EXPECT_FALSE(j["sql"].get<std::string>().empty());
  EXPECT_EQ(j["columns"].size(), 1u);
  EXPECT_EQ(j["stages"].size(), 9u);
  json got = as_numbers(j["rows"]);
  json want = expected_rows(q.sql);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NEAR(got[0][0].get<double>(), want[0][0].get<double>(), 0.01);
  EXPECT_NE(j["answer"].get<std::string>().find("2023"), std::string::npos) << j["answer"];
}

TEST(AskCommand, TablePrintsSqlRowsStagesAndTime) {
  RunResult r = run_t2sql({"ask", demo_example_queries()[3].question, "--db", demo_db()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SQL:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(5 rows)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stages: intent"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" ms"), std::string::npos);
}

TEST(AskCommand, CsvAndMarkdown) {
  RunResult csv = run_t2sql({"ask", demo_example_queries()[3].question, "--db", demo_db(), "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 6);  // header + 5 rows, nothing else
  RunResult md = run_t2sql({"ask", demo_example_queries()[3].question, "--db", demo_db(), "--format", "markdown"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("```sql"), std::string::npos);
  EXPECT_NE(md.out.find("| --- |"), std::string::npos) << md.out;
}

TEST(AskCommand, RefusalExitsNonZeroAndChangesNothing) {
  auto before = expected_rows("SELECT COUNT(*) FROM sales");
  RunResult r = run_t2sql({"ask", "delete all sales from 2023", "--db", demo_db(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  json j = json::parse(r.out);
  EXPECT_EQ(j["answered"], false);
  EXPECT_EQ(j["intent"], "refused");
  EXPECT_FALSE(j["reason"].get<std::string>().empty());
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r.err;
  EXPECT_EQ(expected_rows("SELECT COUNT(*) FROM sales"), before);
}

TEST(AskCommand, AbstentionExitsNonZeroWithAReason) {
  RunResult r = run_t2sql({"ask", "zxqv wobble frombulate the quux", "--db", demo_db(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  json j = json::parse(r.out);
  EXPECT_EQ(j["answered"], false);
  EXPECT_FALSE(j["reason"].get<std::string>().empty());
}

TEST(AskCommand, ChartAsVegaLiteAndSvg) {
  std::string dir = temp_dir("ask_chart");
  std::string spec = dir + "/stores.vl.json", svg = dir + "/stores.svg";
  const std::string question = demo_example_queries()[3].question;  // active stores by region
  ASSERT_EQ(run_t2sql({"ask", question, "--db", demo_db(), "--chart", spec}).exit_code, 0);
  json vl = json::parse(read_file(spec));
  EXPECT_EQ(vl["$schema"], "https://vega.github.io/schema/vega-lite/v5.json");
  EXPECT_EQ(vl["mark"]["type"], "bar");
  EXPECT_EQ(vl["data"]["values"].size(), 5u);
  ASSERT_EQ(run_t2sql({"ask", question, "--db", demo_db(), "--chart", svg}).exit_code, 0);
  std::string image = read_file(svg);
  EXPECT_EQ(image.rfind("<?xml", 0), 0u);
  EXPECT_NE(image.find("</svg>"), std::string::npos);
  RunResult bad = run_t2sql({"ask", question, "--db", demo_db(), "--chart", dir + "/chart.png"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(".svg"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir + "/chart.png"));
}

TEST(AskCommand, FollowUpThroughASessionFile) {
  std::string session = temp_dir("ask_session") + "/conversation.json";
  RunResult first =
      run_t2sql({"ask", "What were total sales in 2023?", "--db", demo_db(), "--session", session, "--format", "json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  RunResult second = run_t2sql({"ask", "and in 2024?", "--db", demo_db(), "--session", session, "--format", "json"});
  ASSERT_EQ(second.exit_code, 0) << second.err << second.out;
  json a = json::parse(first.out), b = json::parse(second.out);
  EXPECT_EQ(b["follow_up"], true);
  EXPECT_NE(b["effective_question"].get<std::string>().find("2024"), std::string::npos);
  auto want = expected_rows("SELECT ROUND(SUM(amount), 2) FROM sales WHERE strftime('%Y', sale_date) = '2024'");
  EXPECT_NEAR(as_numbers(b["rows"])[0][0].get<double>(), want[0][0].get<double>(), 0.01);
  EXPECT_NE(a["rows"], b["rows"]);
}

TEST(AskCommand, BadOptionsAreClearErrors) {
  RunResult mode = run_t2sql({"ask", "total sales", "--db", demo_db(), "--mode", "magic"});
  EXPECT_EQ(mode.exit_code, 2);  // a wrong command line
  EXPECT_NE(mode.err.find("--mode: magic not in"), std::string::npos) << mode.err;
  RunResult stage = run_t2sql({"ask", "total sales", "--db", demo_db(), "--disable-stage", "nonsense"});
  EXPECT_EQ(stage.exit_code, 1);
  EXPECT_NE(stage.err.find("unknown stage 'nonsense'"), std::string::npos);
  RunResult both = run_t2sql({"ask", "total sales", "--db", demo_db(), "--rag", "--no-rag"});
  EXPECT_EQ(both.exit_code, 1);
  RunResult empty = run_t2sql({"ask", "", "--db", demo_db()});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("empty"), std::string::npos) << empty.err;
}

}  // namespace
}  // namespace t2sql::testing
