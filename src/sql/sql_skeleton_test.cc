#include "sql/sql_skeleton.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(SqlSkeletonTest, MasksLiteralsAndNamesKeepsStructure) {
  EXPECT_EQ(sql_skeleton("SELECT SUM(s.amount) AS total FROM sales s WHERE s.year = 2023;"),
            "select sum ( id ) from id where id = ?");
}

TEST(SqlSkeletonTest, SameShapeOverOtherColumnsAndValues) {
  EXPECT_EQ(sql_skeleton("SELECT region, COUNT(*) FROM stores WHERE status = 'active' GROUP BY region"),
            sql_skeleton("select brand_name, count(*) from brands where country = 'US' group by brand_name"));
  EXPECT_EQ(sql_skeleton("SELECT a FROM t ORDER BY a DESC LIMIT 5"),
            sql_skeleton("SELECT \"b c\" FROM \"u\" ORDER BY \"b c\" DESC LIMIT 10"));
}

TEST(SqlSkeletonTest, OtherStructureDiffers) {
  std::string base = sql_skeleton("SELECT SUM(amount) FROM sales WHERE year = 2023");
  EXPECT_NE(base, sql_skeleton("SELECT AVG(amount) FROM sales WHERE year = 2023"));
  EXPECT_NE(base, sql_skeleton("SELECT SUM(amount) FROM sales WHERE year BETWEEN 2022 AND 2023"));
  EXPECT_NE(base, sql_skeleton("SELECT SUM(amount) FROM sales JOIN stores ON sales.store_id = stores.id "
                               "WHERE year = 2023"));
  EXPECT_NE(base, sql_skeleton("SELECT SUM(amount) FROM sales"));
}

TEST(SqlSkeletonTest, ValueListsOfAnyLengthAreOneShape) {
  EXPECT_EQ(sql_skeleton("SELECT a FROM t WHERE b IN ('x', 'y', 'z')"), "select id from id where id in ( ? )");
  EXPECT_EQ(sql_skeleton("SELECT a FROM t WHERE b IN (1)"), "select id from id where id in ( ? )");
}

TEST(SqlSkeletonTest, AliasesAndCastsDoNotCount) {
  EXPECT_EQ(sql_skeleton("SELECT T1.name AS n FROM brands AS T1"), sql_skeleton("SELECT name FROM brands"));
  EXPECT_EQ(sql_skeleton("SELECT CAST(x AS REAL) FROM t"), "select cast ( id ) from id");
}

TEST(SqlSkeletonTest, EmptyAndUnreadable) {
  EXPECT_EQ(sql_skeleton(""), "");
  EXPECT_EQ(sql_skeleton("  ;  "), "");
  // An unterminated string: no crash, the part before it is masked.
  EXPECT_EQ(sql_skeleton("SELECT a FROM t WHERE b = 'oops").rfind("select id from id where id =", 0), 0u);
}

}  // namespace
}  // namespace t2sql
