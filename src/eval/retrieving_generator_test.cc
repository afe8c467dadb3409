#include "eval/retrieving_generator.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

// Stands where the model would: keeps the request it was given so that the
// test can see what retrieval handed on, and answers with a fixed statement.
class RecordingGenerator : public Generator {
 public:
  explicit RecordingGenerator(GenerationRequest* seen) : seen_(seen) {}
  std::string name() const override { return "recorder"; }
  Result<GenerationResult> generate(const GenerationRequest& request) override {
    *seen_ = request;
    GenerationResult r;
    r.answered = true;
    r.sql = "SELECT 1";
    r.engine = "recorder";
    return r;
  }

 private:
  GenerationRequest* seen_;
};

class RetrievingGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/retrieving_generator_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(*dir_);
    ASSERT_TRUE(create_demo_warehouse(*dir_ + "/demo.db", true).ok());
    auto db = Database::open(*dir_ + "/demo.db");
    ASSERT_TRUE(db.ok());
    auto catalog = (*db)->catalog();
    ASSERT_TRUE(catalog.ok());
    catalog_ = new Catalog(std::move(*catalog));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete catalog_;
    delete dir_;
  }
  static std::string* dir_;
  static Catalog* catalog_;
};
std::string* RetrievingGeneratorTest::dir_ = nullptr;
Catalog* RetrievingGeneratorTest::catalog_ = nullptr;

TEST_F(RetrievingGeneratorTest, GeneratorSeesOnlyTheRetrievedColumns) {
  GenerationRequest seen;
  RetrievalOptions options;
  options.top_columns = 3;
  auto gen = make_retrieving_generator(std::make_unique<RecordingGenerator>(&seen), *catalog_, options);
  ASSERT_TRUE(gen.ok()) << gen.status().message();
  EXPECT_EQ((*gen)->name(), "recorder+rag");
  auto out = (*gen)->generate({.question = "what is the total revenue of each brand"});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->engine, "recorder+rag");
  EXPECT_EQ(seen.question, "what is the total revenue of each brand");
  ASSERT_FALSE(seen.schema_ddl.empty());
  EXPECT_NE(seen.schema_ddl.find("CREATE TABLE"), std::string::npos);
  EXPECT_LT(seen.schema_ddl.size(), catalog_->to_ddl().size() / 2) << seen.schema_ddl;
}

TEST_F(RetrievingGeneratorTest, ABrokenRetrieverIsAnErrorAtCreation) {
  GenerationRequest seen;
  RetrievalOptions options;
  options.embedder = *dir_ + "/no-such-model.gguf";
  EXPECT_FALSE(make_retrieving_generator(std::make_unique<RecordingGenerator>(&seen), *catalog_, options).ok());
  EXPECT_FALSE(make_retrieving_generator(nullptr, *catalog_, {}).ok());
}

}  // namespace
}  // namespace t2sql
