#include "schema/wordnet.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace t2sql {
namespace {

TEST(WordNetTest, SharedSensesMakeSynonyms) {
  if (!std::filesystem::exists("/usr/share/wordnet/index.noun")) GTEST_SKIP() << "wordnet-base is not installed";
  auto wn = WordNet::load("/usr/share/wordnet");
  ASSERT_TRUE(wn.ok()) << wn.status().message();
  EXPECT_GT(wn->size(), 80000u);  // single-word lemmas of WordNet 3.0
  EXPECT_TRUE(wn->synonyms("pupil", "student"));
  EXPECT_TRUE(wn->synonyms("student", "pupil"));
  EXPECT_FALSE(wn->synonyms("student", "student"));  // equality is the caller's stronger match
  EXPECT_FALSE(wn->synonyms("student", "volcano"));
  EXPECT_FALSE(wn->synonyms("student", "no-such-word"));
}

TEST(WordNetTest, OnlyTheMostFrequentSensesCount) {
  // Index lines as WordNet writes them: "bank" has the river side first.
  std::string dir = std::filesystem::temp_directory_path() / ("t2sql_wordnet_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/index.noun") << "  1 licence text starts with spaces\n"
                                     << "bank n 3 1 @ 3 0 00000001 00000002 00000003\n"
                                     << "shore n 1 1 @ 1 0 00000001\n"
                                     << "depository n 1 1 @ 1 0 00000003\n"
                                     << "river_bank n 1 1 @ 1 0 00000001\n";
  auto two = WordNet::load(dir, 2);
  ASSERT_TRUE(two.ok());
  EXPECT_TRUE(two->synonyms("bank", "shore"));
  EXPECT_FALSE(two->synonyms("bank", "depository"));  // its third sense
  auto three = WordNet::load(dir, 3);
  ASSERT_TRUE(three.ok());
  EXPECT_TRUE(three->synonyms("bank", "depository"));
  EXPECT_EQ(three->size(), 3u);  // the multi-word lemma is left out
  std::filesystem::remove_all(dir);
}

TEST(WordNetTest, MissingFilesAreNotFound) {
  auto wn = WordNet::load("/no/such/wordnet");
  ASSERT_FALSE(wn.ok());
  EXPECT_EQ(wn.status().code(), StatusCode::kNotFound);
  EXPECT_NE(wn.status().message().find("wordnet-base"), std::string::npos);
  WordNet empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_FALSE(empty.synonyms("pupil", "student"));
}

}  // namespace
}  // namespace t2sql
