// read_question(): the one reading of a question's literals (no database:
// the value links are the pipeline's and the template engine's tests').
#include "generate/question_reading.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace t2sql {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(QuestionReading, NumbersWithMagnitudesYearsAndDates) {
  QuestionReading r = read_question("Stores above 1.5M or 20k, a million or five, in 2023 since 2024-03-15", nullptr);
  EXPECT_EQ(r.numbers, std::vector<double>({1.5e6, 2e4, 1e6, 5}));
  EXPECT_EQ(r.years, std::vector<int>({2023}));
  EXPECT_EQ(r.dates, std::vector<std::string>({"2024-03-15"}));
  // Every number where it is written, years and dates included.
  ASSERT_EQ(r.number_spans.size(), 6u);
  EXPECT_EQ(r.number_spans[0].text, "1.5M");
  EXPECT_EQ(r.number_spans[2].text, "a million");
  EXPECT_EQ(r.number_spans[2].value, 1e6);
  const std::string q = "Stores above 1.5M or 20k, a million or five, in 2023 since 2024-03-15";
  for (const auto& s : r.number_spans) EXPECT_EQ(q.substr(s.begin, s.end - s.begin), s.text);
}

TEST(QuestionReading, MonthsAndMay) {
  QuestionReading r = read_question("Sales between March and May 2024", nullptr);
  EXPECT_EQ(r.months, std::vector<int>({3, 5}));
  EXPECT_TRUE(has(r.ranges, "between march and may"));
  // "may" the verb is not a month; "in may" is.
  EXPECT_TRUE(read_question("which stores may close", nullptr).months.empty());
  EXPECT_EQ(read_question("sales in may", nullptr).months, std::vector<int>({5}));
  ASSERT_EQ(r.month_spans.size(), 2u);
  EXPECT_EQ(r.month_spans[1].text, "May");
}

TEST(QuestionReading, TopK) {
  struct Case {
    const char* question;
    std::optional<int> k;
    const char* cue;  // the cue word as written
  };
  for (const Case& c : {Case{"Top 5 brands by revenue", 5, "Top"}, Case{"bottom 2 stores", 2, "bottom"},
                        Case{"the 3 most expensive products", 3, "most"},
                        Case{"top 5 lowest rated products", 5, "top"},  // the number belongs to "top"
                        Case{"which brand is top", 1, "top"}, Case{"top 2023 sellers", 1, "top"},  // never a year
                        Case{"sales in the last 3 months", std::nullopt, ""},  // a range, not a ranking
                        Case{"the highest price", std::nullopt, ""}}) {
    SCOPED_TRACE(c.question);
    QuestionReading r = read_question(c.question, nullptr);
    EXPECT_EQ(r.top_k, c.k);
    if (!c.k) continue;
    ASSERT_TRUE(r.top_k_cue.has_value());
    EXPECT_EQ(r.top_k_cue->text, c.cue);
    EXPECT_EQ(r.top_k_number.has_value(), *c.k != 1);
  }
  EXPECT_TRUE(has(read_question("sales in the last 3 months", nullptr).ranges, "last 3 months"));
}

TEST(QuestionReading, ComparisonsAndTheTokensOverloadAgree) {
  const std::string q = "products with more than 10 sales after March, at least five";
  QuestionReading r = read_question(q, nullptr);
  EXPECT_TRUE(has(r.comparisons, "more than 10"));
  EXPECT_TRUE(has(r.comparisons, "after march"));
  EXPECT_TRUE(has(r.comparisons, "at least five"));
  EXPECT_EQ(read_question(q, tokenize_question(q), nullptr), r);
}

}  // namespace
}  // namespace t2sql
