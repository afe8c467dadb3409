#include <gtest/gtest.h>

#include "eval/eval_report.h"

namespace t2sql {
namespace {

CaseResult answered_case(double confidence, bool correct) {
  CaseResult c;
  c.answered = true;
  c.executed = true;
  c.correct = correct;
  c.confidence = confidence;
  return c;
}

TEST(EvalReportCalibrationTest, ReliabilityBinsAndExpectedCalibrationError) {
  std::vector<CaseResult> cases;
  // 0.95: 4 answers, 3 right (0.75); 0.55: 2 answers, 1 right (0.5); one abstention.
  for (int i = 0; i < 4; ++i) cases.push_back(answered_case(0.95, i < 3));
  cases.push_back(answered_case(0.55, true));
  cases.push_back(answered_case(0.55, false));
  CaseResult abstained;
  abstained.confidence = 0.1;
  cases.push_back(abstained);
  std::vector<const CaseResult*> ptrs;
  for (const auto& c : cases) ptrs.push_back(&c);
  EvalMetrics m = compute_metrics(ptrs);
  ASSERT_EQ(m.reliability.size(), 10u);
  EXPECT_EQ(m.reliability[9].n, 4);
  EXPECT_EQ(m.reliability[9].correct, 3);
  EXPECT_NEAR(m.reliability[9].mean_confidence, 0.95, 1e-12);
  EXPECT_EQ(m.reliability[5].n, 2);
  EXPECT_EQ(m.reliability[1].n, 0);  // the abstention is not an answer
  // |0.75 - 0.95| * 4/6 + |0.5 - 0.55| * 2/6
  EXPECT_NEAR(m.ece, 0.2 * 4 / 6 + 0.05 * 2 / 6, 1e-12);
  EXPECT_EQ(m.confident, 4);
  EXPECT_DOUBLE_EQ(m.confident_accuracy, 0.75);

  std::vector<const CaseResult*> none = {&cases.back()};
  EvalMetrics empty = compute_metrics(none);
  EXPECT_LT(empty.ece, 0);
  EXPECT_LT(empty.confident_accuracy, 0);
}

TEST(EvalReportCalibrationTest, ChanceAloneShrinksWithMoreAnswers) {
  // Answers right exactly as often as they say: the measured ECE is only
  // chance, and ece_chance says how much chance to expect.
  auto honest = [](int n) {
    std::vector<std::pair<double, bool>> answers;
    for (int i = 0; i < n; ++i) answers.emplace_back(0.75, i % 4 != 0);
    return calibration_metrics(answers);
  };
  CalibrationMetrics few = honest(40), many = honest(4000);
  EXPECT_NEAR(few.ece, 0, 1e-12);
  EXPECT_GT(few.ece_chance, 0.03);  // about sqrt(0.75 * 0.25 / 40) * 0.8
  EXPECT_LT(few.ece_chance, 0.1);
  EXPECT_LT(many.ece_chance, 0.01);
  EXPECT_DOUBLE_EQ(honest(40).ece_chance, few.ece_chance);  // a fixed seed: the same figure every run
  EXPECT_LT(calibration_metrics({}).ece_chance, 0);
}

TEST(EvalReportCalibrationTest, ReportsShowTheReliabilityTableAndPlot) {
  EvalRun run;
  run.suite = "s";
  run.mode = "template";
  for (int i = 0; i < 5; ++i) run.cases.push_back(answered_case(0.85, i < 4));
  run.cases[0].rules = {"group_by", "ordering"};  // the rules behind a reading, for per-rule calibration
  EvalSummary s = summarize(run);
  std::string table = report_table({s});
  EXPECT_NE(table.find("calibration error"), std::string::npos) << table;
  EXPECT_NE(table.find("reliability (template)"), std::string::npos) << table;
  EXPECT_NE(table.find("0.8-0.9"), std::string::npos) << table;
  std::string md = report_markdown({s}, {&run}, "r.calibration.svg");
  EXPECT_NE(md.find("## Calibration"), std::string::npos);
  EXPECT_NE(md.find("![reliability diagram](r.calibration.svg)"), std::string::npos);
  EXPECT_NE(md.find("| 0.8-0.9 | 5 | 0.850 | 80.0% |"), std::string::npos) << md;
  std::string svg = reliability_svg({s});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("<circle"), std::string::npos);
  EXPECT_NE(svg.find("template (ECE 0.050)"), std::string::npos) << svg;
  std::string json = report_json({s}, {&run}, false);
  EXPECT_NE(json.find("\"ece\": 0.05"), std::string::npos) << json;
  EXPECT_NE(json.find("\"ece_chance\": "), std::string::npos) << json;
  std::string with_cases = report_json({s}, {&run}, true);
  EXPECT_NE(with_cases.find("\"rules\""), std::string::npos) << with_cases;
  EXPECT_NE(with_cases.find("\"ordering\""), std::string::npos) << with_cases;
  EXPECT_NE(table.find("(chance "), std::string::npos) << table;
}

}  // namespace
}  // namespace t2sql
