#include "base/percent_encoding.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(PercentEncodingTest, DecodesEscapesAndKeepsStrayPercents) {
  EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(percent_decode("p%40ss%3a"), "p@ss:");
  EXPECT_EQ(percent_decode("50%"), "50%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(percent_decode(""), "");
}

TEST(PercentEncodingTest, StrictRefusesMalformedEscapes) {
  EXPECT_EQ(percent_decode_strict("a%20b"), "a b");
  EXPECT_EQ(percent_decode_strict("%41%42"), "AB");
  EXPECT_FALSE(percent_decode_strict("50%").has_value());
  EXPECT_FALSE(percent_decode_strict("%4").has_value());
  EXPECT_FALSE(percent_decode_strict("%g0").has_value());
}

}  // namespace
}  // namespace t2sql
