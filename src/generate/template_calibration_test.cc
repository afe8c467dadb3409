#include "generate/template_calibration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

namespace t2sql {
namespace {

// Readings whose chance of being right is known: 0.15 + 0.2 * links_weak'
// complement, so that the fitted probabilities can be checked against it.
std::vector<CalibrationSample> known_samples(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> level(0, 4);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<CalibrationSample> out;
  for (int i = 0; i < n; ++i) {
    int x = level(rng);
    double p_right = 0.95 - 0.2 * x;  // 0.95, 0.75, 0.55, 0.35, 0.15
    CalibrationSample s;
    s.features = {{"unexplained_words", x}, {"noise", u(rng)}};
    s.correct = u(rng) < p_right;
    out.push_back(s);
  }
  return out;
}

TEST(TemplateCalibrationTest, FittedProbabilitiesMatchTheRatesTheyDescribe) {
  auto samples = known_samples(6000, 7);
  auto cal = TemplateCalibration::fit(samples, {.l2 = 1.0, .target_accuracy = 0.85});
  ASSERT_TRUE(cal.ok()) << cal.status().message();
  for (int x = 0; x <= 4; ++x) {
    double want = 0.95 - 0.2 * x;
    double got = cal->probability({{"unexplained_words", x}, {"noise", 0.5}});
    EXPECT_NEAR(got, want, 0.05) << "unexplained_words " << x;
  }
  // More words left unplaced never makes an answer more likely right.
  EXPECT_GT(cal->probability({{"unexplained_words", 0}}), cal->probability({{"unexplained_words", 1}}));
  // The threshold keeps answers right at least 85% of the time on the fit data.
  int answered = 0, right = 0;
  for (const auto& s : samples) {
    if (cal->probability(s.features) < cal->threshold()) continue;
    ++answered;
    right += s.correct;
  }
  ASSERT_GT(answered, 0);
  EXPECT_GE(static_cast<double>(right) / answered, 0.85);
  // ...and held-out samples of the same kind agree (the honesty check).
  auto held_out = known_samples(3000, 11);
  double bins[10][3] = {};
  for (const auto& s : held_out) {
    double p = cal->probability(s.features);
    auto& b = bins[std::min(9, static_cast<int>(p * 10))];
    b[0] += 1;
    b[1] += s.correct;
    b[2] += p;
  }
  double ece = 0;
  for (const auto& b : bins) {
    if (b[0] > 0) ece += std::fabs(b[1] - b[2]) / static_cast<double>(held_out.size());
  }
  EXPECT_LT(ece, 0.03);
}

TEST(TemplateCalibrationTest, ExtraReadingsThatDoNotSetTheThresholdCannotLowerIt) {
  // The main suite's readings, then an easy suite's: every one right, at
  // the level where the main suite is right 55% of the time.
  auto main_samples = known_samples(4000, 5);
  auto with_easy = main_samples;
  for (int i = 0; i < 3000; ++i) {
    CalibrationSample s;
    s.features = {{"unexplained_words", 2}, {"noise", 0.5}};
    s.correct = true;
    s.sets_threshold = false;
    with_easy.push_back(s);
  }
  auto cal = TemplateCalibration::fit(with_easy, {.target_accuracy = 0.85});
  ASSERT_TRUE(cal.ok()) << cal.status().message();
  int answered = 0, right = 0;
  for (const auto& s : main_samples) {
    if (cal->probability(s.features) < cal->threshold()) continue;
    ++answered;
    right += s.correct;
  }
  ASSERT_GT(answered, 0);
  EXPECT_GE(static_cast<double>(right) / answered, 0.85);
  // Counted for the threshold, the same easy readings would have lowered it.
  for (auto& s : with_easy) s.sets_threshold = true;
  auto lowered = TemplateCalibration::fit(with_easy, {.target_accuracy = 0.85});
  ASSERT_TRUE(lowered.ok());
  EXPECT_LT(lowered->threshold(), cal->threshold());
}

// Readings of `dbs` databases; on each database a feature that means nothing
// elsewhere ("db_quirk") happens to go with right answers, as a fit that
// sees the database can learn and a new database cannot use.
std::vector<CalibrationSample> databases_with_quirks(int dbs, int per_db, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<CalibrationSample> out;
  for (int d = 0; d < dbs; ++d) {
    for (int i = 0; i < per_db; ++i) {
      CalibrationSample s;
      int x = static_cast<int>(u(rng) * 5);
      s.correct = u(rng) < 0.95 - 0.2 * x;
      s.features = {{"unexplained_words", x}, {"db_quirk_" + std::to_string(d), s.correct ? 1.0 : 0.0}};
      s.group = "db" + std::to_string(d);
      out.push_back(s);
    }
  }
  return out;
}

TEST(TemplateCalibrationTest, FoldsKeepEachDatabaseTogetherAndAreStable) {
  EXPECT_EQ(calibration_fold("concert_singer", 5), calibration_fold("concert_singer", 5));
  EXPECT_EQ(calibration_fold("anything", 1), 0);
  int seen[5] = {};
  for (int d = 0; d < 200; ++d) {
    int f = calibration_fold("db" + std::to_string(d), 5);
    ASSERT_GE(f, 0);
    ASSERT_LT(f, 5);
    ++seen[f];
  }
  for (int n : seen) EXPECT_GT(n, 20);  // every fold gets a share of the databases
}

TEST(TemplateCalibrationTest, HeldOutDatabasesShowWhatTheFitMemorized) {
  // Features that identify a database look perfect in-sample; scored by
  // fits that never saw the database they are worth nothing, and the
  // held-out measurement says so.
  auto samples = databases_with_quirks(40, 60, 3);
  auto cal = TemplateCalibration::fit(samples, {.l2 = 0.01});
  ASSERT_TRUE(cal.ok());
  auto held = TemplateCalibration::cross_validate(samples, {.l2 = 0.01}, 5);
  ASSERT_TRUE(held.ok()) << held.status().message();
  ASSERT_EQ(held->probability.size(), samples.size());
  double in_brier = 0, out_brier = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    double y = samples[i].correct ? 1 : 0;
    in_brier += std::pow(cal->probability(samples[i].features) - y, 2);
    out_brier += std::pow(held->probability[i] - y, 2);
    EXPECT_GE(held->threshold[i], 0);
  }
  EXPECT_LT(in_brier / samples.size(), 0.05);   // memorized
  EXPECT_GT(out_brier / samples.size(), 0.12);  // ...and useless on a new database
  EXPECT_FALSE(TemplateCalibration::cross_validate(samples, {}, 1).ok());
}

TEST(TemplateCalibrationTest, CrossFittingIsNoSurerThanHeldOutScoresWere) {
  // In-sample, the memorized quirks make the isotonic map all but certain;
  // cross-fitted by database, the map is fitted on scores from fits that
  // never saw the database, which are right 95% of the time at best.
  auto samples = databases_with_quirks(40, 60, 5);
  auto in_sample = TemplateCalibration::fit(samples, {.l2 = 0.01, .target_accuracy = 0.85});
  auto cross_fitted = TemplateCalibration::fit(samples, {.l2 = 0.01, .target_accuracy = 0.85, .folds = 5});
  ASSERT_TRUE(in_sample.ok());
  ASSERT_TRUE(cross_fitted.ok()) << cross_fitted.status().message();
  double in_max = 0, cross_max = 0;
  for (const auto& s : samples) {
    in_max = std::max(in_max, in_sample->probability(s.features));
    cross_max = std::max(cross_max, cross_fitted->probability(s.features));
  }
  EXPECT_GT(in_max, 0.995);
  EXPECT_LT(cross_max, 0.99);  // 0.95 at best, plus the luck of the top block
  // The fold count is recorded in the file.
  EXPECT_NE(cross_fitted->to_json().find("\"folds\": 5"), std::string::npos);
  auto back = TemplateCalibration::from_json(cross_fitted->to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_DOUBLE_EQ(back->threshold(), cross_fitted->threshold());
}

TEST(TemplateCalibrationTest, JsonRoundTripKeepsTheModel) {
  auto cal = TemplateCalibration::fit(known_samples(2000, 3), {.fitted_on = "test", .command = "none"});
  ASSERT_TRUE(cal.ok());
  auto back = TemplateCalibration::from_json(cal->to_json());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_DOUBLE_EQ(back->threshold(), cal->threshold());
  ReadingFeatures f = {{"unexplained_words", 2}, {"noise", 0.1}};
  EXPECT_NEAR(back->probability(f), cal->probability(f), 1e-9);
  // A feature the model never saw counts nothing.
  f["a_new_rule_fired"] = 1;
  EXPECT_NEAR(back->probability(f), cal->probability({{"unexplained_words", 2}, {"noise", 0.1}}), 1e-9);
}

TEST(TemplateCalibrationTest, UnusableInputIsRefusedWithAReason) {
  std::vector<CalibrationSample> all_right(10, CalibrationSample{{{"x", 1}}, true});
  auto one_label = TemplateCalibration::fit(all_right, {});
  ASSERT_FALSE(one_label.ok());
  EXPECT_NE(one_label.status().message().find("both right and wrong"), std::string::npos);
  for (const char* bad :
       {"[1, 2]", "not json", R"({"weights": [1]})", R"({"threshold": 3})",
        R"({"weights": {"x": 1}, "isotonic": [[0.5, 0.9], [0.6, 0.2]]})", R"({"weights": {"x": "heavy"}})"}) {
    EXPECT_FALSE(TemplateCalibration::from_json(bad).ok()) << bad;
  }
}

TEST(TemplateCalibrationTest, UnfittedCalibrationIsTheRulesOwnScore) {
  auto empty = TemplateCalibration::from_json(R"({"threshold": 0.7, "weights": {}})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_DOUBLE_EQ(empty->probability({{"rule_score", 0.64}}), 0.64);
  EXPECT_DOUBLE_EQ(empty->probability({{"rule_score", 1.7}}), 1.0);
}

TEST(TemplateCalibrationTest, CompiledInCalibrationIsTheCheckedInFile) {
  std::ifstream in(std::string(T2SQL_SOURCE_DIR) + "/data/template_calibration.json");
  ASSERT_TRUE(in) << "data/template_calibration.json is missing";
  std::stringstream text;
  text << in.rdbuf();
  auto file = TemplateCalibration::from_json(text.str());
  ASSERT_TRUE(file.ok()) << file.status().message();
  const TemplateCalibration& builtin = TemplateCalibration::builtin();
  EXPECT_DOUBLE_EQ(builtin.threshold(), file->threshold());
  EXPECT_EQ(builtin.weights().size(), file->weights().size());
  ReadingFeatures reading = {{"rule_score", 1.0}, {"unexplained_words", 1}, {"links", 2}, {"link_min", 0.9}};
  EXPECT_DOUBLE_EQ(builtin.probability(reading), file->probability(reading));
}

}  // namespace
}  // namespace t2sql
