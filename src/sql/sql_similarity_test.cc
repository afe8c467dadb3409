#include "sql/sql_similarity.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(SqlSimilarityTest, IdenticalUpToFormattingIsOne) {
  EXPECT_DOUBLE_EQ(lexical_sql_similarity("SELECT a, b FROM t", "select b ,a from T;"), 1.0);
}

TEST(SqlSimilarityTest, CloserQueriesScoreHigher) {
  const char* gold = "SELECT region, SUM(amount) FROM sales JOIN stores ON sales.store_id = stores.store_id GROUP BY region";
  double near = lexical_sql_similarity(gold, "SELECT region, AVG(amount) FROM sales JOIN stores ON sales.store_id = "
                                             "stores.store_id GROUP BY region");
  double far = lexical_sql_similarity(gold, "SELECT brand_name FROM brands");
  EXPECT_GT(near, 0.6);
  EXPECT_LT(far, near);
  EXPECT_GE(far, 0.0);
}

TEST(SqlSimilarityTest, EmptySideIsZero) {
  EXPECT_EQ(lexical_sql_similarity("", "SELECT 1"), 0.0);
  EXPECT_EQ(lexical_sql_similarity("SELECT 1", ""), 0.0);
}

}  // namespace
}  // namespace t2sql
