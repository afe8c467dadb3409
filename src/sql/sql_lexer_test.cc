#include "sql/sql_lexer.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(SqlLexer, SplitsTokensAndSkipsComments) {
  auto r = lex_sql("SELECT a.b, 'it''s' /* c */ FROM \"T 1\" -- x\nWHERE n >= 1.5e-3");
  ASSERT_TRUE(r.error.empty());
  std::vector<std::string> texts;
  for (const auto& t : r.tokens) texts.push_back(t.text);
  std::vector<std::string> want = {"SELECT", "a",       ".",     "b", ",",  "'it''s'",
                                   "FROM",   "\"T 1\"", "WHERE", "n", ">=", "1.5e-3"};
  EXPECT_EQ(texts, want);
  EXPECT_EQ(r.tokens[5].kind, SqlTokenKind::kString);
  EXPECT_EQ(r.tokens[7].kind, SqlTokenKind::kQuotedName);
  EXPECT_EQ(r.tokens[11].kind, SqlTokenKind::kNumber);
  EXPECT_TRUE(r.tokens[0].is_word("SELECT"));
}

TEST(SqlLexer, ReportsUnterminatedText) {
  EXPECT_FALSE(lex_sql("SELECT 'abc").error.empty());
  EXPECT_FALSE(lex_sql("SELECT /* abc").error.empty());
  EXPECT_FALSE(lex_sql("SELECT \"abc").error.empty());
}

}  // namespace
}  // namespace t2sql
