#include "retrieval/value_index_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

TEST(ValueIndexCache, BuiltOnceThenLoadedAndRebuiltWhenDamaged) {
  std::string dir = ::testing::TempDir() + "/value_index_cache_test_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(create_demo_warehouse(dir + "/demo.db").ok());
  auto db = Database::open(dir + "/demo.db");
  ASSERT_TRUE(db.ok());
  auto catalog = (*db)->catalog({.sample_values = 0, .row_counts = false});
  ASSERT_TRUE(catalog.ok());
  std::string cache = dir + "/cache";

  int64_t last_done = -1, last_total = -1;
  auto first =
      load_or_build_value_index(**db, *catalog, cache, {}, [&](const std::string& stage, int64_t d, int64_t t) {
        EXPECT_EQ(stage, "values");
        last_done = d;
        last_total = t;
      });
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->origin, "built");
  EXPECT_GT(last_total, 3);
  EXPECT_EQ(last_done, last_total);
  auto hits = first->index.search("total sales of apple");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].column, "brand_name");
  EXPECT_EQ(hits[0].value, "Apple");

  auto second = load_or_build_value_index(**db, *catalog, cache);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->origin, "loaded from cache");
  EXPECT_EQ(second->index.size(), first->index.size());
  auto again = second->index.search("total sales of apple");
  ASSERT_FALSE(again.empty());
  EXPECT_EQ(again[0].value, "Apple");

  {
    std::fstream f(cache + "/value_index.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x01');
  }
  auto corrupt = load_or_build_value_index(**db, *catalog, cache);
  ASSERT_TRUE(corrupt.ok());
  EXPECT_EQ(corrupt->origin, "rebuilt (corrupt: checksum mismatch)");

  Catalog fewer = *catalog;
  fewer.tables.pop_back();
  auto stale = load_or_build_value_index(**db, fewer, cache);
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->origin, "rebuilt (stale: built from another schema, data or embedder)");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace t2sql
