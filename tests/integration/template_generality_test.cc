// Generality, tested: the template engine on the demo suite and on Spider
// dev-open (databases its rules were not written for) must not fall below
// the figures measured when they last moved, and its confidence is the
// calibrated probability that `t2sql eval --fit-calibration` fits.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace t2sql::testing {
namespace {

namespace fs = std::filesystem;

// Execution accuracy floors (fractions), the figures of README's "Measured
// (template engine)" table; raise them when the engine improves.
constexpr const char* kDemoFloor = "1.0";
constexpr const char* kDevOpenFloor = "0.543";
constexpr const char* kAnalyst2Floor = "1.0";

std::string shared_data(const std::string& name) {
  const char* env = std::getenv("T2SQL_SHARED_DIR");
  return (env && *env ? std::string(env) : std::string(T2SQL_SOURCE_DIR) + "/../shared") + "/data/" + name;
}

TEST(TemplateGeneralityTest, DemoSuiteStaysAtItsFigure) {
  std::string dir = temp_dir("generality_demo");
  auto r = run_t2sql({"eval", "--suite", "demo", "--db", demo_db(), "--mode", "template", "--jobs", "2", "--quiet",
                      "--fail-under", kDemoFloor, "--json", dir + "/out.json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(read_file(dir + "/out.json"));
  EXPECT_TRUE(j["ece"].is_number());
  EXPECT_EQ(j["reliability"].size(), 10u);
}

TEST(TemplateGeneralityTest, AnalystSuite2StaysAtItsFigure) {
  // data/suites/analyst2.jsonl: 43 business questions about the demo warehouse (README "Analyst suite 2").
  auto r = run_t2sql({"eval", "--suite", "demo", "--db", demo_db(), "--data",
                      std::string(T2SQL_SOURCE_DIR) + "/data/suites/analyst2.jsonl", "--mode", "template", "--jobs",
                      "2", "--quiet", "--fail-under", kAnalyst2Floor});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(TemplateGeneralityTest, SpiderDevOpenStaysAtItsFigure) {
  std::string data = shared_data("spider-dev-open");
  if (!fs::exists(data + "/dev.json")) GTEST_SKIP() << "no shared Spider data";
  auto r = run_t2sql({"eval", "--suite", "spider", "--data", data, "--mode", "template", "--jobs", "2", "--quiet",
                      "--fail-under", kDevOpenFloor});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(TemplateGeneralityTest, FitCalibrationWritesAModelThatLoads) {
  std::string data = shared_data("spider-train") + "/train.json";
  if (!fs::exists(data)) GTEST_SKIP() << "no shared Spider train data";
  std::string dir = temp_dir("generality_fit");
  auto r = run_t2sql({"eval", "--suite", "spider", "--data", data, "--mode", "template", "--limit", "300", "--quiet",
                      "--jobs", "2", "--fit-calibration", dir + "/cal.json", "--markdown", dir + "/report.md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("calibration fitted on"), std::string::npos) << r.out;
  auto j = nlohmann::json::parse(read_file(dir + "/cal.json"));
  EXPECT_FALSE(j["weights"].empty());
  EXPECT_GT(j["threshold"].get<double>(), 0.0);
  EXPECT_LE(j["threshold"].get<double>(), 1.0);
  EXPECT_NE(j["command"].get<std::string>().find("--fit-calibration"), std::string::npos);
  // The Markdown report links the reliability diagram written beside it.
  EXPECT_NE(read_file(dir + "/report.md").find("report.calibration.svg"), std::string::npos);
  EXPECT_NE(read_file(dir + "/report.calibration.svg").find("<svg"), std::string::npos);
}

TEST(TemplateGeneralityTest, BadCalibrationOptionsAreOneLineErrors) {
  std::string dir = temp_dir("generality_bad");
  auto r = run_t2sql({"eval", "--suite", "demo", "--db", demo_db(), "--mode", "template,gold", "--fit-calibration",
                      dir + "/cal.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--mode template alone"), std::string::npos) << r.err;
  r = run_t2sql({"eval", "--suite", "demo", "--db", demo_db(), "--min-confidence", "1.5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--min-confidence"), std::string::npos) << r.err;
  r = run_t2sql({"eval", "--suite", "demo", "--db", demo_db(), "--fit-calibration", dir + "/no/such/cal.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/cal.json"));
}

}  // namespace
}  // namespace t2sql::testing
