#include "tools/eval/stress_catalog.h"

#include <gtest/gtest.h>

#include <set>

namespace t2sql {
namespace {

// The shared benchmark data beside the source tree (tests may look there; the program does not).
std::string test_shared_dir() {
  std::string env = default_shared_dir();
  return env.empty() ? std::string(T2SQL_SOURCE_DIR) + "/../shared" : env;
}

TEST(StressCatalog, RealSchemasPlusLookAlikesToTheRequestedSize) {
  auto s =
      build_stress_catalog({.shared_dir = test_shared_dir(), .scratch_dir = "", .tables = 400, .columns = 4000});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->catalog.tables.size(), 400u);
  int columns = 0;
  std::set<std::string> names;
  for (const auto& t : s->catalog.tables) {
    columns += static_cast<int>(t.columns.size());
    EXPECT_TRUE(names.insert(t.name).second) << "duplicate table " << t.name;
  }
  EXPECT_EQ(columns, 4000);
  EXPECT_GT(s->real_tables, 60);  // 11 Spider + 11 defog databases + the demo warehouse
  EXPECT_EQ(s->table_name("concert_singer", "singer"), "concert_singer__singer");
  EXPECT_EQ(s->table_name("demo", "brands"), "demo__brands");
  EXPECT_EQ(s->table_name("nowhere", "singer"), "");
  const TableInfo* singer = s->catalog.find_table("concert_singer__singer_in_concert");
  ASSERT_NE(singer, nullptr);
  ASSERT_FALSE(singer->foreign_keys.empty());
  EXPECT_EQ(singer->foreign_keys[0].ref_table.rfind("concert_singer__", 0), 0u);
  // defog's PostgreSQL-only databases come from their JSON descriptions.
  const TableInfo* customer = s->catalog.find_table("broker__sbCustomer");
  ASSERT_NE(customer, nullptr);
  EXPECT_NE(customer->find_column("sbCustEmail"), nullptr);

  auto again =
      build_stress_catalog({.shared_dir = test_shared_dir(), .scratch_dir = "", .tables = 400, .columns = 4000});
  EXPECT_EQ(again->catalog.to_ddl(), s->catalog.to_ddl());  // deterministic
}

TEST(StressCatalog, MissingDataIsNotFound) {
  EXPECT_EQ(build_stress_catalog({.shared_dir = "/nonexistent"}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace t2sql
