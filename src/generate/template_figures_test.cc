// Readings that once gave confident wrong answers on databases nobody tuned
// for, on a schema of their own (a workshop: teams, workers with a job and
// an age, and their shifts by year): a generic word listed after a column
// ("the ids and details"), a year column that is a condition and not the
// figure asked for, both extremes asked at once ("the oldest and youngest"),
// and a superlative that asks for a figure of each group ("the highest hours
// for each worker") rather than the one row ranked first.
#include <gtest/gtest.h>

#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

constexpr const char* kWorkshopSql = R"sql(
CREATE TABLE teams(team_id INTEGER PRIMARY KEY, team_name TEXT NOT NULL, city TEXT NOT NULL);
CREATE TABLE workers(worker_id INTEGER PRIMARY KEY, worker_name TEXT NOT NULL, job TEXT NOT NULL,
  age INTEGER NOT NULL, team_id INTEGER NOT NULL REFERENCES teams(team_id), worker_details TEXT);
CREATE TABLE tools(tool_id INTEGER PRIMARY KEY, tool_name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE rentals(rental_id INTEGER PRIMARY KEY, tool_id INTEGER NOT NULL REFERENCES tools(tool_id),
  team_id INTEGER NOT NULL REFERENCES teams(team_id), units INTEGER NOT NULL, fee REAL NOT NULL);
CREATE TABLE shifts(shift_id INTEGER PRIMARY KEY, worker_id INTEGER NOT NULL REFERENCES workers(worker_id),
  shift_year INTEGER NOT NULL, hours REAL NOT NULL, total_pay REAL NOT NULL);
INSERT INTO teams VALUES (1,'Forge','Leeds'),(2,'Loom','York'),(3,'Kiln','Hull');
INSERT INTO workers VALUES (1,'Ada','welder',34,1,'night shifts'),(2,'Bo','welder',51,1,'trainer'),
  (3,'Cy','weaver',23,2,'part time'),(4,'Di','weaver',45,2,NULL),(5,'Ed','potter',62,3,'founder'),
  (6,'Fay','potter',29,3,'apprentice'),(7,'Gus','welder',40,2,'transfer');
INSERT INTO tools VALUES (1,'Anvil','heavy'),(2,'Hammer','hand'),(3,'Shears','hand'),(4,'Press','heavy'),
  (5,'Chisel','hand');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
INSERT INTO rentals SELECT i, 1 + (i * 3) % 5, 1 + (i * 2) % 3, 1 + (i * 7) % 6, 10 + (i * 13) % 30 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
INSERT INTO shifts SELECT i, 1 + (i * 3) % 7, 2021 + i % 3, 4 + (i * 7) % 9, 40 + (i * 11) % 50 FROM n;
)sql";

class TemplateFiguresTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() { open_schema("workshop.db", kWorkshopSql); }
};

TEST_F(TemplateFiguresTest, GenericWordListedAfterAColumnNamesItsTablesColumn) {
  expect_same_result("What are the ids and details of all workers?", "SELECT worker_id, worker_details FROM workers");
  expect_same_result("List the names and other details of the workers.",
                     "SELECT worker_name, worker_details FROM workers");
}

TEST_F(TemplateFiguresTest, YearFollowedByAYearIsAConditionNotTheFigure) {
  // "total" starts total_pay's name: the sum asked for is of that column.
  expect_same_result("What is the sum of total pay of shifts in year 2022?",
                     "SELECT SUM(total_pay) FROM shifts WHERE shift_year = 2022");
  // The total has no column but the year: never SUM(shift_year).
  auto out = answer("How many shifts are there in total in the year 2022?", {});
  EXPECT_FALSE(has(out.sql, "SUM(shift_year)") || has(out.sql, "SUM(\"shift_year\")")) << out.sql;
}

TEST_F(TemplateFiguresTest, BothExtremesAskedAtOnceAreFigures) {
  expect_same_result("What are the ages of the oldest and youngest workers?", "SELECT MAX(age), MIN(age) FROM workers");
  expect_same_result("What is the average and oldest age for each job?",
                     "SELECT job, AVG(age), MAX(age) FROM workers GROUP BY job");
  // The rows at both ends cannot be one ORDER BY ... LIMIT 1: not confident.
  auto out = answer("What are the names of the oldest and youngest workers?", {});
  EXPECT_FALSE(out.answered && out.confidence >= 0.9) << out.sql;
}

TEST_F(TemplateFiguresTest, SuperlativeFigureOfEachGroup) {
  expect_same_result("For each job, what is the highest age of its workers?",
                     "SELECT job, MAX(age) FROM workers GROUP BY job");
  expect_same_result("How old is the youngest worker for each job?", "SELECT job, MIN(age) FROM workers GROUP BY job");
  // The figure of related rows, per entity named after "for each".
  auto out = answer("Give me the name and highest hours for each worker.", {});
  EXPECT_TRUE(has(out.sql, "MAX(") && has(out.sql, "GROUP BY") && !has(out.sql, "LIMIT")) << out.sql;
  // A superlative after "with" still picks the row.
  expect_same_result("What is the name of the worker with the highest age?",
                     "SELECT worker_name FROM workers ORDER BY age DESC LIMIT 1");
}

TEST_F(TemplateFiguresTest, HowManyRowsPassAConditionOnTheirRelatedRowsIsOneCount) {
  expect_same_result("How many workers have more than 8 shifts?",
                     "SELECT COUNT(*) FROM (SELECT worker_id FROM shifts GROUP BY worker_id HAVING COUNT(*) > 8)",
                     "count_of_groups");
}

TEST_F(TemplateFiguresTest, HowMuchMoreOneValueThanAnotherIsTheirDifference) {
  expect_same_result("How much more total fee did the Forge team have than the Kiln team?",
                     "SELECT SUM(CASE WHEN m.team_name = 'Forge' THEN r.fee ELSE 0 END) - SUM(CASE WHEN m.team_name "
                     "= 'Kiln' THEN r.fee ELSE 0 END) FROM rentals r JOIN teams m ON m.team_id = r.team_id",
                     "compare_values");
}

TEST_F(TemplateFiguresTest, FigureOfTheRowsRelatedToTheRowASuperlativePicks) {
  expect_same_result("Find the number of shifts of the worker with the highest age.",
                     "SELECT COUNT(*) FROM shifts WHERE worker_id = (SELECT worker_id FROM workers ORDER BY age DESC "
                     "LIMIT 1)",
                     "aggregate_of_extreme_row");
}

TEST_F(TemplateFiguresTest, OneTopRowPerGroupByANamedMeasureShowsTheMeasure) {
  expect_same_result("Best-selling tool in each kind by units",
                     "SELECT kind, tool_name, u FROM (SELECT t.kind, t.tool_name, SUM(r.units) AS u, ROW_NUMBER() "
                     "OVER (PARTITION BY t.kind ORDER BY SUM(r.units) DESC) AS k FROM rentals r JOIN tools t ON "
                     "t.tool_id = r.tool_id GROUP BY t.tool_id) WHERE k = 1",
                     "top_k_per_group");
}

}  // namespace
}  // namespace t2sql
