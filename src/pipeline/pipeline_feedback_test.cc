// Feedback in the pipeline, with the real template engine over the real demo
// warehouse: an answer a user corrected and accepted is what the next ask of
// the same question returns (engine "feedback"), in this pipeline and in a
// new one; it leads the few-shot examples of similar questions; a down-vote
// of it withdraws it. And SQL given with a question (a user's edit) runs
// through validation, the guard and execution as a generated one.
#include <gtest/gtest.h>

#include <filesystem>

#include "t2sql/demo.h"
#include "t2sql/feedback.h"
#include "t2sql/pipeline.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

const char* kCorrected = "SELECT region, COUNT(*) AS active_stores FROM stores GROUP BY region ORDER BY region";

class PipelineFeedbackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_path_ = t2sql::testing::own_temp_path("pipeline_feedback_demo.db");
    ASSERT_TRUE(create_demo_warehouse(db_path_, true).ok());
  }
  void SetUp() override {
    feedback_path_ = t2sql::testing::own_temp_path("pipeline_feedback_") +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl";
    std::filesystem::remove(feedback_path_);
  }
  std::unique_ptr<Pipeline> pipeline() {
    auto db = Database::open(db_path_);
    EXPECT_TRUE(db.ok());
    PipelineOptions po;
    po.feedback_path = feedback_path_;
    auto p = Pipeline::create(std::move(*db), po);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return std::move(*p);
  }
  static std::string db_path_;
  std::string feedback_path_;
};
std::string PipelineFeedbackTest::db_path_;

TEST_F(PipelineFeedbackTest, CorrectedAnswerIsReturnedTheNextTimeTheQuestionIsAsked) {
  auto p = pipeline();
  AskResult before = p->ask("Active stores by region");
  ASSERT_TRUE(before.answered) << before.reason;
  EXPECT_EQ(before.engine, "template");
  ASSERT_NE(before.sql, kCorrected);

  ASSERT_TRUE(
      FeedbackLog::append(
          feedback_path_,
          {.question = "active stores by region?", .sql = kCorrected, .original_sql = before.sql, .accepted = true})
          .ok());
  AskResult after = p->ask("Active stores by region");
  ASSERT_TRUE(after.answered) << after.reason;
  EXPECT_EQ(after.sql, kCorrected);
  EXPECT_EQ(after.engine, "feedback");
  EXPECT_EQ(after.rows.columns[1], "active_stores");
  EXPECT_EQ(after.rows.rows.size(), 5u);
  EXPECT_FALSE(after.chart_vega_lite.empty());

  // A new pipeline (another process) reads the same file.
  EXPECT_EQ(pipeline()->ask("ACTIVE stores by region.").sql, kCorrected);
  // Other questions are the engine's own.
  EXPECT_EQ(p->ask("What were total sales in 2023?").engine, "template");

  // The user said the stored answer is wrong after all: the engine answers again.
  ASSERT_TRUE(
      FeedbackLog::append(feedback_path_, {.question = "Active stores by region", .sql = kCorrected, .rating = "down"})
          .ok());
  AskResult withdrawn = p->ask("Active stores by region");
  EXPECT_EQ(withdrawn.engine, "template");
  EXPECT_EQ(withdrawn.sql, before.sql);
}

TEST_F(PipelineFeedbackTest, AcceptedAnswersLeadTheFewShotExamples) {
  ASSERT_TRUE(
      FeedbackLog::append(feedback_path_, {.question = "Active stores by region", .sql = kCorrected, .accepted = true})
          .ok());
  auto p = pipeline();
  auto request = p->generation_request("How many active stores per region are there?");
  ASSERT_TRUE(request.ok());
  ASSERT_FALSE(request->examples.empty());
  EXPECT_EQ(request->examples[0].sql, kCorrected);
  // A question that shares nothing with it gets no example.
  auto other = p->generation_request("average discount of brands");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->examples.empty());
}

TEST_F(PipelineFeedbackTest, GivenSqlRunsThroughTheGuardAndTheStages) {
  auto p = pipeline();
  Session session;
  AskOptions given;
  given.sql = "SELECT region, COUNT(*) AS n FROM stores GROUP BY region";
  AskResult r = p->ask("stores per region", &session, given);
  ASSERT_TRUE(r.answered) << r.reason;
  EXPECT_EQ(r.engine, "user");
  EXPECT_EQ(r.rows.rows.size(), 5u);
  EXPECT_FALSE(r.answer.empty());
  ASSERT_EQ(session.turns.size(), 1u);
  EXPECT_EQ(session.turns[0].sql, *given.sql);
  for (const auto& s : r.stages)
    if (s.name == "intent" || s.name == "entities" || s.name == "retrieval") EXPECT_EQ(s.status, "skipped") << s.name;

  given.sql = "DELETE FROM sales";
  AskResult refused = p->ask("remove the sales", nullptr, given);
  EXPECT_FALSE(refused.answered);
  EXPECT_FALSE(refused.reason.empty());
  given.sql = "SELECT nope FROM stores";
  AskResult broken = p->ask("a typo", nullptr, given);
  EXPECT_FALSE(broken.answered);
  EXPECT_NE(broken.reason.find("nope"), std::string::npos) << broken.reason;
}

}  // namespace
}  // namespace t2sql
