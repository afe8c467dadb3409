#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

#include "chart/column_profile.h"
#include "t2sql/chart.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

// Results come from the real demo warehouse, so that column types are what
// the SQLite layer reports, not what a test assumes.
class ChartTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = ::testing::TempDir() + "/chart_test_demo.db";
    ASSERT_TRUE(create_demo_warehouse(path_, true).ok());
  }
  ResultSet query(const std::string& sql) {
    auto db = Database::open(path_);
    EXPECT_TRUE(db.ok());
    auto rows = (*db)->execute(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    return rows.ok() ? *rows : ResultSet{};
  }
  static std::string path_;
};
std::string ChartTest::path_;

TEST_F(ChartTest, CategoryAndMeasureIsBar) {
  auto rows = query(
      "SELECT s.region, SUM(x.amount) AS total FROM sales x JOIN stores s USING (store_id) GROUP BY 1 ORDER BY 2 DESC");
  auto chart = choose_chart(rows, "Total sales by region");
  EXPECT_EQ(chart.kind, ChartKind::kBar);
  EXPECT_EQ(chart.x, "region");
  EXPECT_EQ(chart.y, "total");
}

TEST_F(ChartTest, MonthlySeriesIsLine) {
  auto rows = query("SELECT strftime('%Y-%m', sale_date) AS month, SUM(amount) AS total FROM sales GROUP BY 1");
  auto chart = choose_chart(rows);
  EXPECT_EQ(chart.kind, ChartKind::kLine);
  EXPECT_EQ(chart.x, "month");
  EXPECT_TRUE(chart.x_temporal);
  auto spec = nlohmann::json::parse(chart_to_vega_lite(chart, rows));
  EXPECT_EQ(spec["encoding"]["x"]["type"], "temporal");
  EXPECT_EQ(spec["data"]["values"].size(), 24u);
}

TEST_F(ChartTest, SeriesPerCategoryIsMultiLine) {
  auto rows = query(
      "SELECT strftime('%Y-%m', sale_date) AS month, s.region, SUM(amount) AS total FROM sales x "
      "JOIN stores s USING (store_id) GROUP BY 1, 2");
  auto chart = choose_chart(rows);
  EXPECT_EQ(chart.kind, ChartKind::kMultiLine);
  EXPECT_EQ(chart.color, "region");
}

TEST_F(ChartTest, TwoYearsByRegionIsGroupedBar) {
  auto rows = query(
      "SELECT s.region, CAST(strftime('%Y', sale_date) AS INTEGER) AS year, SUM(amount) AS total FROM sales x "
      "JOIN stores s USING (store_id) GROUP BY 1, 2");
  auto chart = choose_chart(rows, "Sales 2023 vs 2024 by region");
  EXPECT_EQ(chart.kind, ChartKind::kGroupedBar);
  EXPECT_EQ(chart.x, "region");
  EXPECT_EQ(chart.color, "year");
  auto spec = nlohmann::json::parse(chart_to_vega_lite(chart, rows));
  EXPECT_EQ(spec["encoding"]["xOffset"]["field"], "year");
}

TEST_F(ChartTest, YearTotalsAreBarsNotALine) {
  auto rows =
      query("SELECT CAST(strftime('%Y', sale_date) AS INTEGER) AS year, SUM(amount) AS total FROM sales GROUP BY 1");
  auto chart = choose_chart(rows, "Sales comparison 2023 vs 2024");
  EXPECT_EQ(chart.kind, ChartKind::kBar);
  auto spec = nlohmann::json::parse(chart_to_vega_lite(chart, rows));
  // Integer years must not be read as milliseconds since 1970.
  EXPECT_NE(spec["encoding"]["x"]["type"], "temporal");
}

TEST_F(ChartTest, PieOnlyForAFewPartsOfAWhole) {
  auto rows = query("SELECT s.region, SUM(x.amount) AS total FROM sales x JOIN stores s USING (store_id) GROUP BY 1");
  EXPECT_EQ(choose_chart(rows, "Share of sales by region").kind, ChartKind::kPie);
  EXPECT_EQ(choose_chart(rows, "Sales by region").kind, ChartKind::kBar);
  auto many = query("SELECT product_name, unit_price FROM products LIMIT 20");
  EXPECT_NE(choose_chart(many, "share of price by product").kind, ChartKind::kPie);
}

TEST_F(ChartTest, TwoMeasuresIsScatter) {
  auto rows = query(
      "SELECT unit_price, (SELECT SUM(quantity) FROM sales s WHERE s.product_id = p.product_id) AS units "
      "FROM products p");
  auto chart = choose_chart(rows);
  EXPECT_EQ(chart.kind, ChartKind::kScatter);
  EXPECT_EQ(chart.x, "unit_price");
  EXPECT_EQ(chart.y, "units");
}

TEST_F(ChartTest, OneRowOfSeveralMeasuresIsFolded) {
  auto rows = query(
      "SELECT SUM(CASE WHEN sale_date < '2024-01-01' THEN amount END) AS sales_2023, "
      "SUM(CASE WHEN sale_date >= '2024-01-01' THEN amount END) AS sales_2024 FROM sales");
  auto chart = choose_chart(rows);
  EXPECT_EQ(chart.kind, ChartKind::kBar);
  EXPECT_TRUE(chart.folded);
  auto spec = nlohmann::json::parse(chart_to_vega_lite(chart, rows));
  ASSERT_EQ(spec["data"]["values"].size(), 2u);
  EXPECT_EQ(spec["data"]["values"][1]["measure"], "sales_2024");
}

TEST_F(ChartTest, NothingFitsIsTable) {
  EXPECT_EQ(choose_chart(query("SELECT SUM(amount) FROM sales")).kind, ChartKind::kTable);
  EXPECT_EQ(choose_chart(query("SELECT store_name, city FROM stores")).kind, ChartKind::kTable);
  EXPECT_EQ(choose_chart(query("SELECT * FROM sales WHERE 0")).kind, ChartKind::kTable);
  EXPECT_EQ(chart_to_vega_lite(choose_chart(query("SELECT 1 AS x")), query("SELECT 1 AS x")), "");
}

TEST_F(ChartTest, IdsAreCategoriesNotMeasures) {
  auto rows = query("SELECT store_id, COUNT(*) AS n FROM sales GROUP BY 1");
  auto chart = choose_chart(rows);
  EXPECT_EQ(chart.kind, ChartKind::kBar);
  EXPECT_EQ(chart.x, "store_id");
}

TEST_F(ChartTest, VegaLiteSpecIsV5AndEscapesDottedNames) {
  auto rows = query("SELECT region AS \"store.region\", COUNT(*) AS n FROM stores GROUP BY 1");
  auto chart = choose_chart(rows, "Stores by region");
  auto spec = nlohmann::json::parse(chart_to_vega_lite(chart, rows));
  EXPECT_EQ(spec["$schema"], "https://vega.github.io/schema/vega-lite/v5.json");
  EXPECT_EQ(spec["mark"]["type"], "bar");
  EXPECT_EQ(spec["encoding"]["x"]["field"], "store\\.region");
  EXPECT_EQ(spec["title"], "Stores by region");
}

// Counts elements in an SVG text; enough to see that every row was drawn.
size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST_F(ChartTest, SvgDrawsOneBarPerRowAndEscapesText) {
  auto rows = query("SELECT brand_name || ' <&> ' AS brand, brand_id * 10 AS score FROM brands");
  auto chart = choose_chart(rows, "Scores <by> brand & more");
  ASSERT_EQ(chart.kind, ChartKind::kBar);
  std::string svg = render_chart_svg(chart, rows);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(count(svg, "<rect x="), rows.rows.size());
  EXPECT_EQ(svg.find("<&>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;by&gt; brand &amp; more"), std::string::npos);
}

TEST_F(ChartTest, SvgForEveryKind) {
  struct Case {
    const char* sql;
    const char* question;
    ChartKind kind;
    const char* element;
  };
  const Case cases[] = {
      {"SELECT strftime('%Y-%m', sale_date) AS month, SUM(amount) AS total FROM sales GROUP BY 1", "", ChartKind::kLine,
       "<polyline"},
      {"SELECT s.region, SUM(x.amount) AS total FROM sales x JOIN stores s USING (store_id) GROUP BY 1",
       "share by region", ChartKind::kPie, "<path"},
      {"SELECT unit_price, product_id * 1.5 AS w FROM products", "", ChartKind::kScatter, "<circle"},
      {"SELECT SUM(amount) FROM sales", "", ChartKind::kTable, "No chart"},
  };
  for (const auto& c : cases) {
    auto rows = query(c.sql);
    auto chart = choose_chart(rows, c.question);
    EXPECT_EQ(chart.kind, c.kind) << c.sql;
    EXPECT_NE(render_chart_svg(chart, rows).find(c.element), std::string::npos) << c.sql;
  }
}

TEST(ShortNumber, ThreeSignificantDigits) {
  EXPECT_EQ(short_number(12400000), "12.4M");
  EXPECT_EQ(short_number(3210), "3210");
  EXPECT_EQ(short_number(32100), "32.1K");
  EXPECT_EQ(short_number(0.375), "0.375");
  EXPECT_EQ(short_number(-2500000000.0), "-2.5B");
}

}  // namespace
}  // namespace t2sql
