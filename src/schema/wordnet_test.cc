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
  EXPECT_EQ(three->size(), 4u);  // multi-word lemmas count too
  EXPECT_TRUE(three->synonyms("river bank", "shore"));
  EXPECT_FALSE(three->has_relations());  // no data files: synonyms only
  EXPECT_EQ(three->relation("bank", "volcano"), WordRelation::kNone);
  std::filesystem::remove_all(dir);
}

TEST(WordNetTest, RelationsFromTheDataFiles) {
  // Index lines and their data lines, as WordNet writes them: "region"
  // (00000100) is the broader term of "district" (00000200) and of "zone"
  // (00000300); "regionalism" (00000500) is derived from region, and so is
  // the adjective "regional" (00000400), which takes no part: names are nouns.
  std::string dir = std::filesystem::temp_directory_path() / ("t2sql_wordnet_rel_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/index.noun") << "region n 1 1 ~ 1 0 00000100\n"
                                     << "district n 1 1 @ 1 0 00000200\n"
                                     << "zone n 1 1 @ 1 0 00000300\n"
                                     << "regionalism n 1 1 + 1 0 00000500\n";
  std::ofstream(dir + "/index.adj") << "regional a 1 1 + 1 0 00000400\n";
  std::ofstream(dir + "/data.noun")
      << "  1 licence\n"
      << "00000100 15 n 01 region 0 003 ~ 00000200 n 0000 ~ 00000300 n 0000 + 00000400 a 0101 | a place\n"
      << "00000200 15 n 01 district 0 001 @ 00000100 n 0000 | a part of a country\n"
      << "00000300 15 n 01 zone 0 001 @ 00000100 n 0000 | an area\n"
      << "00000500 15 n 01 regionalism 0 001 + 00000100 n 0101 | a regional word\n";
  std::ofstream(dir + "/data.adj") << "00000400 00 a 01 regional 0 001 + 00000100 n 0101 | of a region\n";
  std::ofstream(dir + "/noun.exc") << "districtz district\n";
  auto wn = WordNet::load(dir);
  ASSERT_TRUE(wn.ok()) << wn.status().message();
  ASSERT_TRUE(wn->has_relations());
  EXPECT_EQ(wn->relation("district", "region"), WordRelation::kNarrower);
  EXPECT_EQ(wn->relation("region", "district"), WordRelation::kBroader);
  EXPECT_EQ(wn->relation("district", "zone"), WordRelation::kSibling);
  EXPECT_EQ(wn->relation("regionalism", "region"), WordRelation::kDerived);
  EXPECT_EQ(wn->relation("regional", "region"), WordRelation::kNone);  // an adjective
  EXPECT_EQ(wn->relation("districts", "region"), WordRelation::kNarrower);   // suffix rule
  EXPECT_EQ(wn->relation("districtz", "region"), WordRelation::kNarrower);   // exception list
  EXPECT_EQ(wn->relation("District", "REGION"), WordRelation::kNarrower);    // case
  EXPECT_EQ(wn->relation("region", "region"), WordRelation::kNone);          // equality is the caller's
  EXPECT_EQ(wn->relation("regionalism", "zone"), WordRelation::kNone);       // derived, then down: too far
  std::filesystem::remove_all(dir);
}

TEST(WordNetTest, RelationsOfTheRealWordNet) {
  if (!std::filesystem::exists("/usr/share/wordnet/data.noun")) GTEST_SKIP() << "wordnet-base is not installed";
  const WordNet& wn = WordNet::shared();
  EXPECT_EQ(wn.relation("forename", "first name"), WordRelation::kVariant);  // a multi-word term, one sense
  EXPECT_TRUE(wn.synonyms("surname", "last_name"));
  EXPECT_EQ(wn.relation("colour", "color"), WordRelation::kVariant);
  EXPECT_EQ(wn.relation("pupil", "student"), WordRelation::kSynonym);
  EXPECT_EQ(wn.relation("district", "region"), WordRelation::kNarrower);
  EXPECT_EQ(wn.relation("divisions", "department"), WordRelation::kBroader);
  EXPECT_NE(wn.relation("airplane", "aircraft"), WordRelation::kNone);
  EXPECT_EQ(wn.relation("student", "volcano"), WordRelation::kNone);
}

TEST(WordNetTest, CompoundsDerivedFormsAndPluralNouns) {
  if (!std::filesystem::exists("/usr/share/wordnet/data.noun")) GTEST_SKIP() << "wordnet-base is not installed";
  const WordNet& wn = WordNet::shared();
  // "curriculum" is a "course of study"; "document" a "text file", a kind of
  // "computer file": kinds of course and of file, through the compound's head.
  EXPECT_EQ(wn.relation("curriculum", "course"), WordRelation::kNarrower);
  EXPECT_EQ(wn.relation("course", "curriculum"), WordRelation::kBroader);
  EXPECT_EQ(wn.relation("file", "document"), WordRelation::kBroader);
  EXPECT_EQ(wn.relation("curriculum", "volcano"), WordRelation::kNone);
  // A singular name of a noun used in the plural: "headquarter" reads as headquarters.
  EXPECT_EQ(wn.relation("office", "headquarter"), WordRelation::kBroader);
  // Derived forms across parts of speech, and broader terms a few steps up.
  EXPECT_TRUE(wn.derived("describing", "description"));
  EXPECT_FALSE(wn.derived("volcano", "description"));
  EXPECT_TRUE(wn.broader_within("content", "description", 2));
  EXPECT_FALSE(wn.broader_within("content", "description", 1));
  EXPECT_FALSE(wn.broader_within("description", "content", 2));  // narrower, not broader
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
