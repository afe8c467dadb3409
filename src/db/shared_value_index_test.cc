#include "db/shared_value_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "testing/scratch_sqlite.h"

namespace t2sql {
namespace {

class SharedValueIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/shared_value_index_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(create_demo_warehouse(dir_ + "/a.db").ok());
    std::filesystem::copy_file(dir_ + "/a.db", dir_ + "/b.db");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  struct Opened {
    std::unique_ptr<Database> db;
    Catalog catalog;
  };
  Opened open(const std::string& name) {
    auto db = Database::open(dir_ + "/" + name);
    EXPECT_TRUE(db.ok()) << db.status().message();
    auto catalog = (*db)->catalog({.sample_values = 0, .row_counts = false});
    EXPECT_TRUE(catalog.ok());
    return {std::move(*db), *catalog};
  }

  std::string dir_;
};

// Two connections to one database share one index while either holds it;
// another database gets its own, and a released index is read again.
TEST_F(SharedValueIndexTest, OnePerDatabaseWhileHeld) {
  Opened a1 = open("a.db"), a2 = open("a.db"), b = open("b.db");
  auto first = shared_value_index(*a1.db, a1.catalog);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = shared_value_index(*a2.db, a2.catalog);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get());
  auto other = shared_value_index(*b.db, b.catalog);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->get(), first->get());
  EXPECT_EQ((*other)->size(), (*first)->size());

  auto hits = (*first)->link("total sales of Apple in Seattle");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].value, "Apple");

  std::weak_ptr<const ValueIndex> gone = *first;
  *first = nullptr;
  *second = nullptr;
  EXPECT_TRUE(gone.expired());
  auto again = shared_value_index(*a1.db, a1.catalog);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->size(), (*other)->size());
}

// A database written since the index was read gets a new one with the new value.
TEST_F(SharedValueIndexTest, WrittenDatabaseIsReadAgain) {
  Opened before = open("a.db");
  auto first = shared_value_index(*before.db, before.catalog);
  ASSERT_TRUE(first.ok());
  for (const auto& hit : (*first)->link("sales of Zanzibar Gadgets")) EXPECT_NE(hit.value, "Zanzibar Gadgets");
  before.db.reset();

  ASSERT_EQ(testing::write_sqlite(dir_ + "/a.db", "INSERT INTO brands (brand_name) VALUES ('Zanzibar Gadgets')"), "");
  auto path = std::filesystem::path(dir_ + "/a.db");
  std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) + std::chrono::seconds(5));

  Opened after = open("a.db");
  auto second = shared_value_index(*after.db, after.catalog);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->get(), first->get());
  auto hits = (*second)->link("sales of Zanzibar Gadgets");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].value, "Zanzibar Gadgets");
}

}  // namespace
}  // namespace t2sql
