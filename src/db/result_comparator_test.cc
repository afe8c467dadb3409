#include "db/result_comparator.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

ResultSet make(std::vector<std::string> cols, std::vector<std::vector<Value>> rows) {
  ResultSet r;
  r.columns = std::move(cols);
  r.rows = std::move(rows);
  return r;
}

Value I(int64_t v) {
  return Value::integer(v);
}
Value R(double v) {
  return Value::real(v);
}
Value T(std::string v) {
  return Value::text(std::move(v));
}

TEST(ResultComparatorTest, MultisetIgnoresRowOrderButCountsDuplicates) {
  auto gold = make({"a"}, {{I(1)}, {I(2)}, {I(2)}});
  EXPECT_TRUE(compare_results(gold, make({"x"}, {{I(2)}, {I(1)}, {I(2)}})).equal);
  auto dup = compare_results(gold, make({"a"}, {{I(1)}, {I(1)}, {I(2)}}));
  EXPECT_FALSE(dup.equal);
  EXPECT_FALSE(dup.reason.empty());
  auto fewer = compare_results(gold, make({"a"}, {{I(1)}, {I(2)}}));
  EXPECT_FALSE(fewer.equal);
  EXPECT_NE(fewer.reason.find("2 row(s), gold has 3"), std::string::npos) << fewer.reason;
}

TEST(ResultComparatorTest, OrderedComparisonWhenGoldOrders) {
  auto gold = make({"name", "n"}, {{T("b"), I(5)}, {T("a"), I(3)}});
  auto swapped = make({"name", "n"}, {{T("a"), I(3)}, {T("b"), I(5)}});
  EXPECT_TRUE(compare_results(gold, swapped, {.ordered = false}).equal);
  auto out = compare_results(gold, swapped, {.ordered = true});
  EXPECT_FALSE(out.equal);
  EXPECT_EQ(out.reason, "same rows in a different order");
  EXPECT_TRUE(compare_results(gold, gold, {.ordered = true}).equal);
}

TEST(ResultComparatorTest, FloatToleranceAndIntegerRealEquality) {
  auto gold = make({"avg"}, {{R(2.0 / 3.0)}});
  EXPECT_TRUE(compare_results(gold, make({"avg"}, {{R(0.66666666667)}})).equal);
  EXPECT_FALSE(compare_results(gold, make({"avg"}, {{R(0.67)}})).equal);
  EXPECT_TRUE(compare_results(make({"n"}, {{I(3)}}), make({"n"}, {{R(3.0)}})).equal);
  // Large sums: relative, not absolute, tolerance.
  EXPECT_TRUE(compare_results(make({"s"}, {{R(12345678.9)}}), make({"s"}, {{R(12345678.900001)}})).equal);
  EXPECT_FALSE(compare_results(make({"s"}, {{R(12345678.9)}}), make({"s"}, {{R(12345679.9)}})).equal);
}

TEST(ResultComparatorTest, NullsMatchOnlyNulls) {
  auto gold = make({"a", "b"}, {{I(1), Value::null()}});
  EXPECT_TRUE(compare_results(gold, make({"a", "b"}, {{I(1), Value::null()}})).equal);
  EXPECT_FALSE(compare_results(gold, make({"a", "b"}, {{I(1), I(0)}})).equal);
  EXPECT_FALSE(compare_results(gold, make({"a", "b"}, {{I(1), T("")}})).equal);
}

TEST(ResultComparatorTest, TextIsExactAndNeverEqualsNumbers) {
  EXPECT_FALSE(compare_results(make({"y"}, {{T("2023")}}), make({"y"}, {{I(2023)}})).equal);
  EXPECT_FALSE(compare_results(make({"c"}, {{T("North")}}), make({"c"}, {{T("north")}})).equal);
}

TEST(ResultComparatorTest, ColumnOrderDoesNotMatterButColumnCountDoes) {
  auto gold = make({"region", "total"}, {{T("East"), I(10)}, {T("West"), I(20)}});
  auto swapped = make({"total", "region"}, {{I(20), T("West")}, {I(10), T("East")}});
  EXPECT_TRUE(compare_results(gold, swapped).equal);
  EXPECT_TRUE(
      compare_results(make({"region", "total"}, {{T("West"), I(20)}, {T("East"), I(10)}}), swapped, {.ordered = true})
          .equal);
  auto extra = make({"region", "total", "n"}, {{T("East"), I(10), I(1)}, {T("West"), I(20), I(2)}});
  auto out = compare_results(gold, extra);
  EXPECT_FALSE(out.equal);
  EXPECT_NE(out.reason.find("3 column(s), gold has 2"), std::string::npos) << out.reason;
}

TEST(ResultComparatorTest, ColumnsWithEqualValueSetsMustStillPairRowsUp) {
  // Each column alone matches, but the rows pair the values differently.
  auto gold = make({"a", "b"}, {{I(1), I(2)}, {I(2), I(1)}});
  EXPECT_TRUE(compare_results(gold, make({"b", "a"}, {{I(2), I(1)}, {I(1), I(2)}})).equal);
  EXPECT_FALSE(compare_results(gold, make({"a", "b"}, {{I(1), I(1)}, {I(2), I(2)}})).equal);
}

TEST(ResultComparatorTest, TruncatedResultsNeverMatch) {
  auto gold = make({"a"}, {{I(1)}});
  auto pred = gold;
  pred.truncated = true;
  auto out = compare_results(gold, pred);
  EXPECT_FALSE(out.equal);
  EXPECT_NE(out.reason.find("row cap"), std::string::npos);
}

TEST(ResultComparatorTest, EmptyResultsAreEqual) {
  EXPECT_TRUE(compare_results(make({"a"}, {}), make({"b"}, {})).equal);
}

}  // namespace
}  // namespace t2sql
