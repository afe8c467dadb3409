#include "db/value_index.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

bool has(const std::vector<LinkedValue>& v, const std::string& column, const std::string& value) {
  for (const auto& x : v) {
    if (x.column == column && x.value == value) return true;
  }
  return false;
}

ValueIndex small_index() {
  ValueIndex index;
  index.add("stores", "city", "New York");
  index.add("stores", "city", "Boston");
  index.add("stores", "store_name", "Boston Market");
  index.add("brands", "brand_name", "Levi's");
  index.add("brands", "brand_name", "Philips");
  index.add("pets", "pet_type", "dog");
  index.add("flags", "flag", "No");
  return index;
}

TEST(ValueIndexTest, ExactCaseInsensitivePhrase) {
  auto hits = small_index().search("sales in new york last year");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].value, "New York");
  EXPECT_EQ(hits[0].matched_text, "new york");
  EXPECT_DOUBLE_EQ(hits[0].score, 1.0);
}

TEST(ValueIndexTest, PrefersTheWholeValueOverAPart) {
  auto hits = small_index().search("revenue of Boston stores");
  EXPECT_TRUE(has(hits, "city", "Boston"));
  EXPECT_FALSE(has(hits, "store_name", "Boston Market"));  // half its words: below the threshold
  hits = small_index().search("revenue of the boston market store");
  EXPECT_TRUE(has(hits, "store_name", "Boston Market"));
  EXPECT_FALSE(has(hits, "city", "Boston"));  // inside a longer match
}

TEST(ValueIndexTest, PunctuationPluralsAndTypos) {
  auto index = small_index();
  EXPECT_TRUE(has(index.search("total for levis"), "brand_name", "Levi's") ||
              has(index.search("total for levi s"), "brand_name", "Levi's"));
  EXPECT_TRUE(has(index.search("how many dogs"), "pet_type", "dog"));
  auto typo = index.search("sales of phillips");
  ASSERT_TRUE(has(typo, "brand_name", "Philips"));
  EXPECT_LT(typo[0].score, 1.0);
  EXPECT_TRUE(index.search("completely unrelated words").empty());
}

TEST(ValueIndexTest, FunctionWordValuesDoNotLink) {
  EXPECT_FALSE(has(small_index().search("stores with no sales"), "flag", "No"));
}

TEST(ValueIndexTest, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting", 5), 3u);
  EXPECT_EQ(edit_distance("same", "same", 1), 0u);
  EXPECT_EQ(edit_distance("a", "abcdef", 2), 3u);  // stops early: max + 1
}

TEST(ValueIndexTest, BuildsFromTheDemoWarehouse) {
  auto dir = std::filesystem::temp_directory_path() / ("t2sql_value_index_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "demo.db").string();
  ASSERT_TRUE(create_demo_warehouse(path, true).ok());
  auto db = Database::open(path);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  auto catalog = (*db)->catalog();
  ASSERT_TRUE(catalog.ok());
  auto index = ValueIndex::build(**db, *catalog);
  ASSERT_TRUE(index.ok()) << index.status().to_string();
  EXPECT_GT(index->size(), 100u);
  auto hits = index->search("revenue of Samsung in Seattle for electronics");
  EXPECT_TRUE(has(hits, "brand_name", "Samsung"));
  EXPECT_TRUE(has(hits, "city", "Seattle"));
  EXPECT_TRUE(has(hits, "category", "Electronics"));

  ValueIndexOptions tiny;
  tiny.max_values_per_column = 3;
  auto bounded = ValueIndex::build(**db, *catalog, tiny);
  ASSERT_TRUE(bounded.ok());
  EXPECT_GT(bounded->columns_truncated(), 0u);
  EXPECT_LT(bounded->size(), index->size());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace t2sql
