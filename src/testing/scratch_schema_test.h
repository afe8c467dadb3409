// For the template engine's schema tests: a GoogleTest fixture over a scratch
// SQLite database made from a SQL script, opened, with its catalog and the
// engine (default options) over it; made once per test suite, removed after it.
//
//   class ClinicTest : public testing::ScratchSchemaTest {
//    protected:
//     static void SetUpTestSuite() { open_schema("clinic.db", kClinicSql); }
//   };
//   TEST_F(ClinicTest, Median) { expect_same_result("Median charge", "SELECT 75.0", "median"); }
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "db/result_comparator.h"
#include "generate/template_generator.h"
#include "sql/statement_guard.h"
#include "t2sql/database.h"
#include "testing/scratch_sqlite.h"

namespace t2sql::testing {

// Numbers within 0.5% compare equal unless a suite asks for less: a rule may
// round where the gold query does not.
inline constexpr double kScratchRowTolerance = 0.005;

// The state is static, as SetUpTestSuite needs. It belongs to the suite that
// is running: GoogleTest runs a suite's tests together, between its
// SetUpTestSuite and TearDownTestSuite, so the suites derived from this class
// take turns with it.
class ScratchSchemaTest : public ::testing::Test {
 protected:
  // Writes `file` in a fresh folder of the running suite's own
  // (<temp>/t2sql_<suite>_<pid>) from `script`, opens it, reads its catalog and
  // makes the engine. A failure fails the suite, whose tests GoogleTest then
  // skips. `rel_tolerance` is expect_same_result's.
  static void open_schema(const std::string& file, const char* script, double rel_tolerance = kScratchRowTolerance) {
    rel_tolerance_ = rel_tolerance;
    const auto* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    dir_ = std::filesystem::temp_directory_path() /
           ("t2sql_" + std::string(suite ? suite->name() : "scratch") + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string path = (dir_ / file).string();
    ASSERT_EQ(write_sqlite(path, script), "");
    auto db = Database::open(path);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = std::move(*db);
    auto catalog = db_->catalog();
    ASSERT_TRUE(catalog.ok()) << catalog.status().to_string();
    catalog_ = std::make_unique<Catalog>(std::move(*catalog));
    auto gen = TemplateGenerator::create(*catalog_, db_.get());
    ASSERT_TRUE(gen.ok()) << gen.status().to_string();
    gen_ = std::move(*gen);
  }

  // A suite with state of its own resets it, then calls this.
  static void TearDownTestSuite() {
    gen_.reset();
    catalog_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
  }

  // The reading of a fresh engine with these options (answered or not).
  static GenerationResult answer(const std::string& question, const TemplateOptions& options) {
    auto gen = TemplateGenerator::create(*catalog_, db_.get(), options);
    EXPECT_TRUE(gen.ok()) << gen.status().to_string();
    if (!gen.ok()) return {};
    auto out = (*gen)->generate({.question = question});
    EXPECT_TRUE(out.ok()) << out.status().to_string();
    return out.ok() ? *out : GenerationResult{};
  }

  // The engine answers, read-only, with the gold query's rows (within the
  // suite's tolerance; in order if `ordered`), and the named rule fired.
  static void expect_same_result(const std::string& question, const std::string& gold, const std::string& rule = "",
                                 bool ordered = false) {
    auto out = gen_->generate({.question = question});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    ASSERT_TRUE(out->answered) << question << ": " << out->reason;
    EXPECT_TRUE(check_read_only_statement(out->sql, Dialect::for_engine(db_->engine()).engine()).ok()) << out->sql;
    auto want = db_->execute(gold);
    ASSERT_TRUE(want.ok()) << gold << ": " << want.status().to_string();
    ASSERT_FALSE(want->rows.empty()) << "a gold query with no rows tests little: " << gold;
    auto got = db_->execute(out->sql);
    ASSERT_TRUE(got.ok()) << out->sql << ": " << got.status().to_string();
    auto same = compare_results(*want, *got, {.ordered = ordered, .rel_tolerance = rel_tolerance_});
    EXPECT_TRUE(same.equal) << same.reason << ": " << question << "\n  sql: " << out->sql;
    if (!rule.empty()) {
      EXPECT_TRUE(fired(*out, rule)) << question << ": rule " << rule << " did not fire\n  sql: " << out->sql;
    }
  }

  static bool fired(const GenerationResult& result, const std::string& rule) {
    return std::find(result.rules.begin(), result.rules.end(), rule) != result.rules.end();
  }
  static bool has(const std::string& sql, const std::string& part) { return sql.find(part) != std::string::npos; }

  static inline std::filesystem::path dir_;
  static inline std::unique_ptr<Database> db_;
  static inline std::unique_ptr<Catalog> catalog_;
  static inline std::unique_ptr<TemplateGenerator> gen_;
  static inline double rel_tolerance_ = kScratchRowTolerance;
};

}  // namespace t2sql::testing
