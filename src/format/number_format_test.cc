#include "t2sql/number_format.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "t2sql/format.h"

namespace t2sql {
namespace {

ColumnFormat format_of(const std::string& name, std::vector<Value> values, ValueType declared = ValueType::kText) {
  std::vector<const Value*> ptrs;
  for (const auto& v : values) ptrs.push_back(&v);
  return column_format(name, declared, ptrs);
}

TEST(FormatNumber, RoundsAndGroups) {
  EXPECT_EQ(format_number(15722014.790000608, 2, true), "15,722,014.79");
  EXPECT_EQ(format_number(-1234.5, 2, true), "-1,234.50");
  EXPECT_EQ(format_number(999.999, 2, true), "1,000.00");
  EXPECT_EQ(format_number(100, 0, true), "100");
  EXPECT_EQ(format_number(1000, 0, true), "1,000");
  EXPECT_EQ(format_number(-0.001, 2, true), "0.00");
  EXPECT_EQ(format_number(1234567, 0, false), "1234567");
  EXPECT_EQ(format_number(0.000123, 5, true), "0.00012");
}

TEST(ColumnFormat, MoneyHasTwoDecimalsAndKeepsTrailingZeros) {
  auto f = format_of("total_amount", {Value::real(4016719.4), Value::real(3279139.0)});
  EXPECT_EQ(f.kind, NumberKind::kMoney);
  EXPECT_EQ(format_number_cell(Value::real(4016719.4), f), "4,016,719.40");
  EXPECT_EQ(format_number_cell(Value::real(3279139.0), f), "3,279,139.00");
  EXPECT_EQ(format_of("SUM(s.amount)", {Value::real(1.5)}).kind, NumberKind::kMoney);
  EXPECT_EQ(format_of("revenue", {Value::real(1.5)}).kind, NumberKind::kMoney);
  EXPECT_EQ(format_of("unitPrice", {Value::real(1.5)}).kind, NumberKind::kMoney);
  // An integer money column stays whole.
  auto whole = format_of("price", {Value::integer(1200)});
  EXPECT_EQ(format_number_cell(Value::integer(1200), whole), "1,200");
}

TEST(ColumnFormat, CountsAreIntegersEvenWithAMoneyWord) {
  auto f = format_of("sales_count", {Value::integer(102277)});
  EXPECT_EQ(f.kind, NumberKind::kInteger);
  EXPECT_EQ(format_number_cell(Value::integer(102277), f), "102,277");
  EXPECT_EQ(format_of("COUNT(*)", {Value::integer(5)}).kind, NumberKind::kInteger);
}

TEST(ColumnFormat, IdsYearsAndCodesHaveNoSeparators) {
  for (const char* name : {"store_id", "id", "zip_code", "year", "sale_year", "phone"}) {
    auto f = format_of(name, {Value::integer(20231)});
    EXPECT_EQ(f.kind, NumberKind::kPlain) << name;
    EXPECT_EQ(format_number_cell(Value::integer(20231), f), "20231") << name;
    EXPECT_TRUE(f.right_align) << name;
  }
  EXPECT_EQ(format_of("period", {Value::integer(2023), Value::integer(2024)}).kind, NumberKind::kPlain);
  // A total per year is a measure, not a year.
  EXPECT_EQ(format_of("total_per_year", {Value::integer(20231)}).kind, NumberKind::kInteger);
}

TEST(ColumnFormat, PercentagesGetTheSign) {
  auto f = format_of("pct_of_total", {Value::real(12.345), Value::real(87.655)});
  EXPECT_EQ(f.kind, NumberKind::kPercent);
  EXPECT_EQ(format_number_cell(Value::real(12.345), f), "12.3%");
  auto whole = format_of("percentage", {Value::integer(40), Value::integer(60)});
  EXPECT_EQ(format_number_cell(Value::integer(40), whole), "40%");
  EXPECT_EQ(format_of("share %", {Value::real(0.5)}).kind, NumberKind::kPercent);
}

TEST(ColumnFormat, DecimalsFollowTheMagnitude) {
  auto big = format_of("average_rating", {Value::real(4.2375), Value::real(3.5)});
  EXPECT_EQ(big.kind, NumberKind::kDecimal);
  EXPECT_EQ(format_number_cell(Value::real(4.2375), big), "4.24");
  EXPECT_EQ(format_number_cell(Value::real(3.5), big), "3.50");
  auto small = format_of("ratio", {Value::real(0.000123), Value::real(0.5)});
  EXPECT_EQ(format_number_cell(Value::real(0.000123), small), "0.00012");
  auto whole = format_of("w", {Value::real(3.0), Value::real(12000.0)});
  EXPECT_EQ(format_number_cell(Value::real(12000.0), whole), "12,000");
}

TEST(ColumnFormat, TextNullsAndOddValues) {
  auto text = format_of("region", {Value::text("North"), Value::integer(3)});
  EXPECT_EQ(text.kind, NumberKind::kText);
  EXPECT_FALSE(text.right_align);
  EXPECT_EQ(format_number_cell(Value::integer(3), text), "3");
  auto f = format_of("amount", {Value::null(), Value::real(2.5)});
  EXPECT_EQ(format_number_cell(Value::null(), f), "NULL");
  EXPECT_EQ(format_number_cell(Value::real(std::nan("")), f), "NaN");
  // An empty result still formats by the declared type.
  EXPECT_EQ(format_of("total", {}, ValueType::kReal).kind, NumberKind::kDecimal);
  EXPECT_EQ(format_of("total", {}, ValueType::kText).kind, NumberKind::kText);
  // Integers beyond a double's precision keep every digit.
  auto big = format_of("n", {Value::integer(9223372036854775807LL)});
  EXPECT_EQ(format_number_cell(Value::integer(9223372036854775807LL), big), "9,223,372,036,854,775,807");
  // Booleans are not numbers to round.
  EXPECT_EQ(format_of("flag", {Value::boolean(true)}).kind, NumberKind::kText);
}

TEST(ColumnFormat, TableAndMarkdownRoundCsvAndJsonKeepEveryDigit) {
  ResultSet r;
  r.columns = {"region", "total_amount", "store_id"};
  r.rows = {{Value::text("North"), Value::real(15722014.790000608), Value::integer(1001)},
            {Value::text("South"), Value::real(3279139.0), Value::integer(1002)}};
  std::string table = format_result(r, OutputFormat::kTable);
  EXPECT_NE(table.find("North   15,722,014.79      1001"), std::string::npos) << table;
  EXPECT_NE(table.find("South    3,279,139.00      1002"), std::string::npos) << table;
  std::string md = format_result(r, OutputFormat::kMarkdown);
  EXPECT_NE(md.find("| --- | ---: | ---: |"), std::string::npos) << md;
  EXPECT_NE(md.find("| North | 15,722,014.79 | 1001 |"), std::string::npos) << md;
  EXPECT_NE(format_result(r, OutputFormat::kCsv).find("15722014.790000608"), std::string::npos);
  auto j = nlohmann::json::parse(format_result(r, OutputFormat::kJson));
  EXPECT_EQ(j["rows"][0][1].get<double>(), 15722014.790000608);
}

TEST(ColumnFormat, JsonDescribesEveryColumn) {
  auto j = nlohmann::json::parse(
      column_formats_to_json({format_of("amount", {Value::real(1.5)}), format_of("region", {Value::text("x")})}));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["kind"], "money");
  EXPECT_EQ(j[0]["decimals"], 2);
  EXPECT_EQ(j[0]["thousands"], true);
  EXPECT_EQ(j[0]["align"], "right");
  EXPECT_EQ(j[1]["kind"], "text");
  EXPECT_EQ(j[1]["align"], "left");
}

}  // namespace
}  // namespace t2sql
