#include "retrieval/example_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/temp_path.h"

namespace t2sql {
namespace {

TEST(ExampleStore, LoadsEveryShapeAndRanksBySimilarity) {
  std::string path = t2sql::testing::own_temp_path("examples_store.jsonl");
  {
    std::ofstream out(path);
    out << R"({"question": "How many singers are there?", "sql": "SELECT count(*) FROM singer"})"
        << "\n\n";
    out << R"({"question": "List the stadium names", "query": "SELECT name FROM stadium"})"
        << "\n";
    out << R"j({"question": "Average capacity of stadiums", "context": "CREATE TABLE stadium (capacity INT)", "answer": "SELECT avg(capacity) FROM stadium"})j"
        << "\n";
  }
  auto store = ExampleStore::load(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->size(), 3u);
  auto similar = (*store)->similar("what is the largest stadium capacity", 2);
  ASSERT_EQ(similar.size(), 2u);
  EXPECT_EQ(similar[0].sql, "SELECT avg(capacity) FROM stadium");
  EXPECT_EQ(similar[1].sql, "SELECT name FROM stadium");
  EXPECT_TRUE((*store)->similar("weather tomorrow", 3).empty());  // nothing in common

  ASSERT_TRUE((*store)->add({"Oldest singer", "SELECT name FROM singer ORDER BY age DESC LIMIT 1"}, path).ok());
  auto reloaded = ExampleStore::load(path);
  EXPECT_EQ((*reloaded)->size(), 4u);
  EXPECT_FALSE((*store)->add({"", "SELECT 1"}).ok());
}

TEST(ExampleStore, BadFiles) {
  EXPECT_EQ(ExampleStore::load("/nonexistent.jsonl").status().code(), StatusCode::kNotFound);
  std::string path = t2sql::testing::own_temp_path("examples_bad.jsonl");
  std::ofstream(path) << R"({"question": "q only"})"
                      << "\n";
  auto bad = ExampleStore::load(path);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(":1:"), std::string::npos);
}

}  // namespace
}  // namespace t2sql
