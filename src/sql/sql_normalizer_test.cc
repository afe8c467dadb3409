#include "sql/sql_normalizer.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(SqlNormalizerTest, KeywordCaseWhitespaceAndSemicolonDoNotMatter) {
  EXPECT_TRUE(sql_exact_set_match("select  COUNT(*) from Singer;", "SELECT count(*)\nFROM singer"));
  EXPECT_EQ(normalize_sql("SELECT name FROM singer"), "select name from singer");
}

TEST(SqlNormalizerTest, TableAliasesAndQualifiersAreIgnored) {
  EXPECT_TRUE(sql_exact_set_match(
      "SELECT T1.name FROM singer AS T1 JOIN concert AS T2 ON T1.singer_id = T2.singer_id",
      "SELECT s.name FROM singer s JOIN concert c ON c.singer_id = s.singer_id"));
  // JOIN ... ON and a WHERE join read the same.
  EXPECT_TRUE(sql_exact_set_match("SELECT a.x FROM a JOIN b ON a.id = b.id WHERE b.y = 1",
                                  "SELECT x FROM a, b WHERE b.y = 1 AND a.id = b.id"));
}

TEST(SqlNormalizerTest, SetLikeClausesCompareAsSets) {
  EXPECT_TRUE(sql_exact_set_match("SELECT name, age FROM t WHERE a = 1 AND b = 2 GROUP BY x, y",
                                  "SELECT age, name FROM t WHERE b = 2 AND a = 1 GROUP BY y, x"));
  // ORDER BY is a list: its order matters.
  EXPECT_FALSE(sql_exact_set_match("SELECT a FROM t ORDER BY a, b", "SELECT a FROM t ORDER BY b, a"));
  EXPECT_TRUE(sql_exact_set_match("SELECT a FROM t ORDER BY a ASC", "SELECT a FROM t ORDER BY a"));
  EXPECT_FALSE(sql_exact_set_match("SELECT a FROM t ORDER BY a DESC", "SELECT a FROM t ORDER BY a"));
}

TEST(SqlNormalizerTest, SelectAliasesResolveInOrderBy) {
  EXPECT_TRUE(sql_exact_set_match("SELECT region, SUM(amount) AS total FROM s GROUP BY region ORDER BY total DESC",
                                  "SELECT region, sum(amount) FROM s GROUP BY region ORDER BY SUM(amount) DESC"));
}

TEST(SqlNormalizerTest, ValuesAndOperatorsCount) {
  EXPECT_FALSE(sql_exact_set_match("SELECT a FROM t WHERE y = 2023", "SELECT a FROM t WHERE y = 2024"));
  EXPECT_TRUE(sql_exact_set_match("SELECT a FROM t WHERE y <> 1", "SELECT a FROM t WHERE y != 1"));
  EXPECT_TRUE(sql_exact_set_match("SELECT a FROM t WHERE 1 = y", "SELECT a FROM t WHERE y = 1"));
  EXPECT_TRUE(sql_exact_set_match("SELECT a FROM t WHERE c = \"x\"", "SELECT a FROM t WHERE c = 'x'"));
  EXPECT_FALSE(sql_exact_set_match("SELECT a FROM t WHERE c = 'X'", "SELECT a FROM t WHERE c = 'x'"));
  EXPECT_FALSE(sql_exact_set_match("SELECT a FROM t", "SELECT DISTINCT a FROM t"));
  EXPECT_FALSE(sql_exact_set_match("SELECT a FROM t LIMIT 3", "SELECT a FROM t LIMIT 5"));
}

TEST(SqlNormalizerTest, OrConditionsKeepTheirStructure) {
  EXPECT_FALSE(sql_exact_set_match("SELECT a FROM t WHERE x = 1 OR y = 2 AND z = 3",
                                   "SELECT a FROM t WHERE x = 1 AND y = 2 OR z = 3"));
  // BETWEEN's AND is not a connector.
  SqlShape s = parse_sql_shape("SELECT a FROM t WHERE d BETWEEN 1 AND 5 AND e = 2");
  ASSERT_TRUE(s.parsed);
  EXPECT_EQ(s.where.size(), 2u);
}

TEST(SqlNormalizerTest, NestedQueriesAndSetOperatorsAreNormalizedToo) {
  EXPECT_TRUE(sql_exact_set_match("SELECT name FROM a WHERE id NOT IN (SELECT T.aid FROM b AS T)",
                                  "select name from a where id not in (select aid from b)"));
  SqlShape s = parse_sql_shape("SELECT x FROM a UNION SELECT x FROM b ORDER BY x");
  ASSERT_TRUE(s.parsed);
  EXPECT_EQ(s.set_operator, "union");
  ASSERT_TRUE(s.set_rhs);
  EXPECT_EQ(s.set_rhs->order_by.size(), 1u);
  EXPECT_FALSE(sql_exact_set_match("SELECT x FROM a UNION SELECT x FROM b", "SELECT x FROM a INTERSECT SELECT x FROM b"));
}

TEST(SqlNormalizerTest, ShapeSplitsClauses) {
  SqlShape s = parse_sql_shape(
      "SELECT T2.region, count(*) FROM sales AS T1 JOIN stores AS T2 ON T1.store_id = T2.store_id "
      "WHERE T1.amount > 10 GROUP BY T2.region HAVING count(*) > 5 ORDER BY count(*) DESC LIMIT 3");
  ASSERT_TRUE(s.parsed);
  EXPECT_EQ(s.select.size(), 2u);
  EXPECT_EQ(s.from, (std::vector<std::string>{"sales", "stores"}));
  EXPECT_EQ(s.join_conditions.size(), 1u);
  EXPECT_EQ(s.where.size(), 1u);
  EXPECT_EQ(s.group_by, (std::vector<std::string>{"region"}));
  EXPECT_EQ(s.having.size(), 1u);
  EXPECT_EQ(s.order_by, (std::vector<std::string>{"count ( * ) desc"}));
  EXPECT_EQ(s.limit, "3");
  EXPECT_EQ(s.aggregate_count, 3);
}

TEST(SqlNormalizerTest, UnreadableTextFallsBackToTokens) {
  SqlShape s = parse_sql_shape("WITH x AS (SELECT 1) SELECT * FROM x");
  EXPECT_FALSE(s.parsed);
  EXPECT_TRUE(s.has_with);
  EXPECT_TRUE(sql_exact_set_match("WITH x AS (SELECT 1) SELECT * FROM x", "with x as (select 1) select * from x"));
  EXPECT_FALSE(sql_exact_set_match("SELECT 'unterminated", "SELECT 'unterminated'"));
}

}  // namespace
}  // namespace t2sql
