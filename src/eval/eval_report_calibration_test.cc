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

TEST(EvalReportCalibrationTest, ReportsShowTheReliabilityTableAndPlot) {
  EvalRun run;
  run.suite = "s";
  run.mode = "template";
  for (int i = 0; i < 5; ++i) run.cases.push_back(answered_case(0.85, i < 4));
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
}

}  // namespace
}  // namespace t2sql
