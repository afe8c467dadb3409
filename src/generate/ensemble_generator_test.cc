#include "generate/ensemble_generator.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace t2sql {
namespace {

// A generator with a fixed answer, counting its calls: only the ensemble's
// choice between two engines is under test here (the real template engine
// and a real model are tested in their own files).
class FixedGenerator final : public Generator {
 public:
  FixedGenerator(std::string name, bool answered, double confidence, int* calls)
      : name_(std::move(name)), answered_(answered), confidence_(confidence), calls_(calls) {}
  std::string name() const override { return name_; }
  Result<GenerationResult> generate(const GenerationRequest&) override {
    ++*calls_;
    GenerationResult r;
    r.engine = name_;
    r.answered = answered_;
    r.confidence = confidence_;
    r.sql = answered_ ? "SELECT '" + name_ + "'" : "";
    r.reason = answered_ ? "" : "not confident enough (0.41 < 0.80)";
    r.attempts.push_back({.sql = r.sql, .error = r.reason});
    return r;
  }

 private:
  std::string name_;
  bool answered_;
  double confidence_;
  int* calls_;
};

TEST(TemplateFirstEnsembleTest, ConfidentTemplateAnswersWithoutAskingTheModel) {
  int template_calls = 0, llm_calls = 0;
  TemplateFirstEnsemble e(std::make_unique<FixedGenerator>("template", true, 0.93, &template_calls),
                          std::make_unique<FixedGenerator>("llm:m", true, 0, &llm_calls));
  auto out = e.generate({.question = "q"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->sql, "SELECT 'template'");
  EXPECT_EQ(out->engine, "ensemble:template");
  EXPECT_NE(out->reason.find("confident enough (0.93)"), std::string::npos) << out->reason;
  EXPECT_EQ(template_calls, 1);
  EXPECT_EQ(llm_calls, 0);
}

TEST(TemplateFirstEnsembleTest, BelowTheThresholdTheModelAnswers) {
  int template_calls = 0, llm_calls = 0;
  TemplateFirstEnsemble e(std::make_unique<FixedGenerator>("template", false, 0.41, &template_calls),
                          std::make_unique<FixedGenerator>("llm:m", true, 0, &llm_calls));
  auto out = e.generate({.question = "q"});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->answered);
  EXPECT_EQ(out->sql, "SELECT 'llm:m'");
  EXPECT_EQ(out->engine, "ensemble:llm:m");
  EXPECT_NE(out->reason.find("not confident enough"), std::string::npos) << out->reason;
  EXPECT_EQ(out->attempts.size(), 2u);  // the template's abstention, then the model's try
  EXPECT_EQ(llm_calls, 1);
}

TEST(TemplateFirstEnsembleTest, NeitherAnswersMeansAnAbstentionThatSaysWhy) {
  int template_calls = 0, llm_calls = 0;
  TemplateFirstEnsemble e(std::make_unique<FixedGenerator>("template", false, 0.2, &template_calls),
                          std::make_unique<FixedGenerator>("llm:m", false, 0, &llm_calls));
  auto out = e.generate({.question = "q"});
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->answered);
  EXPECT_NE(out->reason.find("template engine"), std::string::npos) << out->reason;
}

}  // namespace
}  // namespace t2sql
