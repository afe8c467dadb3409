#include "eval/llm_judge.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(LlmJudge, PromptHoldsTheDesignQuestionAndBothQueries) {
  std::string p = judge_prompt("total sales?", "SELECT SUM(amount) FROM sales", "SELECT sum(amount) FROM sales");
  EXPECT_NE(p.find("Are these SQL queries functionally the same?"), std::string::npos);
  EXPECT_NE(p.find("SELECT SUM(amount) FROM sales"), std::string::npos);
  EXPECT_NE(p.find("SELECT sum(amount) FROM sales"), std::string::npos);
}

TEST(LlmJudge, ParsesOneOrZero) {
  EXPECT_TRUE(*parse_judge_answer("1"));
  EXPECT_FALSE(*parse_judge_answer(" 0\n"));
  EXPECT_TRUE(*parse_judge_answer("Answer: 1."));
  EXPECT_FALSE(*parse_judge_answer("They differ, so 0"));
  EXPECT_FALSE(parse_judge_answer("10 rows differ").ok());
  EXPECT_FALSE(parse_judge_answer("yes").ok());
}

}  // namespace
}  // namespace t2sql
