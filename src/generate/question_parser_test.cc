#include "generate/question_parser.h"

#include <gtest/gtest.h>

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
