// The template engine's question shapes on a schema it was not tuned on (a
// small HR database: departments, employees, payments, and a monthly
// active_employee snapshot), so that the rules are seen to follow schema
// roles (dates, measures, names, keys, snapshots), not the demo's names.
#include <gtest/gtest.h>

#include "generate/template_generator.h"
#include "t2sql/database.h"
#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

constexpr const char* kHrSql = R"sql(
CREATE TABLE departments(dept_id INTEGER PRIMARY KEY, dept_name TEXT NOT NULL, location TEXT NOT NULL);
CREATE TABLE employees(emp_id INTEGER PRIMARY KEY, full_name TEXT NOT NULL,
  dept_id INTEGER NOT NULL REFERENCES departments(dept_id), hired_on DATE NOT NULL, left_on DATE,
  salary REAL NOT NULL);
CREATE TABLE payments(payment_id INTEGER PRIMARY KEY, emp_id INTEGER NOT NULL REFERENCES employees(emp_id),
  paid_on DATE NOT NULL, amount REAL NOT NULL, hours INTEGER NOT NULL);
CREATE TABLE active_employee(month DATE NOT NULL, emp_id INTEGER NOT NULL REFERENCES employees(emp_id),
  PRIMARY KEY(month, emp_id));
INSERT INTO departments VALUES (1,'Research','Boston'),(2,'Field Sales','Denver'),(3,'Support','Denver'),
  (4,'Legal','Austin'),(5,'Archive','Chicago');
INSERT INTO employees VALUES (1,'Ada Byron',1,'2019-03-01',NULL,9000),(2,'Alan Turing',1,'2020-06-15','2024-02-01',8500),
  (3,'Grace Hopper',2,'2021-01-10',NULL,7000),(4,'Linus Pauling',2,'2022-09-01',NULL,6500),
  (5,'Marie Curie',3,'2023-04-01','2023-12-31',5000),(6,'Niels Bohr',3,'2024-02-01',NULL,5200),
  (7,'Emmy Noether',4,'2018-05-20',NULL,9900),(8,'Kurt Godel',4,'2024-07-01',NULL,9100),
  (9,'Rosalind Franklin',5,'2024-09-01',NULL,4800);
INSERT INTO payments VALUES
  (1,1,'2023-01-31',3000,40),(2,1,'2023-12-24',3100,42),(3,1,'2024-01-31',1500,20),(4,1,'2024-12-24',1600,22),
  (5,2,'2023-03-31',2800,38),(6,2,'2023-12-28',2900,39),(7,2,'2024-01-15',1200,15),
  (8,3,'2023-05-31',2000,30),(9,3,'2024-05-31',2600,35),(10,3,'2024-12-27',2700,36),
  (11,4,'2023-06-30',1800,28),(12,4,'2024-06-30',2400,33),
  (13,5,'2023-07-31',1500,25),(14,5,'2023-12-29',1550,26),
  (15,6,'2024-03-31',1700,27),(16,6,'2024-12-31',1750,27),
  (17,7,'2023-02-28',3300,44),(18,7,'2024-02-29',4200,50),(19,7,'2024-12-24',4300,51),
  (20,8,'2024-07-31',3000,40),(21,8,'2024-12-30',3100,41);
INSERT INTO active_employee VALUES
  ('2023-11-01',1),('2023-11-01',2),('2023-11-01',3),('2023-11-01',5),('2023-11-01',7),
  ('2023-12-01',1),('2023-12-01',2),('2023-12-01',3),('2023-12-01',4),('2023-12-01',5),('2023-12-01',7),
  ('2024-01-01',1),('2024-01-01',3),('2024-01-01',4),('2024-01-01',7),
  ('2024-02-01',1),('2024-02-01',3),('2024-02-01',4),('2024-02-01',6),('2024-02-01',7),('2024-02-01',8);
)sql";

class TemplateOtherSchemaTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() { open_schema("hr.db", kHrSql); }
};

TEST_F(TemplateOtherSchemaTest, YearOverYear) {
  expect_same_result("Payment amount by department, 2023 vs 2024",
                     "SELECT d.dept_name, SUM(CASE WHEN p.paid_on LIKE '2023%' THEN p.amount ELSE 0 END), "
                     "SUM(CASE WHEN p.paid_on LIKE '2024%' THEN p.amount ELSE 0 END) FROM departments d "
                     "JOIN employees e USING (dept_id) JOIN payments p USING (emp_id) GROUP BY d.dept_id");
  // Only Research was paid less in 2024 than in 2023.
  expect_same_result("Which departments had a lower payment amount in 2024 than in 2023?",
                     "SELECT dept_name FROM departments WHERE dept_name = 'Research'");
  // The years are those of the payments, not of the employees' hiring dates.
  expect_same_result("Which employees had a higher payment amount in 2024 than in 2023?",
                     "SELECT full_name FROM employees WHERE emp_id IN (3, 4, 6, 7, 8)");
  expect_same_result("By how much did the total payment amount grow from 2023 to 2024?",
                     "SELECT (SELECT SUM(amount) FROM payments WHERE paid_on LIKE '2024%') - "
                     "(SELECT SUM(amount) FROM payments WHERE paid_on LIKE '2023%')");
}

TEST_F(TemplateOtherSchemaTest, SnapshotOfActiveEmployees) {
  expect_same_result("Which employees were active in January 2024?",
                     "SELECT full_name FROM employees WHERE emp_id IN (1, 3, 4, 7)");
  expect_same_result("Number of active employees per month in 2023",
                     "SELECT month, COUNT(*) FROM active_employee WHERE month LIKE '2023%' GROUP BY month "
                     "ORDER BY month",
                     "", true);
  expect_same_result("What was the highest number of active employees in any month?", "SELECT 6");
  expect_same_result("In how many months was Grace Hopper active?", "SELECT 4");
  expect_same_result("Which employees were never active in 2023?",
                     "SELECT full_name FROM employees WHERE emp_id IN (6, 8, 9)");
}

TEST_F(TemplateOtherSchemaTest, NegationsAndStates) {
  // "who left": a nullable date named by its verb; the location is excluded
  // when any of its departments had someone leave.
  expect_same_result("Which locations have no employees who left?",
                     "SELECT DISTINCT location FROM departments WHERE location IN ('Austin', 'Chicago')");
  expect_same_result("Which departments have employees who left?",
                     "SELECT dept_name FROM departments WHERE dept_id IN (1, 3)");
  expect_same_result("Which employees were never paid in December 2024?",
                     "SELECT full_name FROM employees WHERE emp_id IN (2, 4, 5, 9)");
  // A table named beyond the negated one is part of what must not exist.
  expect_same_result("Which departments have no employees with payments?",
                     "SELECT dept_name FROM departments WHERE dept_name = 'Archive'");
  expect_same_result("How many departments have no employees with payments?", "SELECT 1");
}

TEST_F(TemplateOtherSchemaTest, HavingHolidaysAndWeeks) {
  expect_same_result("Which employees worked more than 60 hours in 2024?",
                     "SELECT full_name FROM employees WHERE emp_id IN (3, 7, 8)");
  expect_same_result("Total amount paid on Christmas Eve 2024", "SELECT 1600 + 4300");
  expect_same_result("How many payments were made in the last week of 2023?", "SELECT 2");
}

}  // namespace
}  // namespace t2sql
