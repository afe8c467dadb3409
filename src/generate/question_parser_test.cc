#include "generate/question_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace t2sql {
namespace {

TEST(QuestionParserTest, Tokens) {
  auto t = tokenize_question("Top 5 brands' sales in \"New York\" since 2023-05-01, over 1,000.5?");
  ASSERT_GE(t.size(), 10u);
  EXPECT_EQ(t[0].lower, "top");
  EXPECT_EQ(t[1].kind, QuestionTokenKind::kNumber);
  EXPECT_DOUBLE_EQ(t[1].number, 5);
  EXPECT_EQ(t[2].norm, "brand");
  bool quoted = false, date = false, thousand = false;
  for (const auto& tok : t) {
    quoted |= tok.kind == QuestionTokenKind::kQuoted && tok.text == "New York";
    date |= tok.kind == QuestionTokenKind::kNumber && tok.text == "2023-05-01";
    thousand |= tok.kind == QuestionTokenKind::kNumber && tok.number == 1000.5;
  }
  EXPECT_TRUE(quoted);
  EXPECT_TRUE(date);
  EXPECT_TRUE(thousand);
  auto words = tokenize_question("five stores");
  EXPECT_EQ(words[0].kind, QuestionTokenKind::kNumber);
  EXPECT_DOUBLE_EQ(words[0].number, 5);
  // An apostrophe inside a word is not a quote.
  auto levis = tokenize_question("sales of Levi's jeans");
  EXPECT_EQ(levis[2].text, "Levi's");
}

TEST(QuestionParserTest, NumbersWithMagnitudes) {
  auto numbers = [](const std::string& q) {
    std::vector<double> out;
    for (const auto& t : tokenize_question(q)) {
      if (t.kind == QuestionTokenKind::kNumber) out.push_back(t.number);
    }
    return out;
  };
  EXPECT_EQ(numbers("stores under 1M in 2024"), (std::vector<double>{1e6, 2024}));
  EXPECT_EQ(numbers("sales above 2.5k"), (std::vector<double>{2500}));
  EXPECT_EQ(numbers("more than $3bn or 4mn"), (std::vector<double>{3e9, 4e6}));
  EXPECT_EQ(numbers("more than a million in revenue"), (std::vector<double>{1e6}));
  EXPECT_EQ(numbers("over 2 million, under 1.5 thousand"), (std::vector<double>{2e6, 1500}));
  // A letter run after the number is a word of its own, not a magnitude.
  EXPECT_EQ(numbers("5 km and 3 months"), (std::vector<double>{5, 3}));
  auto merged = tokenize_question("a million sales");
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].text, "a million");
  EXPECT_EQ(merged[1].lower, "sales");
}

TEST(QuestionParserTest, Verdicts) {
  EXPECT_EQ(check_question("What were total sales in 2023?").verdict, QuestionVerdict::kOk);
  EXPECT_EQ(check_question("").verdict, QuestionVerdict::kEmpty);
  EXPECT_EQ(check_question(" \t\n").verdict, QuestionVerdict::kEmpty);
  EXPECT_EQ(check_question(std::string(kMaxQuestionBytes + 1, 'x')).verdict, QuestionVerdict::kTooLong);
  EXPECT_EQ(check_question("bad \xc3\x28 byte").verdict, QuestionVerdict::kInvalidUtf8);
  EXPECT_EQ(check_question("overlong \xc0\xaf").verdict, QuestionVerdict::kInvalidUtf8);
  EXPECT_EQ(check_question("cut \xe2\x82").verdict, QuestionVerdict::kInvalidUtf8);
  EXPECT_EQ(check_question("café sales in Zürich").verdict, QuestionVerdict::kOk);
  EXPECT_EQ(check_question("delete all sales from 2023").verdict, QuestionVerdict::kWritesData);
  EXPECT_EQ(check_question("Can you please drop the sales table").verdict, QuestionVerdict::kWritesData);
  EXPECT_EQ(check_question("show me this; DELETE FROM sales").verdict, QuestionVerdict::kWritesData);
  // Words that only look like writes in the middle of a question are fine.
  EXPECT_EQ(check_question("How many products were updated in 2023?").verdict, QuestionVerdict::kOk);
  EXPECT_EQ(check_question("Welche Marke hat die meisten Verkäufe und wie viele?").verdict,
            QuestionVerdict::kOtherLanguage);
  EXPECT_EQ(check_question("\xd0\xa1\xd0\xba\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xba\xd0\xbe \xd0\xbf\xd1\x80\xd0\xbe"
                           "\xd0\xb4\xd0\xb0\xd0\xb6?")
                .verdict,
            QuestionVerdict::kOtherLanguage);
  EXPECT_FALSE(check_question("delete everything").reason.empty());
}

}  // namespace
}  // namespace t2sql
