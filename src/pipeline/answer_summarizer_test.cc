#include "pipeline/answer_summarizer.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

ResultSet one_value(const std::string& column, Value v) {
  ResultSet r;
  r.columns = {column};
  r.column_types = {v.type};
  r.rows = {{v}};
  return r;
}

ResultSet two_columns(const std::string& a, const std::string& b, std::vector<std::pair<Value, Value>> rows) {
  ResultSet r;
  r.columns = {a, b};
  r.column_types = {rows[0].first.type, rows[0].second.type};
  for (auto& [x, y] : rows) r.rows.push_back({x, y});
  return r;
}

TEST(AnswerSummarizer, SingleValuesUseTheDisplayFormat) {
  EXPECT_EQ(summarize_answer("What was the total revenue in 2024?",
                             one_value("SUM(amount)", Value::real(15722014.790000608))),
            "Total revenue in 2024 was 15,722,014.79.");
  EXPECT_EQ(summarize_answer("Average price?", one_value("avg_price", Value::real(12.3456))), "Average price: 12.35.");
}

TEST(AnswerSummarizer, HowManyReadsAsASentence) {
  EXPECT_EQ(summarize_answer("How many singers are there?", one_value("COUNT(*)", Value::integer(6))),
            "There are 6 singers.");
  EXPECT_EQ(summarize_answer("How many singers are there in France?", one_value("COUNT(*)", Value::integer(1))),
            "There is 1 singer in France.");
  EXPECT_EQ(summarize_answer("How many products do we sell", one_value("COUNT(*)", Value::integer(102277))),
            "We sell 102,277 products.");
  EXPECT_EQ(summarize_answer("How many orders did the store ship in 2024?", one_value("n", Value::integer(5))),
            "The store shipped 5 orders in 2024.");
  EXPECT_EQ(summarize_answer("How many products does each brand carry?", one_value("n", Value::integer(3))),
            "Each brand carries 3 products.");
  EXPECT_EQ(summarize_answer("How many stores are in the North region?", one_value("n", Value::integer(12))),
            "12 stores are in the North region.");
  EXPECT_EQ(summarize_answer("How many stores in the North", one_value("n", Value::integer(12))),
            "Stores in the North: 12.");
}

TEST(AnswerSummarizer, HighestAndLowestInTheColumnsWords) {
  auto rows = two_columns("region", "total_amount",
                          {{Value::text("East"), Value::real(4016719.4)},
                           {Value::text("West"), Value::real(3279139.0)},
                           {Value::text("North"), Value::real(100.5)}});
  EXPECT_EQ(summarize_answer("Sales by region", rows),
            "Highest total sales: East (4,016,719.40); lowest: North (100.50); 3 rows.");
  EXPECT_EQ(summarize_answer("Regions", rows),
            "Highest total amount: East (4,016,719.40); lowest: North (100.50); 3 rows.");
}

TEST(AnswerSummarizer, ComparisonsGiveTheDifferenceAndThePercentage) {
  auto years = two_columns("year", "total",
                           {{Value::integer(2023), Value::real(800.0)}, {Value::integer(2024), Value::real(1000.0)}});
  EXPECT_EQ(summarize_answer("Sales comparison 2023 vs 2024", years),
            "Total went from 800 in 2023 to 1,000 in 2024, up 200 (+25.0%) (2 rows).");
  auto regions = two_columns("region", "amount",
                             {{Value::text("East"), Value::real(1500.25)}, {Value::text("West"), Value::real(1200.0)}});
  EXPECT_EQ(summarize_answer("East vs West", regions),
            "Amount: East 1,500.25, West 1,200.00; West is down 300.25 (-20.0%) compared with East.");
  ResultSet folded;
  folded.columns = {"sales_2023", "sales_2024"};
  folded.column_types = {ValueType::kReal, ValueType::kReal};
  folded.rows = {{Value::real(1000.0), Value::real(1150.0)}};
  EXPECT_EQ(summarize_answer("Sales 2023 vs 2024", folded),
            "Sales 2023: 1,000.00; sales 2024: 1,150.00; sales 2024 is up 150.00 (+15.0%) compared with sales 2023.");
}

TEST(AnswerSummarizer, SeriesNamesTheChangeAndThePeak) {
  ResultSet r;
  r.columns = {"month", "total_amount"};
  r.column_types = {ValueType::kText, ValueType::kReal};
  r.rows = {{Value::text("2023-01"), Value::real(100.0)},
            {Value::text("2023-02"), Value::real(300.0)},
            {Value::text("2023-03"), Value::real(200.0)}};
  EXPECT_EQ(summarize_answer("Monthly revenue in 2023", r),
            "Total revenue went from 100.00 in 2023-01 to 200.00 in 2023-03, up 100.00 (+100.0%); the peak was 300.00 "
            "in 2023-02 (3 rows).");
}

TEST(AnswerSummarizer, NamesBeatIdsAndTwoCategoriesBothShow) {
  ResultSet r;
  r.columns = {"store_id", "store_name", "total"};
  r.column_types = {ValueType::kInteger, ValueType::kText, ValueType::kInteger};
  r.rows = {{Value::integer(1), Value::text("Main St"), Value::integer(50)},
            {Value::integer(2), Value::text("Harbor"), Value::integer(70)},
            {Value::integer(3), Value::text("Airport"), Value::integer(10)}};
  EXPECT_EQ(summarize_answer("Sales per store", r), "Highest total: Harbor (70); lowest: Airport (10); 3 rows.");
  ResultSet two;
  two.columns = {"brand_name", "region", "units"};
  two.column_types = {ValueType::kText, ValueType::kText, ValueType::kInteger};
  two.rows = {{Value::text("Acme"), Value::text("North"), Value::integer(5)},
              {Value::text("Acme"), Value::text("South"), Value::integer(9)},
              {Value::text("Zeta"), Value::text("North"), Value::integer(2)}};
  EXPECT_EQ(summarize_answer("Units by brand and region", two),
            "Highest units: Acme, South (9); lowest: Zeta, North (2); 3 rows.");
}

TEST(AnswerSummarizer, ListsEndWithOnePeriod) {
  ResultSet r;
  r.columns = {"name"};
  r.column_types = {ValueType::kText};
  for (const char* n : {"Ann", "Bob", "Cid", "Dee", "Eve"}) r.rows.push_back({Value::text(n)});
  EXPECT_EQ(summarize_answer("List the singers", r), "5 rows: Ann, Bob, Cid and 2 more.");
  r.rows.resize(3);
  EXPECT_EQ(summarize_answer("List the singers", r), "3 rows: Ann, Bob, Cid.");
  r.truncated = true;
  EXPECT_EQ(summarize_answer("List the singers", r), "3+ rows: Ann, Bob, Cid and more.");
}

}  // namespace
}  // namespace t2sql
