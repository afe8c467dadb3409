// The analyst2 rules (template_rules/) on a schema they were not written
// for: a clinic (doctors in departments and cities, dated visits with a
// charge and their minutes). Grouping by the day of the week, a superlative
// of an aggregate, the median, the share of the top k, growth year over year
// per group, counting entities once through a related table, the average of
// per-entity counts, and the abstention on a name that matches no value.
#include <gtest/gtest.h>

#include <string>

#include "generate/template_generator.h"
#include "t2sql/database.h"
#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

constexpr const char* kClinicSql = R"sql(
CREATE TABLE departments(dept_id INTEGER PRIMARY KEY, dept_name TEXT NOT NULL, wing TEXT NOT NULL);
CREATE TABLE doctors(doctor_id INTEGER PRIMARY KEY, doctor_name TEXT NOT NULL,
  dept_id INTEGER NOT NULL REFERENCES departments(dept_id), city TEXT NOT NULL);
CREATE TABLE visits(visit_id INTEGER PRIMARY KEY, doctor_id INTEGER NOT NULL REFERENCES doctors(doctor_id),
  visit_date DATE NOT NULL, charge REAL NOT NULL, minutes INTEGER NOT NULL);
INSERT INTO departments VALUES (1,'Cardiology','North'),(2,'Radiology','North'),(3,'Pediatrics','South'),
  (4,'Oncology','South');
INSERT INTO doctors VALUES (1,'Dr Ames',1,'Lisbon'),(2,'Dr Bell',1,'Porto'),(3,'Dr Cole',2,'Lisbon'),
  (4,'Dr Dunn',3,'Porto'),(5,'Dr Egan',3,'Lisbon'),(6,'Dr Ford',4,'Faro'),(7,'Dr Gray',1,'Lisbon');
INSERT INTO visits VALUES
  (1,2,'2023-11-29',75.0,10),(2,7,'2023-03-17',90.0,10),(3,5,'2024-01-11',40.0,45),(4,1,'2023-08-09',40.0,30),
  (5,1,'2024-03-05',55.0,10),(6,4,'2024-07-19',40.0,45),(7,2,'2023-05-08',120.0,45),(8,5,'2023-03-06',90.0,30),
  (9,2,'2023-02-21',40.0,45),(10,3,'2023-05-18',75.0,15),(11,1,'2024-07-08',90.0,20),(12,7,'2024-07-28',120.0,15),
  (13,5,'2023-04-17',90.0,15),(14,1,'2024-01-18',90.0,10),(15,1,'2024-08-01',90.0,15),(16,6,'2024-05-24',90.0,30),
  (17,4,'2023-11-19',90.0,30),(18,3,'2024-01-07',55.0,15),(19,7,'2024-12-17',55.0,10),(20,3,'2024-08-12',90.0,30),
  (21,6,'2023-12-19',75.0,20),(22,1,'2024-09-16',40.0,45),(23,2,'2024-03-05',150.0,20),(24,4,'2023-06-06',75.0,10),
  (25,1,'2024-11-16',150.0,45),(26,7,'2024-08-10',150.0,20),(27,6,'2023-12-16',60.0,45),(28,5,'2024-05-24',150.0,30),
  (29,7,'2023-03-13',40.0,20),(30,6,'2024-05-01',120.0,10);
)sql";

class TemplateAnalyst2RulesTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() { open_schema("clinic.db", kClinicSql, /*rel_tolerance=*/1e-6); }
};

TEST_F(TemplateAnalyst2RulesTest, GroupsByTheDayOfTheWeek) {
  expect_same_result("Number of visits per weekday",
                     "SELECT CAST(strftime('%w', visit_date) AS INTEGER) AS d, COUNT(*) FROM visits GROUP BY d "
                     "ORDER BY d",
                     "weekday_groups", true);
  expect_same_result("Total charge by day of the week in 2024",
                     "SELECT CAST(strftime('%w', visit_date) AS INTEGER) AS d, SUM(charge) FROM visits "
                     "WHERE visit_date LIKE '2024%' GROUP BY d",
                     "weekday_groups");
  // "On weekends" still filters.
  expect_same_result("Total charge on weekends",
                     "SELECT SUM(charge) FROM visits WHERE strftime('%w', visit_date) "
                     "IN ('0', '6')",
                     "weekday");
}

TEST_F(TemplateAnalyst2RulesTest, SuperlativeOfAnAggregate) {
  // North averages 85.0, South 83.6: the ranking is by the average, not by a row.
  expect_same_result("Which wing has the highest average charge?", "SELECT 'North'");
  expect_same_result("Which department has the lowest total charge?", "SELECT 'Radiology'");
}

TEST_F(TemplateAnalyst2RulesTest, Median) {
  // 30 charges: the mean of the 15th and 16th in order.
  expect_same_result("What is the median charge?",
                     "SELECT AVG(charge) FROM (SELECT charge FROM visits ORDER BY charge LIMIT 2 OFFSET 14)", "median");
  // 17 visits in 2024: the 9th.
  expect_same_result("Median charge of visits in 2024",
                     "SELECT charge FROM visits WHERE visit_date LIKE '2024%' ORDER BY charge LIMIT 1 OFFSET 8",
                     "median");
}

TEST_F(TemplateAnalyst2RulesTest, ShareOfTheTopK) {
  expect_same_result("What percentage of charges comes from the top 2 doctors?",
                     "SELECT SUM(t) * 100.0 / (SELECT SUM(charge) FROM visits) FROM (SELECT SUM(charge) AS t "
                     "FROM visits GROUP BY doctor_id ORDER BY t DESC LIMIT 2)",
                     "top_k_share");
}

TEST_F(TemplateAnalyst2RulesTest, YearOverYearGrowthPerGroup) {
  expect_same_result("Year over year charge growth by wing",
                     "SELECT wing, y, t, t - LAG(t) OVER (PARTITION BY wing ORDER BY y) FROM (SELECT d.wing, "
                     "strftime('%Y', v.visit_date) AS y, SUM(v.charge) AS t FROM visits v JOIN doctors o USING "
                     "(doctor_id) JOIN departments d USING (dept_id) GROUP BY d.wing, y) ORDER BY wing, y",
                     "period_over_period", true);
}

TEST_F(TemplateAnalyst2RulesTest, CountsEntitiesOnceAndAveragesPerEntityCounts) {
  // Lisbon's four doctors work in three departments.
  expect_same_result("How many departments have doctors in Lisbon?", "SELECT 3", "entity_count");
  expect_same_result("Average number of doctors per department", "SELECT 7 / 4.0", "per_entity_average");
  expect_same_result("Average minutes per visit in each wing",
                     "SELECT d.wing, AVG(v.minutes) FROM visits v JOIN doctors o USING (doctor_id) "
                     "JOIN departments d USING (dept_id) GROUP BY d.wing");
}

TEST_F(TemplateAnalyst2RulesTest, AbstainsOnANameThatMatchesNoValue) {
  auto out = gen_->generate({.question = "Show doctors in Madrid"});
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->answered) << out->sql;
  EXPECT_NE(out->reason.find("'Madrid' matches no value"), std::string::npos) << out->reason;
  // A stored city is a filter, not an abstention.
  expect_same_result("Show doctors in Porto", "SELECT doctor_name FROM doctors WHERE city = 'Porto'");
}

}  // namespace
}  // namespace t2sql
