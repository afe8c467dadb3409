// describe / index / retrieve, run as a user would.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "test_support.h"

namespace t2sql::testing {
namespace {

TEST(RetrievalCli, DescribeExportsAnEditableFile) {
  std::string dir = temp_dir("describe");
  auto printed = run_t2sql({"describe", "--db", demo_db()});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_NE(printed.out.find("brands.brand_name\tbrand name: column brand_name of table brands"), std::string::npos)
      << printed.out;

  std::string file = dir + "/desc.json";
  auto exported = run_t2sql({"describe", "--db", demo_db(), "--out", file});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto j = nlohmann::json::parse(read_file(file));
  ASSERT_TRUE(j.contains("sales.amount"));
  j["sales.amount"] = "revenue of the sale in dollars";
  j["sales.discount"] = "a column that does not exist";
  std::ofstream(file) << j.dump();
  auto described = run_t2sql({"describe", "--db", demo_db(), "--descriptions", file, "-f", "json"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("revenue of the sale in dollars"), std::string::npos);
  EXPECT_NE(described.err.find("ignored: sales.discount"), std::string::npos) << described.err;

  auto bad = run_t2sql({"describe", "--db", demo_db(), "--descriptions", dir + "/nope.json"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("description file not found"), std::string::npos) << bad.err;
}

TEST(RetrievalCli, IndexIsCachedAndRebuiltWhenCorrupt) {
  std::string cache = temp_dir("index_cache");
  auto first = run_t2sql({"index", "--db", demo_db(), "--cache-dir", cache});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("flat-ip"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find(", built in"), std::string::npos) << first.out;
  EXPECT_NE(first.err.find("embed"), std::string::npos) << first.err;  // progress, plain lines off a terminal
  auto second = run_t2sql({"index", "--db", demo_db(), "--cache-dir", cache});
  EXPECT_NE(second.out.find("loaded from cache"), std::string::npos) << second.out;
  std::ofstream(cache + "/schema_index.bin", std::ios::binary | std::ios::trunc) << "garbage";
  auto third = run_t2sql({"index", "--db", demo_db(), "--cache-dir", cache});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("rebuilt (corrupt"), std::string::npos) << third.out;

  auto model = run_t2sql({"index", "--db", demo_db(), "--cache-dir", cache, "--embedder", cache + "/none.gguf"});
  EXPECT_EQ(model.exit_code, 1);
  EXPECT_NE(model.err.find("embedding model not found"), std::string::npos) << model.err;
}

TEST(RetrievalCli, RetrieveShowsLimitedSchema) {
  std::string cache = temp_dir("retrieve_cache");
  auto out = run_t2sql({"retrieve", "Top 5 brands by revenue", "--db", demo_db(), "--cache-dir", cache, "-n", "4",
                        "-f", "json"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  auto j = nlohmann::json::parse(out.out);
  EXPECT_LT(j["prompt_tokens"].get<int>(), j["full_schema_tokens"].get<int>());
  EXPECT_NE(j["ddl"].get<std::string>().find("CREATE TABLE brands"), std::string::npos) << j["ddl"];
  auto usage = run_t2sql({"retrieve", "x", "--db", demo_db(), "-n", "many"});
  EXPECT_EQ(usage.exit_code, 2);
}

}  // namespace
}  // namespace t2sql::testing
