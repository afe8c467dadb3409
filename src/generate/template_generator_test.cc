// The template engine on the real demo warehouse: generated SQL runs and
// returns the same rows as hand-written SQL; abstentions, refusals and bad
// input are answered without SQL.
#include "generate/template_generator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "db/result_comparator.h"
#include "sql/statement_guard.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

// Numbers within 0.5% compare equal: a rule may round where the gold query does not.
constexpr double kRowTolerance = 0.005;

class TemplateGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // CTest runs each test in its own process: the warehouse is built once
    // per test binary (keyed by its modification time) and then reused; it
    // is renamed into place whole, so concurrent builds are harmless.
    std::error_code ec;
    auto stamp = std::filesystem::last_write_time("/proc/self/exe", ec).time_since_epoch().count();
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("t2sql_template_test_" + std::to_string(stamp)));
    std::filesystem::create_directories(*dir_);
    std::string path = (*dir_ / "demo.db").string();
    if (!std::filesystem::exists(path)) {
      auto made = create_demo_warehouse(path, true);
      ASSERT_TRUE(made.ok() || std::filesystem::exists(path)) << made.status().to_string();
    }
    auto db = Database::open(path);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = db->release();
    auto catalog = db_->catalog();
    ASSERT_TRUE(catalog.ok());
    auto gen = TemplateGenerator::create(*catalog, db_);
    ASSERT_TRUE(gen.ok()) << gen.status().to_string();
    gen_ = gen->release();
  }
  static void TearDownTestSuite() {
    delete gen_;
    delete db_;
    delete dir_;
  }

  static GenerationResult ask(const std::string& question) {
    auto out = gen_->generate({.question = question});
    EXPECT_TRUE(out.ok()) << out.status().to_string();
    if (!out.ok()) return {};
    if (out->answered) {
      EXPECT_TRUE(check_read_only_statement(out->sql, Dialect::for_engine(db_->engine()).engine()).ok()) << out->sql;
    }
    return *out;
  }

  static void expect_same_result(const std::string& question, const std::string& gold, bool ordered = false) {
    GenerationResult out = ask(question);
    ASSERT_TRUE(out.answered) << question << ": " << out.reason;
    auto want = db_->execute(gold);
    ASSERT_TRUE(want.ok()) << want.status().to_string();
    auto got = db_->execute(out.sql);
    ASSERT_TRUE(got.ok()) << out.sql << ": " << got.status().to_string();
    auto same = compare_results(*want, *got, {.ordered = ordered, .rel_tolerance = kRowTolerance});
    EXPECT_TRUE(same.equal) << same.reason << ": " << question << "\n  sql: " << out.sql;
    // The rules were sure; the reported confidence is the calibrated probability.
    EXPECT_GT(out.confidence_features["rule_score"], 0.5);
    EXPECT_GE(out.confidence, 0.0);
    EXPECT_LE(out.confidence, 1.0);
  }

  static std::filesystem::path* dir_;
  static Database* db_;
  static TemplateGenerator* gen_;
};

std::filesystem::path* TemplateGeneratorTest::dir_ = nullptr;
Database* TemplateGeneratorTest::db_ = nullptr;
TemplateGenerator* TemplateGeneratorTest::gen_ = nullptr;

TEST_F(TemplateGeneratorTest, TotalsAndYears) {
  expect_same_result("What were total sales in 2023?",
                     "SELECT SUM(amount) FROM sales WHERE sale_date BETWEEN '2023-01-01' AND '2023-12-31'");
  expect_same_result("Total quantity sold in 2024",
                     "SELECT SUM(quantity) FROM sales WHERE sale_date >= '2024-01-01' AND sale_date < '2025-01-01'");
  expect_same_result("How many sales were made in 2023?", "SELECT COUNT(*) FROM sales WHERE sale_date LIKE '2023-%'");
}

TEST_F(TemplateGeneratorTest, YearOverYear) {
  const char* gold = "SELECT substr(sale_date, 1, 4) y, SUM(amount) FROM sales GROUP BY y ORDER BY y";
  expect_same_result("Sales comparison 2023 vs 2024", gold, true);
  expect_same_result("Compare revenue in 2023 and 2024", gold, true);
}

TEST_F(TemplateGeneratorTest, RankingsAlongForeignKeys) {
  expect_same_result("Top 5 brands by revenue",
                     "SELECT b.brand_name, SUM(s.amount) r FROM sales s JOIN products p USING (product_id) "
                     "JOIN brands b USING (brand_id) GROUP BY b.brand_id ORDER BY r DESC LIMIT 5",
                     true);
  // A "which" question returns the names asked for (the demo suite's convention).
  expect_same_result("Which region has the lowest revenue?",
                     "SELECT st.region FROM sales s JOIN stores st USING (store_id) "
                     "GROUP BY st.region ORDER BY SUM(s.amount) ASC LIMIT 1");
  expect_same_result("Top 5 stores by number of sales",
                     "SELECT st.store_name, COUNT(*) c FROM sales s JOIN stores st USING (store_id) "
                     "GROUP BY st.store_id ORDER BY c DESC LIMIT 5",
                     true);
}

TEST_F(TemplateGeneratorTest, GroupsAndSnapshots) {
  expect_same_result("Active stores by region",
                     "SELECT st.region, COUNT(*) FROM active_store a JOIN stores st USING (store_id) "
                     "WHERE a.month = (SELECT MAX(month) FROM active_store) GROUP BY st.region");
  expect_same_result("Number of stores per region", "SELECT region, COUNT(*) FROM stores GROUP BY region");
  expect_same_result("Average unit price by category",
                     "SELECT category, AVG(unit_price) FROM products GROUP BY category");
  expect_same_result("Monthly sales in 2024",
                     "SELECT substr(sale_date, 1, 7), SUM(amount) FROM sales WHERE sale_date LIKE '2024%' "
                     "GROUP BY 1 ORDER BY 1",
                     true);
}

TEST_F(TemplateGeneratorTest, ValuesAndComparisons) {
  expect_same_result("Total sales of Apple",
                     "SELECT SUM(s.amount) FROM sales s JOIN products p USING (product_id) JOIN brands b "
                     "USING (brand_id) WHERE b.brand_name = 'Apple'");
  expect_same_result("Total revenue in seattle in 2024",
                     "SELECT SUM(s.amount) FROM sales s JOIN stores st USING (store_id) "
                     "WHERE st.city = 'Seattle' AND s.sale_date LIKE '2024%'");
  expect_same_result("How many products cost more than 500?", "SELECT COUNT(*) FROM products WHERE unit_price > 500");
  expect_same_result("Stores opened after 2020", "SELECT store_name FROM stores WHERE opened_on >= '2021-01-01'");
  expect_same_result("Total sales between March and May 2024",
                     "SELECT SUM(amount) FROM sales WHERE sale_date >= '2024-03-01' AND sale_date < '2024-06-01'");
}

TEST_F(TemplateGeneratorTest, NoBeforeARelatedTableIsANegationWithItsDates) {
  // "no sales in 2023": stores without a sale that year, the year on the sale date
  // (not on the store's own opening date).
  expect_same_result("Which stores recorded no sales in 2023?",
                     "SELECT st.store_name FROM stores st WHERE NOT EXISTS (SELECT 1 FROM sales s "
                     "WHERE s.store_id = st.store_id AND s.sale_date LIKE '2023%')");
  expect_same_result("stores that made no sales in the second half of 2024",
                     "SELECT st.store_name FROM stores st WHERE NOT EXISTS (SELECT 1 FROM sales s "
                     "WHERE s.store_id = st.store_id AND s.sale_date >= '2024-07-01' AND s.sale_date < '2025-01-01')");
}

TEST_F(TemplateGeneratorTest, AveragePerPeriodIsTheAverageOfPeriodTotals) {
  expect_same_result("average monthly sales of Samsung in 2024",
                     "SELECT AVG(t) FROM (SELECT SUM(s.amount) AS t FROM sales s JOIN products p USING (product_id) "
                     "JOIN brands b USING (brand_id) WHERE b.brand_name = 'Samsung' AND s.sale_date LIKE '2024%' "
                     "GROUP BY substr(s.sale_date, 1, 7))");
  expect_same_result("What is the average daily revenue in March 2024?",
                     "SELECT AVG(t) FROM (SELECT SUM(amount) AS t FROM sales WHERE sale_date LIKE '2024-03%' "
                     "GROUP BY sale_date)");
  // A plain average stays an average of the rows.
  expect_same_result("average sale amount in 2024", "SELECT AVG(amount) FROM sales WHERE sale_date LIKE '2024%'");
}

TEST_F(TemplateGeneratorTest, AdjectiveAfterTheNounNamesTheSnapshotTable) {
  // "stores were active in <month>": the active_store snapshot of that month.
  expect_same_result("how many stores were active in March 2024?",
                     "SELECT COUNT(DISTINCT store_id) FROM active_store WHERE month = '2024-03-01'");
  expect_same_result("number of stores that were active in October 2023 per region",
                     "SELECT st.region, COUNT(*) FROM active_store a JOIN stores st USING (store_id) "
                     "WHERE a.month = '2023-10-01' GROUP BY st.region");
}

TEST_F(TemplateGeneratorTest, BottomAndWorstRankingsAscend) {
  expect_same_result("worst 2 categories by revenue in 2023",
                     "SELECT p.category, SUM(s.amount) AS r FROM sales s JOIN products p USING (product_id) "
                     "WHERE s.sale_date LIKE '2023%' GROUP BY p.category ORDER BY r LIMIT 2",
                     true);
}

TEST_F(TemplateGeneratorTest, RelativeRangesUseTheLatestDateInTheData) {
  // The demo data ends in December 2024, so "last year" is 2023.
  expect_same_result("Sales last year", "SELECT SUM(amount) FROM sales WHERE sale_date LIKE '2023%'");
}

TEST_F(TemplateGeneratorTest, YearOverYearPerGroupSideBySide) {
  // Two years with a group: one column per year, every group once.
  expect_same_result("Units sold by brand, 2023 vs 2024",
                     "SELECT b.brand_name, SUM(CASE WHEN s.sale_date LIKE '2023%' THEN s.quantity ELSE 0 END), "
                     "SUM(CASE WHEN s.sale_date LIKE '2024%' THEN s.quantity ELSE 0 END) FROM sales s "
                     "JOIN products p USING (product_id) JOIN brands b USING (brand_id) GROUP BY b.brand_id");
  // A change: the later year's total minus the earlier's, per group or overall.
  expect_same_result("Sales change per region from 2023 to 2024",
                     "SELECT st.region, SUM(CASE WHEN s.sale_date LIKE '2024%' THEN s.amount ELSE 0 END) - "
                     "SUM(CASE WHEN s.sale_date LIKE '2023%' THEN s.amount ELSE 0 END) FROM sales s "
                     "JOIN stores st USING (store_id) GROUP BY st.region");
  expect_same_result("percentage change in revenue between 2023 and 2024",
                     "SELECT (SELECT SUM(amount) FROM sales WHERE sale_date LIKE '2024%') * 100.0 / "
                     "(SELECT SUM(amount) FROM sales WHERE sale_date LIKE '2023%') - 100");
}

TEST_F(TemplateGeneratorTest, GroupsThatGrewOrDeclined) {
  const char* grew =
      "SELECT b.brand_name FROM sales s JOIN products p USING (product_id) JOIN brands b USING (brand_id) "
      "GROUP BY b.brand_id HAVING SUM(CASE WHEN s.sale_date LIKE '2024%' THEN s.amount END) > "
      "SUM(CASE WHEN s.sale_date LIKE '2023%' THEN s.amount END)";
  expect_same_result("Which brands grew their revenue from 2023 to 2024?", grew);
  // "more in A than in B" compares the years in the order said.
  expect_same_result("Which brands sold less in 2023 than in 2024?", grew);
  expect_same_result("Which categories declined in sales between 2023 and 2024?",
                     "SELECT p.category FROM sales s JOIN products p USING (product_id) GROUP BY p.category "
                     "HAVING SUM(CASE WHEN s.sale_date LIKE '2024%' THEN s.amount END) < "
                     "SUM(CASE WHEN s.sale_date LIKE '2023%' THEN s.amount END)");
}

TEST_F(TemplateGeneratorTest, SnapshotListsCountsAndPerPeriodAggregates) {
  // Entities of a snapshot are listed by the name of the entity they refer to.
  expect_same_result("Which stores were active in March 2024?",
                     "SELECT st.store_name FROM active_store a JOIN stores st USING (store_id) "
                     "WHERE a.month = '2024-03-01'");
  // Grouped by its own period column, in time order.
  expect_same_result("Active store count by month for 2023",
                     "SELECT month, COUNT(*) FROM active_store WHERE month LIKE '2023%' GROUP BY month ORDER BY month",
                     true);
  expect_same_result("How many months was the Austin Mall store active?",
                     "SELECT COUNT(*) FROM active_store a JOIN stores st USING (store_id) "
                     "WHERE st.store_name = 'Austin Mall'");
  expect_same_result("What was the lowest number of active stores in a month?",
                     "SELECT MIN(n) FROM (SELECT COUNT(*) n FROM active_store GROUP BY month)");
  expect_same_result("average number of sales per month in 2023",
                     "SELECT COUNT(*) / 12.0 FROM sales WHERE sale_date LIKE '2023%'");
  expect_same_result("Total sales in the latest month",
                     "SELECT SUM(amount) FROM sales WHERE sale_date >= '2024-12-01'");
  // Asking for the period itself stays a ranking.
  expect_same_result("Which month had the highest number of sales?",
                     "SELECT substr(sale_date, 1, 7) m FROM sales GROUP BY m ORDER BY COUNT(*) DESC LIMIT 1");
}

TEST_F(TemplateGeneratorTest, NegationsOffTheJoinPathAndOnAttributes) {
  // The store is joined inside the subquery, through the sales.
  expect_same_result("Which products were never sold in Seattle?",
                     "SELECT product_name FROM products WHERE product_id NOT IN (SELECT s.product_id FROM sales s "
                     "JOIN stores st USING (store_id) WHERE st.city = 'Seattle')");
  // A repeating attribute: the attribute's own values are excluded.
  expect_same_result("Which cities have no stores in the West region?",
                     "SELECT DISTINCT city FROM stores EXCEPT SELECT city FROM stores WHERE region = 'West'");
  expect_same_result("Which categories does Nike not sell?",
                     "SELECT DISTINCT category FROM products EXCEPT SELECT p.category FROM products p "
                     "JOIN brands b USING (brand_id) WHERE b.brand_name = 'Nike'");
  expect_same_result("Which stores were not active in February 2024?",
                     "SELECT store_name FROM stores WHERE store_id NOT IN "
                     "(SELECT store_id FROM active_store WHERE month = '2024-02-01')");
}

TEST_F(TemplateGeneratorTest, HolidaysAndWeeks) {
  expect_same_result("Sales on Christmas Day 2024", "SELECT SUM(amount) FROM sales WHERE sale_date = '2024-12-25'");
  expect_same_result("Revenue in the first week of March 2024",
                     "SELECT SUM(amount) FROM sales WHERE sale_date BETWEEN '2024-03-01' AND '2024-03-07'");
  expect_same_result("number of sales in the last week of June 2024",
                     "SELECT COUNT(*) FROM sales WHERE sale_date BETWEEN '2024-06-24' AND '2024-06-30'");
  expect_same_result("daily sales in the last week of 2024",
                     "SELECT sale_date, SUM(amount) FROM sales WHERE sale_date >= '2024-12-25' GROUP BY sale_date "
                     "ORDER BY sale_date",
                     true);
}

TEST_F(TemplateGeneratorTest, HavingOnTotalsAndCountsWithinAYear) {
  // A year-like number right before what is counted is a count.
  expect_same_result("Which stores had more than 1900 sales in 2023?",
                     "SELECT st.store_name FROM sales s JOIN stores st USING (store_id) WHERE s.sale_date LIKE '2023%' "
                     "GROUP BY st.store_id HAVING COUNT(*) > 1900");
  // Units of related rows, totalled per entity; the year on those rows.
  expect_same_result("Which stores sold more than 3000 units in 2023?",
                     "SELECT st.store_name FROM sales s JOIN stores st USING (store_id) WHERE s.sale_date LIKE '2023%' "
                     "GROUP BY st.store_id HAVING SUM(s.quantity) > 3000");
  // The total is the condition, not a column shown.
  expect_same_result("Regions with total sales over 5,000,000",
                     "SELECT st.region FROM sales s JOIN stores st USING (store_id) GROUP BY st.region "
                     "HAVING SUM(s.amount) > 5000000");
}

TEST_F(TemplateGeneratorTest, ConditionsFromStatesMoneyAndPartialNames) {
  expect_same_result("Which stores are still open?", "SELECT store_name FROM stores WHERE closed_on IS NULL");
  expect_same_result("When did the San Diego Downtown store close?",
                     "SELECT closed_on FROM stores WHERE store_name = 'San Diego Downtown'");
  expect_same_result("Show products under 20 dollars", "SELECT product_name FROM products WHERE unit_price < 20");
  expect_same_result("What brand makes the Dyson Vacuum product?",
                     "SELECT DISTINCT b.brand_name FROM products p JOIN brands b USING (brand_id) "
                     "WHERE p.product_name LIKE 'Dyson Vacuum %'");
  // "made by <value>" is a relation; "sold by <column>" a grouping.
  expect_same_result("Show the Home products made by Philips",
                     "SELECT p.product_name FROM products p JOIN brands b USING (brand_id) "
                     "WHERE b.brand_name = 'Philips' AND p.category = 'Home'");
  expect_same_result("Units sold by region in 2024",
                     "SELECT st.region, SUM(s.quantity) FROM sales s JOIN stores st USING (store_id) "
                     "WHERE s.sale_date LIKE '2024%' GROUP BY st.region");
}

TEST_F(TemplateGeneratorTest, CountWordSuperlativesRankByTheNamedMeasure) {
  // With a number the figure is shown; without, only the name.
  expect_same_result("the 3 best-selling brands by units sold",
                     "SELECT b.brand_name, SUM(s.quantity) q FROM sales s JOIN products p USING (product_id) "
                     "JOIN brands b USING (brand_id) GROUP BY b.brand_id ORDER BY q DESC LIMIT 3",
                     true);
  expect_same_result("What is the top-selling Toys product by revenue?",
                     "SELECT p.product_name FROM sales s JOIN products p USING (product_id) WHERE p.category = 'Toys' "
                     "GROUP BY p.product_id ORDER BY SUM(s.amount) DESC LIMIT 1");
  expect_same_result("Revenue per category in 2024 sorted from lowest to highest",
                     "SELECT p.category, SUM(s.amount) r FROM sales s JOIN products p USING (product_id) "
                     "WHERE s.sale_date LIKE '2024%' GROUP BY p.category ORDER BY r",
                     true);
}

TEST_F(TemplateGeneratorTest, ReportConventions) {
  // Groups are listed by their key unless an order is asked for.
  expect_same_result("Number of stores by city", "SELECT city, COUNT(*) FROM stores GROUP BY city ORDER BY city", true);
  // A measure of dated rows asked for a period is that period's total.
  expect_same_result("What was the quantity in June 2024?",
                     "SELECT SUM(quantity) FROM sales WHERE sale_date LIKE '2024-06%'");
  // Several entities ranked by a measure of their related rows: by its total.
  expect_same_result("Which 3 stores have the highest amount?",
                     "SELECT st.store_name FROM sales s JOIN stores st USING (store_id) GROUP BY st.store_id "
                     "ORDER BY SUM(s.amount) DESC LIMIT 3",
                     true);
  // "with the maximum X": the row that has it, not MAX() beside a name.
  expect_same_result("Name the product with maximum unit price",
                     "SELECT product_name FROM products ORDER BY unit_price DESC LIMIT 1");
  expect_same_result("The product with the largest unit price",
                     "SELECT product_name FROM products ORDER BY unit_price DESC LIMIT 1");
}

TEST_F(TemplateGeneratorTest, NumbersNextToTheirColumn) {
  // "with 3 units": the column's value; "above unit price 500": the column
  // between the comparison and the number.
  expect_same_result("How many sales had 3 units in 2024?",
                     "SELECT COUNT(*) FROM sales WHERE quantity = 3 AND sale_date LIKE '2024%'");
  expect_same_result("How many products are above unit price 500?",
                     "SELECT COUNT(*) FROM products WHERE unit_price > 500");
}

TEST_F(TemplateGeneratorTest, AbstainsWithAReason) {
  for (const char* q : {"What is the meaning of life?", "zxqv blorp frobnicate", "Tell me a joke about penguins"}) {
    GenerationResult out = ask(q);
    EXPECT_FALSE(out.answered) << q << " -> " << out.sql;
    EXPECT_TRUE(out.sql.empty());
    EXPECT_NE(out.reason.find("cannot answer"), std::string::npos) << out.reason;
  }
}

TEST_F(TemplateGeneratorTest, RefusesToChangeData) {
  for (const char* q :
       {"delete all sales from 2023", "Please drop the stores table", "update the price of Apple phones",
        "DELETE FROM sales WHERE 1=1", "insert a new brand called Foo"}) {
    GenerationResult out = ask(q);
    EXPECT_FALSE(out.answered) << q;
    EXPECT_TRUE(out.sql.empty()) << out.sql;
    EXPECT_EQ(out.reason.rfind("refused:", 0), 0u) << out.reason;
  }
}

TEST_F(TemplateGeneratorTest, BadInput) {
  GenerationResult empty = ask("   ");
  EXPECT_FALSE(empty.answered);
  EXPECT_NE(empty.reason.find("empty"), std::string::npos);

  GenerationResult huge = ask(std::string(1 << 20, 'a'));
  EXPECT_FALSE(huge.answered);
  EXPECT_NE(huge.reason.find("limit"), std::string::npos) << huge.reason;

  GenerationResult bad_utf8 = ask("total sales \xff\xfe in 2023");
  EXPECT_FALSE(bad_utf8.answered);
  EXPECT_NE(bad_utf8.reason.find("UTF-8"), std::string::npos);

  for (const char* q :
       {"\xe5\x93\xaa\xe4\xb8\xaa\xe5\x93\x81\xe7\x89\x8c\xe7\x9a\x84\xe9\x94\x80\xe5\x94\xae\xe9\xa2\x9d"
        "\xe6\x9c\x80\xe9\xab\x98\xef\xbc\x9f",
        "Wie viele Verkäufe gab es pro Jahr und Region?"}) {
    GenerationResult other = ask(q);
    EXPECT_FALSE(other.answered) << q << " -> " << other.sql;
    EXPECT_NE(other.reason.find("English"), std::string::npos) << other.reason;
  }
}

}  // namespace
}  // namespace t2sql
