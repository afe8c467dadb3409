// Schema linking of reworded questions (Spider-Syn's kind of wording) on a
// scratch SQLite database read through the real catalog: a kind of the name
// wins over a derived form, a synonym of a name's head word keeps its link,
// a broader term written in several words links the name, and each of these
// counts less than the exact word, in the link and in the answer's confidence.
#include <gtest/gtest.h>

#include <memory>

#include "db/result_comparator.h"
#include "generate/schema_linker.h"
#include "generate/template_generator.h"
#include "schema/wordnet.h"
#include "t2sql/database.h"
#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

constexpr const char* kClubSql = R"sql(
CREATE TABLE mountain(mountain_id INTEGER PRIMARY KEY, name TEXT, height REAL, country TEXT);
CREATE TABLE climber(climber_id INTEGER PRIMARY KEY, name TEXT, country TEXT, points REAL,
  mountain_id INTEGER REFERENCES mountain(mountain_id));
CREATE TABLE competition(competition_id INTEGER PRIMARY KEY, theme TEXT, year INTEGER);
CREATE TABLE apartment(apartment_id INTEGER PRIMARY KEY, bedroom_count INTEGER, monthly_rent REAL);
CREATE TABLE wine(wine_id INTEGER PRIMARY KEY, name TEXT, price REAL);
INSERT INTO mountain VALUES (1,'Kilimanjaro',5895,'Tanzania'),(2,'Mount Kenya',5199,'Kenya'),
  (3,'Ras Dashen',4550,'Ethiopia');
INSERT INTO climber VALUES (1,'Ann',  'Kenya', 10, 1),(2,'Bo','Ethiopia',6,2),(3,'Cy','Kenya',8,1),
  (4,'Di','Uganda',2,3),(5,'Ed','Kenya',4,2);
INSERT INTO competition VALUES (1,'Harvest',2019),(2,'Spring',2020);
INSERT INTO apartment VALUES (1,2,900),(2,3,1200),(3,1,700),(4,4,1800);
INSERT INTO wine VALUES (1,'Zinfandel',30),(2,'Merlot',18),(3,'Syrah',25);
)sql";

class SchemaLinkerWordingTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() {
    open_schema("club.db", kClubSql);
    if (catalog_) linker_ = std::make_unique<SchemaLinker>(*catalog_);
  }
  static void TearDownTestSuite() {
    linker_.reset();
    ScratchSchemaTest::TearDownTestSuite();
  }
  void SetUp() override {
    if (WordNet::shared().empty() || !WordNet::shared().has_relations())
      GTEST_SKIP() << "wordnet-base is not installed";
  }

  // "table" or "table.column" of the best candidate of the mention starting at token `begin`.
  static std::string linked_at(const std::string& question, size_t begin, double* score = nullptr) {
    for (const auto& m : linker_->link(tokenize_question(question))) {
      if (m.begin != begin || m.candidates.empty()) continue;
      const SchemaCandidate& c = m.candidates[0];
      if (score) *score = c.score;
      const TableInfo& t = catalog_->tables[c.table];
      return c.column < 0 ? t.name : t.name + "." + t.columns[c.column].name;
    }
    return "";
  }

  static inline std::unique_ptr<SchemaLinker> linker_;
};

TEST_F(SchemaLinkerWordingTest, AKindOfTheNameWinsOverADerivedForm) {
  // "mountaineer" is a kind of climber and a form derived from "mountain":
  // the kind wins, below the exact word.
  double score = 0;
  EXPECT_EQ(linked_at("How many mountaineers are there?", 2, &score), "climber");
  EXPECT_LT(score, 0.9);
  EXPECT_GT(score, 0.4);
  auto cands = linker_->match_words({"mountaineers"});
  ASSERT_GE(cands.size(), 2u);
  EXPECT_GT(cands[0].score, cands[1].score) << "a tie leaves the choice to the order of the tables";
  double exact = 0;
  EXPECT_EQ(linked_at("How many climbers are there?", 2, &exact), "climber");
  EXPECT_EQ(exact, 1.0);
}

TEST_F(SchemaLinkerWordingTest, ASynonymOfAHeadWordKeepsItsLink) {
  // bedroom_count: "bedchambers" names its head word; weighed by the part of
  // the name it matches, the link is below the floor of weak WordNet links
  // and is kept, as the exact "bedrooms" is.
  double synonym = 0, exact = 0;
  EXPECT_EQ(linked_at("the average number of bedchambers of all apartments", 4, &synonym), "apartment.bedroom_count");
  EXPECT_EQ(linked_at("the average number of bedrooms of all apartments", 4, &exact), "apartment.bedroom_count");
  EXPECT_GT(synonym, 0);
  EXPECT_LT(synonym, exact);
  // "contests" for competition_id too (a synonym of the head of an id's
  // name), beside the table it names.
  bool id_linked = false;
  for (const auto& c : linker_->match_words({"contests"})) {
    const TableInfo& t = catalog_->tables[c.table];
    id_linked |= c.column >= 0 && t.columns[c.column].name == "competition_id" && c.score > 0;
  }
  EXPECT_TRUE(id_linked);
  // A word only related to a head word, not its synonym, stays out below the floor.
  EXPECT_EQ(linked_at("the rooms of all apartments", 1), "");
}

TEST_F(SchemaLinkerWordingTest, ABroaderTermInSeveralWordsLinksTheName) {
  // Wine is a kind of "alcoholic drink": the two words name the table.
  double score = 0;
  EXPECT_EQ(linked_at("the names of all alcoholic drink", 4, &score), "wine");
  EXPECT_LT(score, 0.9);
  // A narrower compound does not take its modifier into the name: "red
  // wine" links "wine" alone (the modifier is a condition).
  auto m = linker_->link(tokenize_question("the names of all red wine"));
  bool wine_alone = false;
  for (const auto& x : m) {
    if (x.begin == 4) ADD_FAILURE() << "'red' was linked as a part of the name";
    if (x.begin == 5 && x.end == 6) wine_alone = true;
  }
  EXPECT_TRUE(wine_alone);
}

TEST_F(SchemaLinkerWordingTest, RewordedQuestionsAnswerAsTheirOriginalsWithLessConfidence) {
  auto gen = TemplateGenerator::create(*catalog_, db_.get());
  ASSERT_TRUE(gen.ok()) << gen.status().to_string();
  struct Pair {
    const char* original;
    const char* reworded;
    const char* gold;
  };
  const Pair pairs[] = {
      {"How many climbers are there?", "How many mountaineers are there?", "SELECT COUNT(*) FROM climber"},
      {"What is the average number of bedrooms of all apartments?",
       "What is the average number of bedchambers of all apartments?", "SELECT AVG(bedroom_count) FROM apartment"},
      {"List the names of all wines.", "List the names of all alcoholic drink.", "SELECT name FROM wine"},
  };
  for (const Pair& p : pairs) {
    auto want = db_->execute(p.gold);
    ASSERT_TRUE(want.ok()) << p.gold;
    double confidence[2] = {0, 0};
    int k = 0;
    for (const char* q : {p.original, p.reworded}) {
      auto out = (*gen)->generate({.question = q});
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      ASSERT_FALSE(out->sql.empty()) << q << ": " << out->reason;
      auto got = db_->execute(out->sql);
      ASSERT_TRUE(got.ok()) << out->sql;
      auto same = compare_results(*want, *got, {});
      EXPECT_TRUE(same.equal) << same.reason << ": " << q << "\n  sql: " << out->sql;
      confidence[k++] = out->confidence;
    }
    EXPECT_LT(confidence[1], confidence[0]) << "a WordNet link counts less than the exact word: " << p.reworded;
  }
}

}  // namespace
}  // namespace t2sql
