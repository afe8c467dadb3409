// The rules that Spider train's wrong answers taught in a second round
// (README: "What Spider train's wrong answers taught the rules"), asked of a
// scratch schema of clubs, their members, events, suspensions and awards
// (awards.member_id is a reference no foreign key declares). Each test asks
// with the rule on and checks the SQL and its rows, then asks with the rule
// switched off by name, so that the test fails if the rule stops doing it.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "generate/template_generator.h"
#include "t2sql/database.h"
#include "t2sql/generator.h"
#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

constexpr const char* kClubsSql = R"sql(
CREATE TABLE clubs(club_id INTEGER PRIMARY KEY, club_name TEXT NOT NULL, city TEXT NOT NULL, founded INTEGER NOT NULL);
CREATE TABLE members(member_id INTEGER PRIMARY KEY, member_name TEXT NOT NULL, age INTEGER NOT NULL,
  club_id INTEGER NOT NULL REFERENCES clubs(club_id), card TEXT NOT NULL, height REAL NOT NULL);
CREATE TABLE events(event_id INTEGER PRIMARY KEY, event_name TEXT NOT NULL,
  club_id INTEGER NOT NULL REFERENCES clubs(club_id), fee REAL NOT NULL);
CREATE TABLE suspensions(suspension_id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(member_id),
  reason TEXT NOT NULL);
CREATE TABLE awards(award_id INTEGER PRIMARY KEY, award_name TEXT NOT NULL, member_id INTEGER NOT NULL,
  award_year INTEGER NOT NULL);
INSERT INTO clubs VALUES (1,'Chess Circle','Lyon',1985),(2,'Rowing Crew','Oslo',2004),(3,'Choir','Lyon',2008),
  (4,'Film Society','Oslo',1970);
INSERT INTO members VALUES (1,'Ana',19,1,'Gold',165),(2,'Ben',34,1,'Silver',181),(3,'Cleo',67,2,'Gold',158),
  (4,'Dev',45,3,'Bronze',195),(5,'Eli',15,2,'Silver',172),(6,'Fay',52,4,'Silver',149);
INSERT INTO events VALUES (1,'Open',1,10),(2,'Blitz',1,5),(3,'Regatta',2,20),(4,'Gala',3,15),(5,'Rapid',1,8);
INSERT INTO suspensions VALUES (1,2,'late'),(2,4,'rude');
INSERT INTO awards VALUES (1,'Best Voice',4,2020),(2,'Fast Oar',3,2021),(3,'Grandmaster',1,2020);
)sql";

class TemplateSpiderRulesTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() { open_schema("clubs.db", kClubsSql); }

  // The reading of a question, answered or not (the shape is what is tested).
  static GenerationResult ask(const std::string& question, std::set<std::string> disabled = {}) {
    TemplateOptions options;
    options.min_confidence = 0;
    options.disabled_rules = std::move(disabled);
    return answer(question, options);
  }
  // The rows of the SQL as "a|b" lines, sorted.
  static std::multiset<std::string> rows_of(const std::string& sql) {
    std::multiset<std::string> out;
    auto rows = db_->execute(sql);
    EXPECT_TRUE(rows.ok()) << sql;
    if (!rows.ok()) return out;
    for (const auto& r : rows->rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) line += (i ? "|" : "") + r[i].to_string();
      out.insert(line);
    }
    return out;
  }
};

using Rows = std::multiset<std::string>;

TEST_F(TemplateSpiderRulesTest, ANumberAfterAKeyColumnIsItsValue) {
  auto r = ask("What is the name of the member with id 3?");
  EXPECT_TRUE(has(r.sql, "member_id = 3")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Cleo"})) << r.sql;
  EXPECT_TRUE(fired(r, "column_then_number"));
  auto off = ask("What is the name of the member with id 3?", {"column_then_number"});
  EXPECT_FALSE(has(off.sql, "= 3")) << off.sql;
}

TEST_F(TemplateSpiderRulesTest, AComparisonWithoutAColumnTakesThePreviousOnesColumn) {
  auto r = ask("Which members have a height lower than 150 or higher than 190?");
  EXPECT_TRUE(has(r.sql, "height < 150 OR height > 190")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Dev", "Fay"})) << r.sql;
  auto off = ask("Which members have a height lower than 150 or higher than 190?", {"comparison_chain"});
  EXPECT_FALSE(has(off.sql, "height > 190")) << off.sql;
}

TEST_F(TemplateSpiderRulesTest, MoreThanNTimesCountsRowsPerGroup) {
  auto r = ask("Which cards appear more than 2 times?");
  EXPECT_TRUE(has(r.sql, "GROUP BY card HAVING COUNT(*) > 2")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Silver"})) << r.sql;
  auto off = ask("Which cards appear more than 2 times?", {"count_of_times"});
  EXPECT_FALSE(has(off.sql, "HAVING")) << off.sql;
}

TEST_F(TemplateSpiderRulesTest, AnEntityFixedByItsNameIsOneGroup) {
  auto r = ask("What is the total fee of events by the club Chess Circle?");
  EXPECT_FALSE(has(r.sql, "GROUP BY")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"23"})) << r.sql;
  auto off = ask("What is the total fee of events by the club Chess Circle?", {"fixed_entity"});
  EXPECT_TRUE(has(off.sql, "GROUP BY")) << off.sql;
  // A count beside a column a condition fixes is one count too (SQLite's LIKE ignores case).
  auto count = ask("How many clubs have the word 'C' in their names?");
  EXPECT_FALSE(has(count.sql, "GROUP BY")) << count.sql;
  EXPECT_EQ(rows_of(count.sql), (Rows{"4"})) << count.sql;
}

TEST_F(TemplateSpiderRulesTest, ANegatedVerbNamesARelatedTableByItsStem) {
  auto r = ask("Which members were never suspended?");
  EXPECT_TRUE(has(r.sql, "NOT IN (SELECT member_id FROM suspensions)")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Ana", "Cleo", "Eli", "Fay"})) << r.sql;
  auto off = ask("Which members were never suspended?", {"negated_relation"});
  EXPECT_FALSE(has(off.sql, "NOT IN")) << off.sql;
}

TEST_F(TemplateSpiderRulesTest, ConditionsJoinedByOrAreAlternatives) {
  auto r = ask("Which members are older than 50 or have card Gold?");
  EXPECT_TRUE(has(r.sql, "(age > 50 OR card = 'Gold')")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Ana", "Cleo", "Fay"})) << r.sql;
  // Values of one column stay a list.
  auto list = ask("Which members have card Gold or Bronze?");
  EXPECT_TRUE(has(list.sql, "IN ('Gold', 'Bronze')") || has(list.sql, "IN ('Bronze', 'Gold')")) << list.sql;
  auto off = ask("Which members are older than 50 or have card Gold?", {"or_conditions"});
  EXPECT_FALSE(has(off.sql, " OR ")) << off.sql;
}

TEST_F(TemplateSpiderRulesTest, AColumnThatLabelsAValueIsNotShown) {
  auto r = ask("What are the award name and member id of awards in award year 2020?");
  EXPECT_TRUE(has(r.sql, "SELECT award_name, member_id FROM awards WHERE award_year = 2020")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Best Voice|4", "Grandmaster|1"})) << r.sql;
  auto off = ask("What are the award name and member id of awards in award year 2020?", {"condition_column"});
  EXPECT_TRUE(has(off.sql, "SELECT award_name, member_id, award_year")) << off.sql;
}

TEST_F(TemplateSpiderRulesTest, TheMaximumAfterTheRowsPicksTheRow) {
  auto r = ask("What is the name of the member that has the maximum height?");
  EXPECT_TRUE(has(r.sql, "ORDER BY height DESC LIMIT 1")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Dev"})) << r.sql;
  auto off = ask("What is the name of the member that has the maximum height?", {"extreme_row"});
  EXPECT_TRUE(has(off.sql, "MAX(height)")) << off.sql;
}

TEST_F(TemplateSpiderRulesTest, BothOfTwoConditionsIsAnIntersection) {
  auto r = ask("Which cities have both clubs founded before 1990 and clubs founded after 2000?");
  EXPECT_TRUE(has(r.sql, " INTERSECT ")) << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Lyon", "Oslo"})) << r.sql;
  auto one = ask("Which cities have both clubs founded before 1980 and clubs founded after 2005?");
  EXPECT_EQ(rows_of(one.sql), (Rows{})) << one.sql;  // Oslo 1970 but not after 2005; Lyon 2008 but not before 1980
  auto off =
      ask("Which cities have both clubs founded before 1990 and clubs founded after 2000?", {"both_intersection"});
  EXPECT_FALSE(has(off.sql, "INTERSECT")) << off.sql;
}

TEST_F(TemplateSpiderRulesTest, AColumnNamedAsAnotherTablesKeyJoinsThem) {
  auto r = ask("Show the award names and the names of the members who won them.");
  EXPECT_TRUE(has(r.sql, "members.member_id = awards.member_id") || has(r.sql, "awards.member_id = members.member_id"))
      << r.sql;
  EXPECT_EQ(rows_of(r.sql), (Rows{"Best Voice|Dev", "Fast Oar|Cleo", "Grandmaster|Ana"})) << r.sql;
  auto off = ask("Show the award names and the names of the members who won them.", {"undeclared_keys"});
  EXPECT_TRUE(off.sql.empty()) << off.sql;  // the tables are not connected
}

}  // namespace
}  // namespace t2sql
