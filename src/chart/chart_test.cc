#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

#include "chart/chart_layout.h"
#include "chart/column_profile.h"
#include "t2sql/chart.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

// Results come from the real demo warehouse, so that column types are what
// the SQLite layer reports, not what a test assumes.
class ChartTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = t2sql::testing::own_temp_path("chart_test_demo.db");
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

TEST(ReadableColumnName, AggregatesReadAsWords) {
  EXPECT_EQ(readable_column_name("COUNT(DISTINCT active_store.store_id)"), "distinct store id count");
  EXPECT_EQ(readable_column_name("COUNT(*)"), "count");
  EXPECT_EQ(readable_column_name("ROUND(SUM(s.amount), 2)"), "total amount");
  EXPECT_EQ(readable_column_name("AVG(\"unit_price\")"), "average unit price");
  EXPECT_EQ(readable_column_name("total_amount"), "total amount");
  EXPECT_EQ(readable_column_name("unitPrice"), "unit price");
  EXPECT_EQ(readable_column_name("qty"), "quantity");
  EXPECT_EQ(readable_column_name("revenue"), "revenue");
  EXPECT_EQ(readable_column_name("strftime('%Y', sale_date)"), "strftime('%Y', sale_date)");
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

namespace t2sql {
namespace {

// ---- Axes that hold every mark, many categories, words for titles. ----

ResultSet table_of(std::vector<std::string> columns, std::vector<ValueType> types,
                   std::vector<std::vector<Value>> rows) {
  ResultSet r;
  r.columns = std::move(columns);
  r.column_types = std::move(types);
  r.rows = std::move(rows);
  return r;
}

std::vector<double> numbers_in(const std::string& text, const std::string& attribute) {
  std::vector<double> out;
  std::regex re(" " + attribute + "=\"(-?[0-9.]+)\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back(std::stod((*it)[1]));
  return out;
}

// Every bar, point and line vertex of an upright chart lies between the plot's
// top (44 px, under the title) and its bottom.
void expect_marks_inside(const std::string& svg, double top, double bottom, const std::string& what) {
  std::regex rect_re("<rect x=\"[-0-9.]+\" y=\"(-?[0-9.]+)\" width=\"[-0-9.]+\" height=\"(-?[0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), rect_re); it != std::sregex_iterator(); ++it) {
    double y = std::stod((*it)[1]), h = std::stod((*it)[2]);
    EXPECT_GE(y, top - 0.05) << what;
    EXPECT_LE(y + h, bottom + 0.05) << what;
  }
  for (double cy : numbers_in(svg, "cy")) {
    EXPECT_GE(cy, top - 0.05) << what;
    EXPECT_LE(cy, bottom + 0.05) << what;
  }
  std::regex points_re("points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), points_re); it != std::sregex_iterator(); ++it) {
    std::string pts = (*it)[1];
    std::regex pair_re("[-0-9.]+,(-?[0-9.]+)");
    for (auto p = std::sregex_iterator(pts.begin(), pts.end(), pair_re); p != std::sregex_iterator(); ++p) {
      double y = std::stod((*p)[1]);
      EXPECT_GE(y, top - 0.05) << what;
      EXPECT_LE(y, bottom + 0.05) << what;
    }
  }
}

// The Vega-Lite value axis holds every value and ticks where the SVG does.
void expect_spec_domain_holds(const nlohmann::json& spec, const char* channel, double lo, double hi,
                              const std::string& svg, const std::string& what) {
  const auto& enc = spec["encoding"][channel];
  ASSERT_TRUE(enc.contains("scale")) << what << ": " << enc.dump();
  double dlo = enc["scale"]["domain"][0], dhi = enc["scale"]["domain"][1];
  EXPECT_LE(dlo, lo) << what;
  EXPECT_GE(dhi, hi) << what;
  EXPECT_EQ(enc["scale"]["nice"], false) << what;
  const auto& ticks = enc["axis"]["values"];
  ASSERT_GE(ticks.size(), 2u) << what;
  EXPECT_EQ(ticks.front().get<double>(), dlo) << what;
  EXPECT_EQ(ticks.back().get<double>(), dhi) << what;
  // Each tick's label is in the SVG too, and none reads "0M"/"0K".
  std::string expr = enc["axis"]["labelExpr"];
  std::regex label_re("\\? '([^']*)'");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), label_re); it != std::sregex_iterator(); ++it) {
    std::string label = (*it)[1];
    EXPECT_NE(svg.find(">" + label + "</text>"), std::string::npos) << what << ": " << label;
    EXPECT_FALSE(label.size() >= 2 && label[0] == '0' && std::isalpha(static_cast<unsigned char>(label[1])))
        << what << ": " << label;
  }
}

TEST(ChartAxes, EveryKindHoldsValuesJustAboveARoundTick) {
  const double top = 44;
  auto I = ValueType::kInteger, R = ValueType::kReal, T = ValueType::kText;
  std::vector<std::vector<Value>> months;
  for (int m = 1; m <= 12; ++m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "2023-%02d", m);
    months.push_back({Value::text(buf), Value::real(m == 12 ? 4020000.0 : 1000000.0 + m * 250000.0)});
  }
  std::vector<std::vector<Value>> months_by_region;
  for (int m = 1; m <= 6; ++m)
    for (const char* region : {"East", "West"}) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "2024-%02d", m);
      months_by_region.push_back({Value::text(buf), Value::text(region), Value::real(m == 6 ? 2000001.0 : 1.5e6)});
    }
  struct Case {
    std::string what;
    ResultSet rows;
    std::string question;
    ChartKind kind;
    double lo, hi;
  };
  std::vector<Case> cases = {
      {"bar", table_of({"region", "total_amount"}, {T, R},
                       {{Value::text("East"), Value::real(4020000)}, {Value::text("West"), Value::real(3100000)},
                        {Value::text("North"), Value::real(2000500)}, {Value::text("South"), Value::real(1000001)}}),
       "Revenue by region", ChartKind::kBar, 0, 4020000},
      {"negative bar", table_of({"region", "profit"}, {T, R},
                                {{Value::text("East"), Value::real(-1010000)},
                                 {Value::text("West"), Value::real(2010000)},
                                 {Value::text("North"), Value::real(500)}}),
       "Profit by region", ChartKind::kBar, -1010000, 2010000},
      {"line", table_of({"month", "total"}, {T, R}, months), "Monthly revenue in 2023", ChartKind::kLine, 0, 4020000},
      {"multi line", table_of({"month", "region", "total"}, {T, T, R}, months_by_region), "", ChartKind::kMultiLine, 0,
       2000001},
      {"grouped bar", table_of({"region", "year", "total"}, {T, I, R},
                               {{Value::text("East"), Value::integer(2023), Value::real(1000000)},
                                {Value::text("East"), Value::integer(2024), Value::real(2010000)},
                                {Value::text("West"), Value::integer(2023), Value::real(1500000)},
                                {Value::text("West"), Value::integer(2024), Value::real(1200000)}}),
       "Sales 2023 vs 2024 by region", ChartKind::kGroupedBar, 0, 2010000},
      {"folded bar", table_of({"sales_2023", "sales_2024"}, {R, R}, {{Value::real(1000100), Value::real(2000100)}}),
       "", ChartKind::kBar, 0, 2000100},
      {"scatter", table_of({"price", "units"}, {R, R},
                           {{Value::real(100.5), Value::real(50.2)}, {Value::real(20), Value::real(10)},
                            {Value::real(60), Value::real(30)}}),
       "", ChartKind::kScatter, 0, 50.2},
  };
  for (const auto& c : cases) {
    ChartSpec chart = choose_chart(c.rows, c.question);
    ASSERT_EQ(chart.kind, c.kind) << c.what;
    std::string svg = render_chart_svg(chart, c.rows);
    bool many = c.rows.rows.size() > 6 || chart.folded;
    expect_marks_inside(svg, top, 420 - (many ? 96.0 : 56.0), c.what);
    auto spec = nlohmann::json::parse(chart_to_vega_lite(chart, c.rows));
    expect_spec_domain_holds(spec, "y", c.lo, c.hi, svg, c.what);
  }
  // The scatter's x axis too.
  auto scatter = cases.back().rows;
  auto spec = nlohmann::json::parse(chart_to_vega_lite(choose_chart(scatter), scatter));
  expect_spec_domain_holds(spec, "x", 0, 100.5, render_chart_svg(choose_chart(scatter), scatter), "scatter x");
  // A pie has no axis; its slices still make a whole circle.
  auto pie = cases.front().rows;
  auto pie_chart = choose_chart(pie, "Share of revenue by region");
  ASSERT_EQ(pie_chart.kind, ChartKind::kPie);
  EXPECT_EQ(count(render_chart_svg(pie_chart, pie), "<path"), 4u);
}

TEST(ChartAxes, ScaleCoversTheDataOnRoundSteps) {
  for (auto [lo, hi] : std::vector<std::pair<double, double>>{
           {0, 4020000}, {0, 4000000}, {0, 1}, {0, 0.0301}, {-5, 5.01}, {0, 99.99}, {0, 100.01}, {3, 3}, {0, 0},
           {1e12, 1.0001e12}, {-2.5e9, -1e9}}) {
    AxisScale s = axis_scale(lo, hi);
    EXPECT_LE(s.lo, std::min(lo, 0.0)) << lo << ".." << hi;
    EXPECT_GE(s.hi, hi) << lo << ".." << hi;
    ASSERT_EQ(s.ticks.size(), s.labels.size());
    EXPECT_GE(s.ticks.size(), 2u);
    EXPECT_LE(s.ticks.size(), 8u) << lo << ".." << hi;
    for (const auto& l : s.labels) EXPECT_NE(l.substr(0, 2), "0M") << l;
  }
  AxisScale s = axis_scale(0, 4020000);
  EXPECT_EQ(s.hi, 5000000);
  EXPECT_EQ(s.labels.front(), "0");
  EXPECT_EQ(s.labels.back(), "5M");
  AxisScale half = axis_scale(0, 2400000);
  EXPECT_EQ(half.labels[1], "0.5M") << half.labels[1];
  EXPECT_EQ(tick_label(0, 4e6, 1e6), "0");
  EXPECT_EQ(tick_label(250000, 1e6, 250000), "0.25M");
  EXPECT_EQ(tick_label(20000, 40000, 10000), "20K");
  EXPECT_EQ(tick_label(2500, 5000, 500), "2,500");
  EXPECT_EQ(tick_label(0.02, 0.04, 0.01), "0.02");
}

ResultSet stores(size_t n, const std::string& measure) {
  ResultSet r;
  r.columns = {"store_name", measure};
  r.column_types = {ValueType::kText, ValueType::kReal};
  for (size_t i = 0; i < n; ++i)
    r.rows.push_back({Value::text("Store " + std::to_string(i + 1)), Value::real(1000.0 * static_cast<double>(i + 1))});
  return r;
}

TEST(ChartAxes, ManyCategoriesLieDownAndTheTailBecomesOther) {
  auto few = choose_chart(stores(12, "total_amount"), "Revenue by store");
  EXPECT_FALSE(few.horizontal);
  auto rows = stores(20, "total_amount");
  auto chart = choose_chart(rows, "Revenue by store");
  EXPECT_TRUE(chart.horizontal);
  EXPECT_EQ(chart.top_n, 0u);
  std::string svg = render_chart_svg(chart, rows);
  EXPECT_EQ(count(svg, "<rect x="), 20u);
  EXPECT_NE(svg.find("height=\"" + std::to_string(64 + 20 * 20 + 56) + "\""), std::string::npos);  // grows
  auto spec = nlohmann::json::parse(chart_to_vega_lite(chart, rows));
  EXPECT_EQ(spec["encoding"]["y"]["field"], "store_name");
  EXPECT_EQ(spec["encoding"]["x"]["field"], "total_amount");
  expect_spec_domain_holds(spec, "x", 0, 20000, svg, "horizontal");

  // 35 stores: every one, lying down.
  auto thirty_five = choose_chart(stores(35, "total_amount"), "Revenue by store");
  EXPECT_TRUE(thirty_five.horizontal);
  EXPECT_EQ(thirty_five.top_n, 0u);

  auto many = stores(50, "total_amount");
  auto top = choose_chart(many, "Revenue by store");
  EXPECT_TRUE(top.horizontal);
  EXPECT_EQ(top.top_n, 30u);
  EXPECT_TRUE(top.other_bucket);
  BarData bars = bar_data(top, many);
  ASSERT_EQ(bars.labels.size(), 31u);
  EXPECT_EQ(bars.labels.front(), "Store 50");  // the largest first
  EXPECT_EQ(bars.labels.back(), "other (20 more)");
  EXPECT_DOUBLE_EQ(bars.values.back(), 1000.0 * (20 * 21 / 2));  // stores 1..20 summed
  auto top_spec = nlohmann::json::parse(chart_to_vega_lite(top, many));
  EXPECT_EQ(top_spec["data"]["values"].size(), 31u);
  EXPECT_EQ(top_spec["data"]["values"][30]["store_name"], "other (20 more)");
  expect_spec_domain_holds(top_spec, "x", 0, 210000, render_chart_svg(top, many), "top N");

  // Averages do not add up: the tail is left out and the title says so.
  auto averages = stores(50, "average_price");
  auto avg = choose_chart(averages, "Average price by store");
  EXPECT_EQ(avg.top_n, 30u);
  EXPECT_FALSE(avg.other_bucket);
  EXPECT_EQ(bar_data(avg, averages).labels.size(), 30u);
  EXPECT_NE(avg.title.find("top 30 of 50"), std::string::npos) << avg.title;
}

TEST(ChartAxes, TitlesAreWords) {
  auto rows = stores(5, "total_amount");
  auto chart = choose_chart(rows, "Revenue by store");
  std::string svg = render_chart_svg(chart, rows);
  EXPECT_NE(svg.find(">total amount</text>"), std::string::npos);
  EXPECT_NE(svg.find(">store name</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">total_amount</text>"), std::string::npos);
  auto spec = nlohmann::json::parse(chart_to_vega_lite(chart, rows));
  EXPECT_EQ(spec["encoding"]["y"]["title"], "total amount");
  EXPECT_EQ(spec["encoding"]["x"]["title"], "store name");
}

}  // namespace
}  // namespace t2sql
