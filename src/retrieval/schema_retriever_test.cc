#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "t2sql/retrieval.h"

namespace t2sql {
namespace {

class SchemaRetrieverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Per process: CTest runs each test in its own process, two at a time.
    dir_ = new std::string(::testing::TempDir() + "/schema_retriever_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(*dir_);
    std::filesystem::create_directories(*dir_);
    ASSERT_TRUE(create_demo_warehouse(*dir_ + "/demo.db").ok());
    auto db = Database::open(*dir_ + "/demo.db");
    ASSERT_TRUE(db.ok());
    auto catalog = (*db)->catalog({.sample_values = 3, .row_counts = false});
    ASSERT_TRUE(catalog.ok());
    demo_ = new Catalog(std::move(*catalog));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete demo_;
    delete dir_;
  }

  static std::string* dir_;
  static Catalog* demo_;
};

std::string* SchemaRetrieverTest::dir_ = nullptr;
Catalog* SchemaRetrieverTest::demo_ = nullptr;

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

TEST_F(SchemaRetrieverTest, TopColumnsBecomeLimitedDdlWithKeysAndJoins) {
  RetrievalOptions options;
  options.top_columns = 3;
  auto r = SchemaRetriever::create(*demo_, options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->index_kind(), "flat-ip");
  EXPECT_EQ((*r)->index_origin(), "built");
  auto out = (*r)->retrieve("What is the brand name with the most sales amount?");
  ASSERT_TRUE(out.ok());
  ASSERT_FALSE(out->columns.empty());
  EXPECT_TRUE(has(out->tables, "brands")) << out->ddl;
  EXPECT_TRUE(has(out->tables, "sales")) << out->ddl;
  // Only the chosen columns plus keys: the full table would list quantity.
  EXPECT_NE(out->ddl.find("brand_name"), std::string::npos) << out->ddl;
  EXPECT_NE(out->ddl.find("amount"), std::string::npos) << out->ddl;
  EXPECT_NE(out->ddl.find("brand_id INTEGER"), std::string::npos) << out->ddl;  // the primary key
  EXPECT_EQ(out->ddl.find("store_name"), std::string::npos) << out->ddl;
  EXPECT_LT(out->prompt_tokens, out->full_schema_tokens);
  EXPECT_EQ(out->full_schema_tokens, estimate_tokens(demo_->to_ddl()));
  // sales -> products -> brands: products joins them and comes with its keys.
  if (has(out->tables, "products")) {
    EXPECT_NE(out->ddl.find("FOREIGN KEY (brand_id) REFERENCES brands (brand_id)"), std::string::npos) << out->ddl;
  }
}

TEST_F(SchemaRetrieverTest, BridgeTablesJoinChosenTables) {
  Catalog c;
  TableInfo students{.name = "students"}, courses{.name = "courses"}, enrollments{.name = "enrollments"};
  students.columns = {{.name = "student_id", .declared_type = "INTEGER", .primary_key = true},
                      {.name = "student_name", .declared_type = "TEXT"},
                      {.name = "hometown", .declared_type = "TEXT"}};
  students.primary_key = {"student_id"};
  courses.columns = {{.name = "course_id", .declared_type = "INTEGER", .primary_key = true},
                     {.name = "course_title", .declared_type = "TEXT"},
                     {.name = "credits", .declared_type = "INTEGER"}};
  courses.primary_key = {"course_id"};
  enrollments.columns = {{.name = "student_id", .declared_type = "INTEGER"},
                         {.name = "course_id", .declared_type = "INTEGER"},
                         {.name = "grade", .declared_type = "TEXT"}};
  enrollments.foreign_keys = {{.columns = {"student_id"}, .ref_table = "students", .ref_columns = {"student_id"}},
                              {.columns = {"course_id"}, .ref_table = "courses", .ref_columns = {"course_id"}}};
  c.tables = {students, courses, enrollments};
  RetrievalOptions options;
  options.top_columns = 2;
  auto r = SchemaRetriever::create(c, options);
  ASSERT_TRUE(r.ok());
  auto out = (*r)->retrieve("student name and course title");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(has(out->tables, "students"));
  EXPECT_TRUE(has(out->tables, "courses"));
  EXPECT_TRUE(has(out->tables, "enrollments")) << out->ddl;
  EXPECT_NE(out->ddl.find("FOREIGN KEY (course_id) REFERENCES courses (course_id)"), std::string::npos) << out->ddl;
  EXPECT_EQ(out->ddl.find("grade"), std::string::npos) << out->ddl;
  EXPECT_EQ(out->ddl.find("hometown"), std::string::npos) << out->ddl;
}

TEST_F(SchemaRetrieverTest, TokenBudgetAndLinkedValues) {
  RetrievalOptions options;
  options.top_columns = 20;
  auto r = SchemaRetriever::create(*demo_, options);
  ASSERT_TRUE(r.ok());
  auto wide = (*r)->retrieve("sales by store region and brand per month");
  ASSERT_TRUE(wide.ok());
  ASSERT_TRUE((*r)->set_limits(20, 40).ok());
  auto narrow = (*r)->retrieve("sales by store region and brand per month");
  ASSERT_TRUE(narrow.ok());
  EXPECT_LE(narrow->prompt_tokens, 40) << narrow->ddl;
  EXPECT_LT(narrow->columns.size(), wide->columns.size());
  EXPECT_EQ((*r)->set_limits(0, 0).code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE((*r)->set_limits(1, 0).ok());
  LinkedValue apple{.table = "stores", .column = "city", .value = "Boston", .matched_text = "boston"};
  auto linked = (*r)->retrieve("revenue of the products", {apple});
  ASSERT_TRUE(linked.ok());
  EXPECT_EQ(linked->columns[0].table, "stores");
  EXPECT_EQ(linked->columns[0].column, "city");
  EXPECT_NE(linked->ddl.find("city"), std::string::npos);
}

TEST_F(SchemaRetrieverTest, RagOffGivesTheWholeSchema) {
  RetrievalOptions options;
  options.enabled = false;
  auto r = SchemaRetriever::create(*demo_, options);
  ASSERT_TRUE(r.ok());
  auto out = (*r)->retrieve("anything");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->ddl, demo_->to_ddl());
  EXPECT_EQ(out->prompt_tokens, out->full_schema_tokens);
  EXPECT_EQ(out->tables.size(), demo_->tables.size());
}

TEST_F(SchemaRetrieverTest, CacheIsReusedAndRebuiltWhenStaleOrCorrupt) {
  RetrievalOptions options;
  options.cache_dir = *dir_ + "/cache";
  std::filesystem::remove_all(options.cache_dir);
  auto first = SchemaRetriever::create(*demo_, options);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->index_origin(), "built");
  auto second = SchemaRetriever::create(*demo_, options);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->index_origin(), "loaded from cache");
  auto a = (*first)->retrieve("total sales in 2023"), b = (*second)->retrieve("total sales in 2023");
  EXPECT_EQ(a->ddl, b->ddl);

  Catalog changed = *demo_;
  changed.tables[0].columns[1].description = "the shop's sign";
  auto stale = SchemaRetriever::create(changed, options);
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ((*stale)->index_origin(), "rebuilt (stale: the schema or the embedder changed)");

  options.embedder = "hash:128";
  auto other = SchemaRetriever::create(changed, options);
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->index_origin().find("stale"), std::string::npos);

  std::string file = options.cache_dir + "/schema_index.bin";
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x7f');
  }
  auto corrupt = SchemaRetriever::create(changed, options);
  ASSERT_TRUE(corrupt.ok());
  EXPECT_EQ((*corrupt)->index_origin(), "rebuilt (corrupt: checksum mismatch)");
  auto healed = SchemaRetriever::create(changed, options);
  EXPECT_EQ((*healed)->index_origin(), "loaded from cache");
}

TEST_F(SchemaRetrieverTest, ExamplesComeBySimilarity) {
  std::string path = *dir_ + "/examples.jsonl";
  {
    std::ofstream out(path);
    for (const auto& q : demo_example_queries()) out << nlohmann::json{{"question", q.question}, {"sql", q.sql}}.dump() << "\n";
  }
  RetrievalOptions options;
  options.examples_path = path;
  options.examples = 1;
  auto r = SchemaRetriever::create(*demo_, options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto out = (*r)->retrieve("Which were the top 3 brands by revenue?");
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->examples.size(), 1u);
  EXPECT_NE(out->examples[0].question.find("brands"), std::string::npos) << out->examples[0].question;
  ASSERT_TRUE((*r)->add_example({"How many stores opened in Boston?", "SELECT count(*) FROM stores WHERE city = 'Boston'"}).ok());
  auto again = (*r)->retrieve("how many stores opened in Austin");
  ASSERT_EQ(again->examples.size(), 1u);
  EXPECT_EQ(again->examples[0].question, "How many stores opened in Boston?");
  auto reloaded = SchemaRetriever::create(*demo_, options);  // the accepted pair was appended to the file
  auto third = (*reloaded)->retrieve("how many stores opened in Austin");
  EXPECT_EQ(third->examples[0].question, "How many stores opened in Boston?");
}

TEST_F(SchemaRetrieverTest, BadInputIsAClearError) {
  RetrievalOptions options;
  options.descriptions_path = *dir_ + "/missing.json";
  EXPECT_EQ(SchemaRetriever::create(*demo_, options).status().code(), StatusCode::kNotFound);
  options.descriptions_path = *dir_ + "/desc.json";
  std::ofstream(options.descriptions_path) << R"({"stores.store_name": "shop sign", "stores.nope": "x"})";
  auto r = SchemaRetriever::create(*demo_, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->description_report().missing, std::vector<std::string>{"stores.nope"});
  options.descriptions_path.clear();
  options.examples_path = *dir_ + "/bad.jsonl";
  std::ofstream(options.examples_path) << "{\"question\": \"q\", \"sql\": \"SELECT 1\"}\nnot json\n";
  auto bad = SchemaRetriever::create(*demo_, options);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.jsonl:2"), std::string::npos) << bad.status().message();
  options.examples_path.clear();
  options.top_columns = 0;
  EXPECT_EQ(SchemaRetriever::create(*demo_, options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace t2sql
