#include "train/training_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "train/loss_plot.h"

namespace t2sql::train {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("t2sql_train_data_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(TrainingData, ReadsTheThreeShapes) {
  TrainingExample ex;
  ASSERT_EQ(parse_example_line(R"({"question":"How many?","context":"CREATE TABLE t (a INT);","answer":"SELECT COUNT(*) FROM t;"})", &ex), "");
  EXPECT_EQ(ex.question, "How many?");
  EXPECT_EQ(ex.schema_ddl, "CREATE TABLE t (a INT);");
  EXPECT_EQ(ex.sql, "SELECT COUNT(*) FROM t");  // the final ";" is the prompt builder's business

  ASSERT_EQ(parse_example_line(
                R"({"messages":[{"role":"system","content":"Write SQL.\n\nCREATE TABLE t (a INT);"},{"role":"user","content":"Sum of a"},{"role":"assistant","content":"```sql\nSELECT SUM(a) FROM t;\n```"}]})",
                &ex),
            "");
  EXPECT_EQ(ex.schema_ddl, "CREATE TABLE t (a INT);");
  EXPECT_EQ(ex.question, "Sum of a");
  EXPECT_EQ(ex.sql, "SELECT SUM(a) FROM t");

  ASSERT_EQ(parse_example_line(R"({"question":"q","schema":"CREATE TABLE x (y INT);","sql":"SELECT y FROM x"})", &ex), "");
  EXPECT_EQ(ex.sql, "SELECT y FROM x");
}

TEST(TrainingData, BadLinesAreReportedWithTheirNumbersAndSkipped) {
  const std::string path = write_file("bad.jsonl",
                                      "{\"question\":\"a\",\"context\":\"\",\"answer\":\"SELECT 1\"}\n"
                                      "not json\n"
                                      "\n"
                                      "{\"question\":\"b\",\"context\":\"\"}\n"
                                      "[1,2]\n"
                                      "{\"question\":\"\",\"context\":\"\",\"answer\":\"SELECT 2\"}\n"
                                      "{\"question\":\"c\",\"context\":\"\",\"answer\":\"SELECT 3\"}\n");
  auto loaded = load_jsonl(path, /*reject_bad_lines=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->examples.size(), 2u);
  EXPECT_EQ(loaded->examples[1].source, path + ":7");
  ASSERT_EQ(loaded->problems.size(), 4u);
  EXPECT_EQ(loaded->problems[0].line, 2);
  EXPECT_EQ(loaded->problems[0].message, "not valid JSON");
  EXPECT_EQ(loaded->problems[1].line, 4);
  EXPECT_EQ(loaded->problems[1].message, "missing \"answer\"");
  EXPECT_EQ(loaded->problems[2].line, 5);
  EXPECT_EQ(loaded->problems[3].line, 6);
  EXPECT_EQ(loaded->problems[3].message, "empty question");
}

TEST(TrainingData, StrictModeRejectsTheFirstBadLine) {
  const std::string path = write_file("strict.jsonl",
                                      "{\"question\":\"a\",\"context\":\"\",\"answer\":\"SELECT 1\"}\n"
                                      "{\"question\":\"b\",\"answer\":5}\n");
  auto loaded = load_jsonl(path, /*reject_bad_lines=*/true);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find(path + ":2:"), std::string::npos) << loaded.status().message();
}

TEST(TrainingData, DataFolderNeedsTrainJsonl) {
  const auto dir = std::filesystem::temp_directory_path() / "t2sql_train_data_dir";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  EXPECT_EQ(resolve_data_files(dir.string(), "").status().code(), StatusCode::kNotFound);
  std::ofstream(dir / "train.jsonl") << "\n";
  std::ofstream(dir / "valid.jsonl") << "\n";
  auto files = resolve_data_files(dir.string(), "");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->valid, (dir / "valid.jsonl").string());
}

TEST(LossPlot, DrawsBothSeries) {
  const std::string svg = loss_curve_svg({{1, 3.0}, {2, 2.0}, {3, 1.5}}, {{3, 1.8}}, "loss <test>");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("<circle"), std::string::npos);
  EXPECT_NE(svg.find("loss &lt;test&gt;"), std::string::npos);
}

}  // namespace
}  // namespace t2sql::train
