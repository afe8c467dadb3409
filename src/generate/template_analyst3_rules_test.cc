// The analyst3 rules (template_rules/) on a schema they were not written for:
// a cinema chain (cinemas in districts, films in genres, dated tickets with a
// price and a number of seats). Relative ranges in days, weeks and months
// anchored at the latest date stored, running totals, medians per group,
// two values of a column compared side by side, and a share of rows picked
// by the day of the week.
#include <gtest/gtest.h>

#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

// 600 tickets, one every 23 hours or so from 2023-01-03 to 2024-07-31 (the
// latest date stored), spread over cinemas and films by arithmetic.
constexpr const char* kCinemaSql = R"sql(
CREATE TABLE cinemas(cinema_id INTEGER PRIMARY KEY, cinema_name TEXT NOT NULL, district TEXT NOT NULL);
CREATE TABLE films(film_id INTEGER PRIMARY KEY, title TEXT NOT NULL, genre TEXT NOT NULL);
CREATE TABLE tickets(ticket_id INTEGER PRIMARY KEY, cinema_id INTEGER NOT NULL REFERENCES cinemas(cinema_id),
  film_id INTEGER NOT NULL REFERENCES films(film_id), show_date DATE NOT NULL, price REAL NOT NULL,
  seats INTEGER NOT NULL);
INSERT INTO cinemas VALUES (1,'Roxy','Harbour'),(2,'Odeon','Harbour'),(3,'Lumiere','Old Town'),
  (4,'Palace','Old Town'),(5,'Rialto','Riverside');
INSERT INTO films VALUES (1,'Night Train','Drama'),(2,'Blue Lagoon','Drama'),(3,'Laugh Out','Comedy'),
  (4,'Big Joke','Comedy'),(5,'Star Hunt','Action'),(6,'Fast Lane','Action'),(7,'Deep Sea','Documentary');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
INSERT INTO tickets SELECT i, 1 + (i * 7) % 5, 1 + (i * 11) % 7,
  date('2024-07-31', '-' || ((600 - i) * 23 / 24) || ' days'), 6.5 + (i * 13) % 9, 1 + (i * 5) % 4 FROM n;
)sql";

class TemplateAnalyst3RulesTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() { open_schema("cinema.db", kCinemaSql, 1e-6); }
};

TEST_F(TemplateAnalyst3RulesTest, RelativeRangesEndAtTheLatestDateStored) {
  // The latest show is on 2024-07-31: the last 3 months are May to July 2024.
  expect_same_result("Total price of tickets in the last 3 months",
                     "SELECT SUM(price) FROM tickets WHERE show_date BETWEEN '2024-05-01' AND '2024-07-31'",
                     "relative_ranges");
  expect_same_result("Seats sold in the last 10 days", "SELECT SUM(seats) FROM tickets WHERE show_date >= '2024-07-22'",
                     "relative_ranges");
  expect_same_result("Number of tickets over the past 2 weeks",
                     "SELECT COUNT(*) FROM tickets WHERE show_date >= '2024-07-18'", "relative_ranges");
}

TEST_F(TemplateAnalyst3RulesTest, RunningTotalOverTimeGroups) {
  expect_same_result("Running total of the price by month in 2024",
                     "SELECT m, SUM(t) OVER (ORDER BY m) FROM (SELECT strftime('%Y-%m', show_date) AS m, "
                     "SUM(price) AS t FROM tickets WHERE show_date LIKE '2024%' GROUP BY m) ORDER BY m",
                     "running_total", true);
  expect_same_result("Cumulative number of tickets per month in 2023",
                     "SELECT m, SUM(n) OVER (ORDER BY m) FROM (SELECT strftime('%Y-%m', show_date) AS m, "
                     "COUNT(*) AS n FROM tickets WHERE show_date LIKE '2023%' GROUP BY m) ORDER BY m",
                     "running_total", true);
}

TEST_F(TemplateAnalyst3RulesTest, MedianPerGroup) {
  expect_same_result("Median price by district",
                     "SELECT district, AVG(price) FROM (SELECT c.district, t.price, ROW_NUMBER() OVER (PARTITION BY "
                     "c.district ORDER BY t.price) AS r, COUNT(*) OVER (PARTITION BY c.district) AS n FROM tickets t "
                     "JOIN cinemas c ON c.cinema_id = t.cinema_id) WHERE r IN ((n + 1) / 2, (n + 2) / 2) "
                     "GROUP BY district",
                     "median");
}

TEST_F(TemplateAnalyst3RulesTest, TwoValuesComparedSideBySide) {
  expect_same_result("Compare the total price of Drama and Comedy films",
                     "SELECT f.genre, SUM(t.price) FROM tickets t JOIN films f ON f.film_id = t.film_id "
                     "WHERE f.genre IN ('Drama', 'Comedy') GROUP BY f.genre",
                     "compare_values");
  expect_same_result("Harbour vs Riverside total seats in 2024",
                     "SELECT c.district, SUM(t.seats) FROM tickets t JOIN cinemas c ON c.cinema_id = t.cinema_id "
                     "WHERE c.district IN ('Harbour', 'Riverside') AND t.show_date LIKE '2024%' GROUP BY c.district",
                     "compare_values");
  // Without a comparison word the two values are one filter: one total.
  expect_same_result("Total price of Drama and Comedy films",
                     "SELECT SUM(t.price) FROM tickets t JOIN films f ON f.film_id = t.film_id "
                     "WHERE f.genre IN ('Drama', 'Comedy')");
}

TEST_F(TemplateAnalyst3RulesTest, ShareOfRowsOnWeekends) {
  expect_same_result("What percentage of tickets were sold on weekends?",
                     "SELECT SUM(CASE WHEN strftime('%w', show_date) IN ('0', '6') THEN 1 ELSE 0 END) * 100.0 / "
                     "COUNT(*) FROM tickets",
                     "share_of_total");
}

}  // namespace
}  // namespace t2sql
