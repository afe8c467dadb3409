#include "retrieval/hash_embedder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "retrieval/embedder.h"
#include "schema/text_words.h"

namespace t2sql {
namespace {

float dot(const std::vector<float>& a, const std::vector<float>& b) {
  float s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

std::vector<float> embed(const HashEmbedder& e, const std::string& text) {
  std::vector<float> v(e.dim());
  e.embed_one(text, v.data());
  return v;
}

TEST(TextWords, SplitsNormalizesAndDropsFunctionWords) {
  EXPECT_EQ(name_words("sbCustName"), (std::vector<std::string>{"sb", "customer", "name"}));
  EXPECT_EQ(name_words("Singer_ID"), (std::vector<std::string>{"singer", "id"}));
  EXPECT_EQ(name_words("HTTPCode2"), (std::vector<std::string>{"http", "code", "2"}));
  EXPECT_EQ(text_words("How many singers do we have?"), (std::vector<std::string>{"singer"}));
  EXPECT_EQ(text_words("cities and countries"), (std::vector<std::string>{"city", "country"}));
}

TEST(HashEmbedder, UnitVectorsThatRankTheRightColumnFirst) {
  HashEmbedder e(256);
  std::vector<std::string> corpus = {"singer name: column Name of table singer; text",
                                     "singer age: column Age of table singer; integer",
                                     "concert year: column Year of table concert; text",
                                     "stadium capacity: column Capacity of table stadium; integer"};
  e.fit(corpus);
  auto q = embed(e, "What is the average age of all singers?");
  EXPECT_NEAR(std::sqrt(dot(embed(e, "ages of singers"), embed(e, "ages of singers"))), 1.0f, 1e-5);
  // "average" is in no description: it shortens the vector, it does not point anywhere.
  float norm = std::sqrt(dot(q, q));
  EXPECT_GT(norm, 0.3f);
  EXPECT_LT(norm, 0.95f);
  std::vector<float> scores;
  for (const auto& c : corpus) scores.push_back(dot(q, embed(e, c)));
  EXPECT_GT(scores[1], scores[0]);  // age beats name: both say singer, one says age
  EXPECT_GT(scores[0], scores[2]);
  EXPECT_GT(scores[0], scores[3]);
  // Trigrams: a near spelling still matches.
  EXPECT_GT(dot(embed(e, "capacities of stadiums"), embed(e, corpus[3])), 0.3f);
}

TEST(HashEmbedder, DeterministicAndZeroForUnknownText) {
  HashEmbedder a(128), b(128);
  std::vector<std::string> corpus = {"brand name", "product price"};
  a.fit(corpus);
  b.fit(corpus);
  EXPECT_EQ(embed(a, "brand"), embed(b, "brand"));
  auto none = embed(a, "zzz qqq");
  EXPECT_EQ(dot(none, none), 0.0f);
  EXPECT_EQ(a.id(), "hash-v1:128");
}

TEST(MakeEmbedder, SpecsAndErrors) {
  auto e = make_embedder("hash:64");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->dim(), 64);
  EXPECT_EQ(make_embedder("hash:3").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make_embedder("hash:abc").status().code(), StatusCode::kInvalidArgument);
  auto missing = make_embedder("/nonexistent/model.gguf");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace t2sql
