// AnswerCache on real files: which URIs are cached, the bounds, and that a
// change to the file (its bytes, or a WAL beside it) empties it.
#include "server/answer_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace t2sql {
namespace {

namespace fs = std::filesystem;

class AnswerCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("t2sql_answer_cache_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    file_ = (dir_ / "shop.db").string();
    write(file_, std::string("SQLite format 3") + '\0' + std::string(100, 'x'));
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  static AnswerCache::Entry entry(const std::string& body) {
    AnswerCache::Entry e;
    e.body.before_session = "{\"a\":\"" + body + "\",\"session\":";
    e.body.after_session = "}";
    e.outcome = "answered";
    return e;
  }
  fs::path dir_;
  std::string file_;
};

TEST_F(AnswerCacheTest, OnlyLocalFilesAreCached) {
  EXPECT_EQ(db_file_of(file_), file_);
  EXPECT_EQ(db_file_of("sqlite://" + file_), file_);
  EXPECT_EQ(db_file_of("duckdb://" + file_), file_);
  EXPECT_EQ(db_file_of("duckdb://:memory:"), "");
  EXPECT_EQ(db_file_of("postgresql://reader@127.0.0.1/shop"), "");
  EXPECT_EQ(db_file_of(dir_.string()), "");  // a directory
  EXPECT_EQ(db_file_of((dir_ / "missing.db").string()), "");
  EXPECT_FALSE(AnswerCache("", 10, 1 << 20).enabled());
  EXPECT_FALSE(AnswerCache(file_, 0, 1 << 20).enabled());
}

TEST_F(AnswerCacheTest, HitsUntilTheFileOrItsWalChanges) {
  AnswerCache cache(file_, 10, 1 << 20);
  ASSERT_TRUE(cache.enabled());
  std::string key = AnswerCache::key("total sales", "template", false, "", false);
  auto id = cache.begin();
  EXPECT_FALSE(cache.find(key, id));
  cache.insert(key, entry("one"), id);
  auto hit = cache.find(cache.key("total sales", "template", false, "", false), cache.begin());
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->body.with_session("s1"), "{\"a\":\"one\",\"session\":\"s1\"}");
  EXPECT_FALSE(cache.find(AnswerCache::key("total sales", "template", true, "", false), cache.begin()));
  EXPECT_FALSE(cache.find(AnswerCache::key("total sales", "template", false, "x", false), cache.begin()));

  // The change counter (bytes 24-27) changes, size and maybe mtime not.
  std::string bytes = std::string("SQLite format 3") + '\0' + std::string(100, 'x');
  bytes[25] = 'y';
  write(file_, bytes);
  EXPECT_FALSE(cache.find(key, cache.begin()));
  EXPECT_EQ(cache.entries(), 0u);

  id = cache.begin();
  cache.insert(key, entry("two"), id);
  EXPECT_TRUE(cache.find(key, cache.begin()));
  write(file_ + "-wal", "a commit");
  EXPECT_FALSE(cache.find(key, cache.begin()));

  // Computed on data that changed meanwhile: not kept.
  id = cache.begin();
  write(file_ + "-wal", "another commit, longer");
  cache.insert(key, entry("three"), id);
  EXPECT_FALSE(cache.find(key, cache.begin()));
}

TEST_F(AnswerCacheTest, BoundedByEntriesAndBytes) {
  AnswerCache cache(file_, 2, 1 << 20);
  auto id = cache.begin();
  cache.insert("a", entry("1"), id);
  cache.insert("b", entry("2"), id);
  EXPECT_TRUE(cache.find("a", id));  // a is now the most recent
  cache.insert("c", entry("3"), id);
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_TRUE(cache.find("a", id));
  EXPECT_FALSE(cache.find("b", id));
  EXPECT_TRUE(cache.find("c", id));

  AnswerCache small(file_, 100, 4096);
  auto sid = small.begin();
  small.insert("huge", entry(std::string(2000, 'z')), sid);  // over a quarter of the bytes
  EXPECT_FALSE(small.find("huge", sid));
}

}  // namespace
}  // namespace t2sql
