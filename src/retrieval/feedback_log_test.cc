#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "t2sql/feedback.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

std::string fresh_path(const std::string& name) {
  std::string dir = t2sql::testing::own_temp_path("feedback_log_test_") + name;
  std::filesystem::remove_all(dir);
  return dir + "/sub/feedback.jsonl";  // the folder is created by append()
}

TEST(FeedbackLog, MissingFileIsEmpty) {
  auto log = FeedbackLog::load(fresh_path("missing"));
  ASSERT_TRUE(log.ok()) << log.status().message();
  EXPECT_TRUE(log->entries().empty());
  EXPECT_TRUE(log->accepted_examples().empty());
}

TEST(FeedbackLog, AppendedEntriesComeBackWithTime) {
  std::string path = fresh_path("append");
  ASSERT_TRUE(FeedbackLog::append(path, {.question = "total sales in 2023", .sql = "SELECT 1", .rating = "up"}).ok());
  ASSERT_TRUE(FeedbackLog::append(path, {.question = "q2", .sql = "SELECT 2", .accepted = true, .comment = "ok"}).ok());
  auto log = FeedbackLog::load(path);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->entries().size(), 2u);
  EXPECT_EQ(log->entries()[0].rating, "up");
  EXPECT_EQ(log->entries()[0].time.size(), 20u);  // 2026-01-02T03:04:05Z
  EXPECT_TRUE(log->entries()[1].accepted);
  EXPECT_EQ(log->entries()[1].comment, "ok");
  ASSERT_EQ(log->accepted_examples().size(), 1u);
  EXPECT_EQ(log->accepted_examples()[0].sql, "SELECT 2");
}

TEST(FeedbackLog, LaterAcceptanceReplacesAndDownVoteOfTheSameSqlWithdraws) {
  std::string path = fresh_path("rules");
  auto add = [&](FeedbackEntry e) { ASSERT_TRUE(FeedbackLog::append(path, e).ok()); };
  add({.question = "Sales in 2023?", .sql = "SELECT a", .accepted = true});
  add({.question = "  sales   IN 2023 ", .sql = "SELECT b", .accepted = true});  // the same question
  add({.question = "stores by region", .sql = "SELECT c", .accepted = true});
  add({.question = "stores by region", .sql = "SELECT other", .rating = "down"});  // another SQL: no effect
  add({.question = "top brands", .sql = "SELECT d", .accepted = true});
  add({.question = "top brands", .sql = "SELECT d", .rating = "down"});  // the stored answer is wrong after all
  auto log = FeedbackLog::load(path);
  ASSERT_TRUE(log.ok());
  auto accepted = log->accepted_examples();
  ASSERT_EQ(accepted.size(), 2u);
  EXPECT_EQ(accepted[0].question, "  sales   IN 2023 ");
  EXPECT_EQ(accepted[0].sql, "SELECT b");
  EXPECT_EQ(accepted[1].sql, "SELECT c");
}

TEST(FeedbackLog, BadLinesAreSkippedAndCounted) {
  std::string path = fresh_path("bad");
  ASSERT_TRUE(FeedbackLog::append(path, {.question = "q", .sql = "SELECT 1", .accepted = true}).ok());
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"question\": \"cut short\n[1, 2]\n{\"question\": \"\", \"sql\": \"x\", \"accepted\": true}\n\n";
  }
  auto log = FeedbackLog::load(path);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->entries().size(), 1u);
  EXPECT_EQ(log->skipped_lines(), 3);
}

TEST(FeedbackLog, EntriesAreChecked) {
  std::string path = fresh_path("checks");
  auto problem = [&](FeedbackEntry e) { return FeedbackLog::append(path, e).message(); };
  EXPECT_NE(problem({.question = " ?", .rating = "up"}).find("question is empty"), std::string::npos);
  EXPECT_NE(problem({.question = "q", .rating = "meh"}).find("rating 'meh'"), std::string::npos);
  EXPECT_NE(problem({.question = "q", .sql = " ", .accepted = true}).find("needs its SQL"), std::string::npos);
  EXPECT_NE(problem({.question = "q"}).find("needs a rating"), std::string::npos);
  EXPECT_NE(problem({.question = std::string(5000, 'a'), .rating = "up"}).find("too long"), std::string::npos);
  EXPECT_NE(problem({.question = "q\xff", .rating = "up"}).find("UTF-8"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));  // nothing was written
}

TEST(FeedbackLog, QuestionKeyIgnoresCaseSpacingAndClosingPunctuation) {
  EXPECT_EQ(feedback_question_key("  Total Sales\tin 2023 ?! "), "total sales in 2023");
  EXPECT_NE(feedback_question_key("sales in 2023"), feedback_question_key("sales in 2024"));
  EXPECT_EQ(default_feedback_path("/tmp/x.db").substr(default_feedback_path("/tmp/x.db").size() - 14),
            "feedback.jsonl");
}

}  // namespace
}  // namespace t2sql
