#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "t2sql/format.h"

namespace t2sql {
namespace {

ResultSet sample() {
  ResultSet r;
  r.columns = {"region", "total"};
  r.rows = {{Value::text("North"), Value::real(12.5)},
            {Value::text("a,\"b\""), Value::integer(7)},
            {Value::null(), Value::null()}};
  return r;
}

TEST(ResultFormat, TableAlignsNumbersRight) {
  std::string t = format_result(sample(), OutputFormat::kTable);
  EXPECT_NE(t.find("region  total"), std::string::npos) << t;
  EXPECT_NE(t.find("North   12.50"), std::string::npos) << t;  // rounded for display
  EXPECT_NE(t.find("7.00"), std::string::npos) << t;
  EXPECT_NE(t.find("(3 rows)"), std::string::npos);
}

TEST(ResultFormat, CsvQuotes) {
  EXPECT_EQ(format_result(sample(), OutputFormat::kCsv), "region,total\nNorth,12.5\n\"a,\"\"b\"\"\",7\n,\n");
}

TEST(ResultFormat, JsonKeepsTypes) {
  auto j = nlohmann::json::parse(format_result(sample(), OutputFormat::kJson));
  EXPECT_EQ(j["columns"][1], "total");
  EXPECT_EQ(j["rows"][0][1], 12.5);
  EXPECT_EQ(j["rows"][1][1], 7);
  EXPECT_TRUE(j["rows"][2][0].is_null());
  EXPECT_EQ(j["row_count"], 3);
}

TEST(ResultFormat, MarkdownEscapesPipes) {
  ResultSet r;
  r.columns = {"a"};
  r.rows = {{Value::text("x|y")}};
  EXPECT_EQ(format_result(r, OutputFormat::kMarkdown), "| a |\n| --- |\n| x\\|y |\n");
}

TEST(ResultFormat, OneHugeCellDoesNotPadEveryRow) {
  ResultSet r;
  r.columns = {"a"};
  r.rows.push_back({Value::text(std::string(1 << 20, 'x'))});
  for (int i = 0; i < 1000; ++i) r.rows.push_back({Value::text("y")});
  std::string out = format_result(r, OutputFormat::kTable);
  EXPECT_LT(out.size(), (1u << 20) + 1000u * 210u);  // linear in the bytes, not rows x widest cell
  EXPECT_NE(out.find(std::string(1 << 20, 'x')), std::string::npos);
}

TEST(ResultFormat, ParsesNames) {
  EXPECT_TRUE(parse_output_format("csv").ok());
  EXPECT_EQ(parse_output_format("xml").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace t2sql
