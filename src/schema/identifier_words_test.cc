#include "schema/identifier_words.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

using Words = std::vector<std::string>;

TEST(IdentifierWordsTest, SplitsOnCaseUnderscoresAndDigits) {
  EXPECT_EQ(split_identifier("order_date"), (Words{"order", "date"}));
  EXPECT_EQ(split_identifier("OrderDate"), (Words{"order", "date"}));
  EXPECT_EQ(split_identifier("petType"), (Words{"pet", "type"}));
  EXPECT_EQ(split_identifier("HTTPStatusCode"), (Words{"http", "status", "code"}));
  EXPECT_EQ(split_identifier("address2"), (Words{"address", "2"}));
  EXPECT_EQ(split_identifier("Song_release_year"), (Words{"song", "release", "year"}));
  EXPECT_EQ(split_identifier("  weird--name. "), (Words{"weird", "name"}));
  EXPECT_TRUE(split_identifier("").empty());
}

TEST(IdentifierWordsTest, FoldsPlurals) {
  EXPECT_EQ(singular_word("stores"), "store");
  EXPECT_EQ(singular_word("Categories"), "category");
  EXPECT_EQ(singular_word("cities"), "city");
  EXPECT_EQ(singular_word("addresses"), "address");
  EXPECT_EQ(singular_word("boxes"), "box");
  EXPECT_EQ(singular_word("people"), "person");
  EXPECT_EQ(singular_word("employees"), "employee");
  EXPECT_EQ(singular_word("sales"), "sale");
  EXPECT_EQ(singular_word("status"), "status");
  EXPECT_EQ(singular_word("class"), "class");
  EXPECT_EQ(singular_word("analysis"), "analysis");
  EXPECT_EQ(singular_word("bus"), "bus");
  EXPECT_EQ(singular_word("is"), "is");
}

TEST(IdentifierWordsTest, ExpandsAbbreviationsInIdentifiers) {
  EXPECT_EQ(identifier_words("qty_sold"), (Words{"quantity", "sold"}));
  EXPECT_EQ(identifier_words("total_amt"), (Words{"total", "amount"}));
  EXPECT_EQ(identifier_words("deptNo"), (Words{"department", "number"}));
  EXPECT_EQ(identifier_words("Fname"), (Words{"first", "name"}));
  EXPECT_EQ(identifier_words("LName"), (Words{"last", "name"}));  // an initial before "name"
  EXPECT_EQ(identifier_words("f_name"), (Words{"first", "name"}));
  EXPECT_EQ(identifier_words("x_name"), (Words{"x", "name"}));
  EXPECT_EQ(identifier_phrase("cust_addr"), "customer address");
  EXPECT_EQ(identifier_phrase("brand_names"), "brand name");
  // The question's own words are never expanded.
  EXPECT_EQ(normalize_word("no"), "no");
  EXPECT_EQ(normalize_word("Cats"), "cat");
}

TEST(IdentifierWordsTest, SynonymsAreSymmetricAndSmall) {
  EXPECT_TRUE(same_meaning("revenue", "sales"));
  EXPECT_TRUE(same_meaning("sales", "revenue"));
  EXPECT_TRUE(same_meaning("towns", "city"));
  EXPECT_TRUE(same_meaning("Stores", "store"));
  EXPECT_FALSE(same_meaning("city", "country"));
  EXPECT_FALSE(same_meaning("revenue", "quantity"));
  EXPECT_TRUE(synonyms_of("zebra").empty());
  for (const auto& s : synonyms_of("revenue")) EXPECT_TRUE(same_meaning(s, "revenue")) << s;
}

TEST(IdentifierWordsTest, StopWords) {
  EXPECT_TRUE(is_stop_word("the"));
  EXPECT_TRUE(is_stop_word("what"));
  EXPECT_FALSE(is_stop_word("brand"));
  EXPECT_FALSE(is_stop_word("region"));
}

}  // namespace
}  // namespace t2sql
