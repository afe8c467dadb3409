#include "eval/spider_hardness.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

namespace t2sql {
namespace {

std::string shared_dir() {
  const char* env = std::getenv("T2SQL_SHARED_DIR");
  return env && *env ? env : std::string(T2SQL_SOURCE_DIR) + "/../shared";
}

TEST(SpiderHardnessTest, LevelsFollowSpiderCounting) {
  EXPECT_EQ(spider_hardness("SELECT count(*) FROM singer"), Hardness::kEasy);
  EXPECT_EQ(spider_hardness("SELECT name FROM singer WHERE age > 20"), Hardness::kEasy);
  // Two columns and one ORDER BY: medium.
  EXPECT_EQ(spider_hardness("SELECT name, country, age FROM singer ORDER BY age DESC"), Hardness::kMedium);
  // A join, GROUP BY, ORDER BY and LIMIT: component1 = 4, so extra.
  EXPECT_EQ(spider_hardness("SELECT T2.name, count(*) FROM concert AS T1 JOIN stadium AS T2 ON T1.stadium_id = "
                            "T2.stadium_id GROUP BY T1.stadium_id ORDER BY count(*) DESC LIMIT 1"),
            Hardness::kExtra);
  // One nested query and nothing else: hard.
  EXPECT_EQ(spider_hardness("SELECT name FROM singer WHERE singer_id NOT IN (SELECT singer_id FROM singer_in_concert)"),
            Hardness::kHard);
  // A set operator alone is hard; with two WHERE conditions, extra.
  EXPECT_EQ(spider_hardness("SELECT name FROM a WHERE x = 1 INTERSECT SELECT name FROM a WHERE x = 2"),
            Hardness::kHard);
  EXPECT_EQ(spider_hardness("SELECT name FROM a WHERE x = 1 AND y = 2 INTERSECT SELECT name FROM a WHERE x = 2"),
            Hardness::kExtra);
  EXPECT_STREQ(hardness_name(Hardness::kMedium), "medium");
}

TEST(SpiderHardnessTest, ComponentCounts) {
  HardnessCounts c = count_hardness_components(
      "SELECT a, b FROM t WHERE x LIKE '%y%' OR z = 1 GROUP BY a, b ORDER BY a LIMIT 2");
  EXPECT_EQ(c.component1, 6);  // where, group, order, limit, one OR, one LIKE
  EXPECT_EQ(c.component2, 0);
  EXPECT_EQ(c.others, 3);      // two columns, two conditions, two group-by columns
}

// The token-level counts agree with Spider's own parse on most of the real dev set.
TEST(SpiderHardnessTest, AgreesWithSpiderParsedQueries) {
  std::ifstream in(shared_dir() + "/data/spider-dev-open/dev.json");
  if (!in) GTEST_SKIP() << "shared Spider data not found";
  nlohmann::json dev = nlohmann::json::parse(in);
  int agree = 0, n = 0;
  int levels[4] = {0, 0, 0, 0};
  for (const auto& q : dev) {
    Hardness exact = spider_parsed_hardness(q["sql"]);
    levels[static_cast<int>(exact)]++;
    agree += exact == spider_hardness(q["query"].get<std::string>());
    ++n;
  }
  RecordProperty("agreement", std::to_string(agree) + "/" + std::to_string(n));
  ASSERT_GT(n, 500);
  for (int l = 0; l < 4; ++l) EXPECT_GT(levels[l], 20) << "level " << l;
  EXPECT_GE(agree, n * 85 / 100) << agree << " of " << n;
}

}  // namespace
}  // namespace t2sql
