// Status and Result<T>: values, codes, and the asserts that catch a programmer
// reading a value that is not there. The asserts run only in builds with
// assertions on (the Debug test build of scripts/test.sh); a Release build
// skips those tests and says so.
#include "t2sql/status.h"

#include <gtest/gtest.h>

#include <string>

namespace t2sql {
namespace {

Result<int> half(int n) {
  if (n % 2 != 0) return invalid_argument(std::to_string(n) + " is odd");
  return n / 2;
}

TEST(Status, CodesAndText) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status().to_string(), "ok");
  Status s = not_found("no table t");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.to_string(), "not found: no table t");
}

TEST(Result, HoldsAValueOrTheStatusWhyNot) {
  Result<int> even = half(8);
  ASSERT_TRUE(even.ok());
  EXPECT_EQ(*even, 4);
  Result<int> odd = half(7);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(odd.status().message(), "7 is odd");
}

#ifdef NDEBUG
constexpr bool kAssertionsOn = false;
#else
constexpr bool kAssertionsOn = true;
#endif

TEST(ResultDeathTest, ReadingTheValueOfAnErrorAsserts) {
  if (!kAssertionsOn) GTEST_SKIP() << "assertions are off in this build (NDEBUG); the Debug test build runs this";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Result<int> odd = half(7);
  EXPECT_DEATH(static_cast<void>(odd.value()), "ok\\(\\)");
  EXPECT_DEATH(static_cast<void>(*half(9)), "ok\\(\\)");
}

TEST(ResultDeathTest, AnOkStatusIsNotAnError) {
  if (!kAssertionsOn) GTEST_SKIP() << "assertions are off in this build (NDEBUG); the Debug test build runs this";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // A Result made from an OK status would hold neither a value nor an error.
  EXPECT_DEATH(static_cast<void>(Result<int>(Status())), "!status_.ok\\(\\)");
}

}  // namespace
}  // namespace t2sql
