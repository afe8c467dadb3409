#include "eval/training_shapes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace t2sql {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("t2sql_shapes_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(TrainingShapesTest, ReadsEveryTrainingShapeAndTellsNovelQuestions) {
  std::string path = write_temp(
      "train.jsonl",
      "{\"question\": \"total sales in 2023\", \"context\": \"CREATE TABLE sales (amount REAL)\", "
      "\"answer\": \"SELECT SUM(amount) FROM sales WHERE year = 2023;\"}\n"
      "\n"
      "{\"question\": \"brands\", \"schema\": \"\", \"sql\": \"SELECT brand_name FROM brands ORDER BY brand_name\"}\n"
      "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", "
      "\"content\": \"SELECT COUNT(*) FROM stores WHERE region = 'West'\"}]}\n");
  auto shapes = TrainingShapes::load(path);
  ASSERT_TRUE(shapes.ok()) << shapes.status().message();
  EXPECT_EQ(shapes->example_count(), 3);
  EXPECT_EQ(shapes->shape_count(), 3u);
  // Same skeleton over other names and values: seen.
  EXPECT_TRUE(shapes->contains_shape_of("select sum(units) from returns where month = 7"));
  EXPECT_TRUE(shapes->contains_shape_of("SELECT COUNT(*) FROM brands WHERE country = 'DE'"));
  // Another structure: novel.
  EXPECT_FALSE(shapes->contains_shape_of("SELECT region, SUM(amount) FROM sales GROUP BY region"));
  EXPECT_FALSE(shapes->contains_shape_of("SELECT brand_name FROM brands ORDER BY brand_name DESC LIMIT 5"));
  std::filesystem::remove(path);
}

TEST(TrainingShapesTest, BadFilesAreRefusedWithTheLine) {
  auto missing = TrainingShapes::load("/nonexistent/train.jsonl");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  std::string not_json = write_temp("bad.jsonl", "{\"sql\": \"SELECT 1\"}\nnot json\n");
  auto bad = TrainingShapes::load(not_json);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":2:"), std::string::npos) << bad.status().message();

  std::string no_sql = write_temp("nosql.jsonl", "{\"question\": \"x\"}\n");
  auto none = TrainingShapes::load(no_sql);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find(":1:"), std::string::npos);

  std::string empty = write_temp("empty.jsonl", "\n\n");
  EXPECT_FALSE(TrainingShapes::load(empty).ok());
  for (const auto& p : {not_json, no_sql, empty}) std::filesystem::remove(p);
}

TEST(TrainingShapesTest, FromSqlSkipsEmptyTexts) {
  auto shapes = TrainingShapes::from_sql({"SELECT a FROM t", "", "SELECT b FROM u"});
  EXPECT_EQ(shapes.example_count(), 2);
  EXPECT_EQ(shapes.shape_count(), 1u);
  EXPECT_TRUE(shapes.contains_shape_of("SELECT x FROM y;"));
}

}  // namespace
}  // namespace t2sql
