// The template engine on the real demo warehouse: the question records of
// tests/cases/*.test (answers with their rows, abstentions, refusals), and
// bad input answered without SQL.
#include "generate/template_generator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "generate/question_reading.h"
#include "testing/sql_case_files.h"
#include "sql/statement_guard.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

// Numbers within 0.5% compare equal: a rule may round where the gold query does not.
constexpr double kRowTolerance = 0.005;

class TemplateGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // CTest runs each test in its own process: the warehouse is built once
    // per test binary (keyed by its modification time) and then reused; it
    // is renamed into place whole, so concurrent builds are harmless.
    std::error_code ec;
    auto stamp = std::filesystem::last_write_time("/proc/self/exe", ec).time_since_epoch().count();
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("t2sql_template_test_" + std::to_string(stamp)));
    std::filesystem::create_directories(*dir_);
    std::string path = (*dir_ / "demo.db").string();
    if (!std::filesystem::exists(path)) {
      auto made = create_demo_warehouse(path, true);
      ASSERT_TRUE(made.ok() || std::filesystem::exists(path)) << made.status().to_string();
    }
    auto db = Database::open(path);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = db->release();
    auto catalog = db_->catalog();
    ASSERT_TRUE(catalog.ok());
    auto gen = TemplateGenerator::create(*catalog, db_);
    ASSERT_TRUE(gen.ok()) << gen.status().to_string();
    gen_ = gen->release();
  }
  static void TearDownTestSuite() {
    delete gen_;
    delete db_;
    delete dir_;
  }

  static GenerationResult ask(const std::string& question) {
    auto out = gen_->generate({.question = question});
    EXPECT_TRUE(out.ok()) << out.status().to_string();
    if (!out.ok()) return {};
    if (out->answered) {
      EXPECT_TRUE(check_read_only_statement(out->sql, Dialect::for_engine(db_->engine()).engine()).ok()) << out->sql;
    }
    return *out;
  }

  static std::filesystem::path* dir_;
  static Database* db_;
  static TemplateGenerator* gen_;
};

std::filesystem::path* TemplateGeneratorTest::dir_ = nullptr;
Database* TemplateGeneratorTest::db_ = nullptr;
TemplateGenerator* TemplateGeneratorTest::gen_ = nullptr;

// The question records of tests/cases/*.test on the demo warehouse: each
// question's answer must give the record's rows, or the engine must abstain
// or refuse as the record says. (src/pipeline/question_cases_pg_test.cc asks
// the same records through the pipeline on every engine.)
TEST_F(TemplateGeneratorTest, QuestionRecordsOfTheCaseFiles) {
  testing::run_question_cases_on("sqlite", "demo", [](const std::string& question) {
    testing::QuestionOutcome got;
    GenerationResult out = ask(question);
    got.answered = out.answered;
    got.refused = out.reason.rfind("refused:", 0) == 0;
    got.reason = out.reason;
    got.sql = out.sql;
    if (out.answered) {
      // The rules were sure; the reported confidence is the calibrated probability.
      EXPECT_GT(out.confidence_features["rule_score"], 0.5) << question;
      EXPECT_GE(out.confidence, 0.0);
      EXPECT_LE(out.confidence, 1.0);
      got.rows = db_->execute(out.sql, {.timeout_ms = 20000, .max_rows = 0});
    }
    return got;
  });
}

// With the entity stage's reading in the request, the engine takes its value
// links from it instead of searching the value index again: a reading that
// links "Apple" to another brand is followed, and one that found no value
// leaves the word unlinked.
TEST_F(TemplateGeneratorTest, ValueLinksComeFromTheEntityStagesReading) {
  const std::string q = "Total sales of Apple";
  GenerationResult own = ask(q);
  ASSERT_TRUE(own.answered) << own.reason;
  EXPECT_NE(own.sql.find("'Apple'"), std::string::npos) << own.sql;

  GenerationRequest same{.question = q};
  same.reading = QuestionReading{};
  same.reading->values = gen_->value_index().link(q);
  auto with_reading = gen_->generate(same);
  ASSERT_TRUE(with_reading.ok());
  EXPECT_EQ(with_reading->sql, own.sql);

  GenerationRequest other{.question = q};
  other.reading = QuestionReading{};
  other.reading->values = {{"brands", "brand_name", "Samsung", "Apple", 1.0}};
  auto followed = gen_->generate(other);
  ASSERT_TRUE(followed.ok());
  EXPECT_NE(followed->sql.find("'Samsung'"), std::string::npos) << followed->sql;

  GenerationRequest none{.question = q};
  none.reading = QuestionReading{};
  auto unlinked = gen_->generate(none);
  ASSERT_TRUE(unlinked.ok());
  EXPECT_EQ(unlinked->sql.find("'Apple'"), std::string::npos) << unlinked->sql;
}

// The engine reads numbers, months and top-k from the request's reading
// (read_question(), which the entity stage calls): given read_question()'s
// reading it writes the SQL it writes alone, and a reading that says
// something else is followed: another top-k, amount or month.
TEST_F(TemplateGeneratorTest, NumbersMonthsAndTopKComeFromTheReading) {
  auto with = [](const std::string& q, const QuestionReading& reading) {
    GenerationRequest req{.question = q};
    req.reading = reading;
    auto out = gen_->generate(req);
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : GenerationResult{};
  };
  for (const char* q : {"Top 5 brands by revenue", "Show the 3 most expensive products",
                        "Total sales in March 2024", "Stores with more than 1.5k in total sales",
                        "Total sales in the last 3 months", "Which brand had the top revenue in 2023?"}) {
    GenerationResult own = ask(q);
    GenerationResult given = with(q, read_question(q, &gen_->value_index()));
    EXPECT_EQ(given.answered, own.answered) << q;
    EXPECT_EQ(given.sql, own.sql) << q;
    EXPECT_EQ(given.reason, own.reason) << q;
  }

  const std::string top = "Top 5 brands by revenue";
  EXPECT_NE(ask(top).sql.find("LIMIT 5"), std::string::npos) << ask(top).sql;
  QuestionReading three = read_question(top, &gen_->value_index());
  ASSERT_EQ(three.top_k, 5);
  three.top_k = 3;
  GenerationResult limited = with(top, three);
  ASSERT_TRUE(limited.answered) << limited.reason;
  EXPECT_NE(limited.sql.find("LIMIT 3"), std::string::npos) << limited.sql;
  EXPECT_EQ(limited.sql.find("LIMIT 5"), std::string::npos) << limited.sql;

  const std::string most = "Show the 3 most expensive products";
  QuestionReading seven = read_question(most, &gen_->value_index());
  ASSERT_EQ(seven.top_k, 3);
  seven.top_k = 7;
  EXPECT_NE(with(most, seven).sql.find("LIMIT 7"), std::string::npos) << with(most, seven).sql;

  const std::string amount = "Stores with more than 1.5k in total sales";
  EXPECT_NE(ask(amount).sql.find("1500"), std::string::npos) << ask(amount).sql;
  QuestionReading more = read_question(amount, &gen_->value_index());
  ASSERT_EQ(more.number_spans.size(), 1u);
  EXPECT_EQ(more.number_spans[0].value, 1500);
  more.number_spans[0].value = 2500;
  GenerationResult raised = with(amount, more);
  EXPECT_NE(raised.sql.find("2500"), std::string::npos) << raised.sql;
  EXPECT_EQ(raised.sql.find("1500"), std::string::npos) << raised.sql;

  const std::string march = "Total sales in March 2024";
  EXPECT_NE(ask(march).sql.find("2024-03"), std::string::npos) << ask(march).sql;
  QuestionReading april = read_question(march, &gen_->value_index());
  ASSERT_EQ(april.month_spans.size(), 1u);
  april.month_spans[0].value = 4;
  EXPECT_NE(with(march, april).sql.find("2024-04"), std::string::npos) << with(march, april).sql;
}

TEST_F(TemplateGeneratorTest, BadInput) {
  GenerationResult empty = ask("   ");
  EXPECT_FALSE(empty.answered);
  EXPECT_NE(empty.reason.find("empty"), std::string::npos);

  GenerationResult huge = ask(std::string(1 << 20, 'a'));
  EXPECT_FALSE(huge.answered);
  EXPECT_NE(huge.reason.find("limit"), std::string::npos) << huge.reason;

  GenerationResult bad_utf8 = ask("total sales \xff\xfe in 2023");
  EXPECT_FALSE(bad_utf8.answered);
  EXPECT_NE(bad_utf8.reason.find("UTF-8"), std::string::npos);

  for (const char* q :
       {"\xe5\x93\xaa\xe4\xb8\xaa\xe5\x93\x81\xe7\x89\x8c\xe7\x9a\x84\xe9\x94\x80\xe5\x94\xae\xe9\xa2\x9d"
        "\xe6\x9c\x80\xe9\xab\x98\xef\xbc\x9f",
        "Wie viele Verkäufe gab es pro Jahr und Region?"}) {
    GenerationResult other = ask(q);
    EXPECT_FALSE(other.answered) << q << " -> " << other.sql;
    EXPECT_NE(other.reason.find("English"), std::string::npos) << other.reason;
  }
}

}  // namespace
}  // namespace t2sql
