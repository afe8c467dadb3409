// The analyst rules (template_rules/) on a schema they were not written for:
// a lending library (branches in districts, books in genres, dated loans
// with a fee). Shares of a total, growth between years and its superlative,
// quarters, weekdays and weekends, numbers with magnitudes, per-entity
// averages, top-k within each group, and the abstention for a shape no rule
// reads (the median has its own rule: template_analyst2_rules_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "generate/template_generator.h"
#include "t2sql/database.h"
#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

constexpr const char* kLibrarySql = R"sql(
CREATE TABLE branches(branch_id INTEGER PRIMARY KEY, branch_name TEXT NOT NULL, district TEXT NOT NULL);
CREATE TABLE books(book_id INTEGER PRIMARY KEY, title TEXT NOT NULL, genre TEXT NOT NULL, list_price REAL NOT NULL);
CREATE TABLE loans(loan_id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL REFERENCES books(book_id),
  branch_id INTEGER NOT NULL REFERENCES branches(branch_id), loaned_on DATE NOT NULL, fee REAL NOT NULL,
  days INTEGER NOT NULL);
INSERT INTO branches VALUES (1,'Central Library','Downtown'),(2,'Harbor Branch','Downtown'),
  (3,'Hillside Branch','Uplands'),(4,'Meadow Branch','Uplands'),(5,'Riverside Branch','Riverside');
INSERT INTO books VALUES (1,'Dune','Science Fiction',18),(2,'Foundation','Science Fiction',15),
  (3,'Hyperion','Science Fiction',2200),(4,'Rebecca','Mystery',12),(5,'Gone Girl','Mystery',14),
  (6,'The Big Sleep','Mystery',11),(7,'Cosmos','Science',20),(8,'The Selfish Gene','Science',1600);
INSERT INTO loans VALUES
  (1,1,1,'2023-01-07',2.0,7),(2,2,1,'2023-02-14',3.0,14),(3,3,2,'2023-04-01',4.0,21),(4,4,3,'2023-05-06',1.5,7),
  (5,5,4,'2023-07-12',2.5,10),(6,6,5,'2023-08-19',1.0,3),(7,7,1,'2023-10-22',3.5,14),(8,8,2,'2023-11-04',2.0,5),
  (9,1,3,'2024-01-13',2.5,9),(10,2,4,'2024-02-20',4.5,20),(11,3,5,'2024-03-16',6.0,30),(12,4,1,'2024-04-21',2.0,6),
  (13,5,2,'2024-06-08',3.0,12),(14,6,3,'2024-07-27',5.0,25),(15,7,4,'2024-09-14',1.0,2),(16,8,5,'2024-10-02',2.0,8),
  (17,1,1,'2024-11-30',4.0,15),(18,3,2,'2024-12-15',3.0,11);
)sql";

class TemplateAnalystRulesTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() { open_schema("library.db", kLibrarySql); }
};

TEST_F(TemplateAnalystRulesTest, SharesOfATotal) {
  expect_same_result("What share of fees does each district account for?",
                     "SELECT b.district, SUM(l.fee) * 100.0 / (SELECT SUM(fee) FROM loans) FROM loans l "
                     "JOIN branches b USING (branch_id) GROUP BY b.district",
                     "share_of_total");
  expect_same_result("What percentage of fees came from Mystery books?",
                     "SELECT SUM(CASE WHEN k.genre = 'Mystery' THEN l.fee ELSE 0 END) * 100.0 / SUM(l.fee) "
                     "FROM loans l JOIN books k USING (book_id)",
                     "share_of_total");
}

TEST_F(TemplateAnalystRulesTest, GrowthAndItsSuperlative) {
  // Uplands grew by 9.0, Riverside by 7.0; Downtown fell by 2.5.
  expect_same_result("Which district's fees grew the most from 2023 to 2024?", "SELECT 'Uplands'",
                     "growth_superlative");
  expect_same_result("Which district's fees grew the least from 2023 to 2024?", "SELECT 'Downtown'",
                     "growth_superlative");
}

TEST_F(TemplateAnalystRulesTest, QuartersAndWeekdays) {
  expect_same_result("Total fee by quarter in 2024",
                     "SELECT 1, 13.0 UNION ALL SELECT 2, 5.0 UNION ALL SELECT 3, 6.0 UNION ALL SELECT 4, 9.0",
                     "period_groups");
  expect_same_result("Total fee on weekdays", "SELECT 12.0", "weekday");
  expect_same_result("How many loans were made on weekends in 2023?", "SELECT 6", "weekday");
}

TEST_F(TemplateAnalystRulesTest, NumbersWithMagnitudes) {
  expect_same_result("Which books have a list price over 1.5k?", "SELECT title FROM books WHERE book_id IN (3, 8)");
}

TEST_F(TemplateAnalystRulesTest, PerEntityAveragesAndTopKPerGroup) {
  expect_same_result("What is the average fee per branch in each district?",
                     "SELECT district, AVG(total) FROM (SELECT b.district, b.branch_id, SUM(l.fee) AS total FROM "
                     "loans l JOIN branches b USING (branch_id) GROUP BY b.district, b.branch_id) GROUP BY district",
                     "per_entity_average");
  expect_same_result("Top 2 books in each genre by fee",
                     "SELECT genre, title, total FROM (SELECT k.genre, k.title, SUM(l.fee) AS total, ROW_NUMBER() "
                     "OVER (PARTITION BY k.genre ORDER BY SUM(l.fee) DESC) AS rn FROM loans l JOIN books k "
                     "USING (book_id) GROUP BY k.book_id) WHERE rn <= 2",
                     "top_k_per_group");
}

TEST_F(TemplateAnalystRulesTest, PeriodOverPeriod) {
  expect_same_result("Month-over-month fee growth in 2024",
                     "SELECT month, total, total - LAG(total) OVER (ORDER BY month) FROM (SELECT "
                     "strftime('%Y-%m', loaned_on) AS month, SUM(fee) AS total FROM loans "
                     "WHERE loaned_on LIKE '2024%' GROUP BY month) ORDER BY month",
                     "period_over_period", true);
}

TEST_F(TemplateAnalystRulesTest, AbstainsOnAShapeNoRuleReads) {
  // A percentile is no total: no plain SUM or AVG comes back.
  auto out = gen_->generate({.question = "What is the percentile of each fee in 2024?"});
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->answered) << out->sql;
  EXPECT_NE(out->reason.find("percentile"), std::string::npos) << out->reason;
}

TEST_F(TemplateAnalystRulesTest, DisabledRuleDoesNotFire) {
  TemplateOptions options;
  options.disabled_rules = {"weekday"};
  auto gen = TemplateGenerator::create(*catalog_, db_.get(), options);
  ASSERT_TRUE(gen.ok());
  auto out = (*gen)->generate({.question = "Total fee on weekdays"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(std::find(out->rules.begin(), out->rules.end(), "weekday"), out->rules.end());
  // With the rule off, the weekday cue is unread: the engine abstains instead of a plain total.
  EXPECT_FALSE(out->answered) << out->sql;
}

}  // namespace
}  // namespace t2sql
