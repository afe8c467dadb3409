// The template engine's rules as named passes (template_rules/passes.cc) and
// the alternatives of a question with two readings (template_alternatives.cc),
// on a small schema of its own: members of a club with a home and a work
// city (one value stored in two columns), and their dated visits.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "generate/template_generator.h"
#include "t2sql/database.h"
#include "t2sql/generator.h"
#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

constexpr const char* kClubSql = R"sql(
CREATE TABLE members(member_id INTEGER PRIMARY KEY, member_name TEXT NOT NULL, age INTEGER NOT NULL,
  home_city TEXT NOT NULL, work_city TEXT NOT NULL);
CREATE TABLE visits(visit_id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(member_id),
  visited_on DATE NOT NULL, minutes INTEGER NOT NULL);
INSERT INTO members VALUES (1,'Ana',34,'Lyon','Paris'),(2,'Ben',45,'Paris','Paris'),(3,'Chloe',29,'Nantes','Lyon'),
  (4,'Dev',52,'Lyon','Nantes'),(5,'Eva',38,'Nice','Lyon'),(6,'Finn',61,'Paris','Nice');
INSERT INTO visits VALUES (1,1,'2024-01-05',60),(2,2,'2024-02-11',45),(3,3,'2024-02-20',90),(4,1,'2024-03-02',30),
  (5,4,'2024-03-15',75),(6,6,'2024-04-01',50);
)sql";

class TemplatePassesTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() { open_schema("club.db", kClubSql); }

  static GenerationResult ask(const std::string& question, std::set<std::string> disabled = {}) {
    TemplateOptions options;
    options.disabled_rules = std::move(disabled);
    return answer(question, options);
  }
};

TEST(TemplateRuleCatalogTest, NamesAreUniqueAndOnlyRequiredOnesCannotBeDisabled) {
  std::set<std::string> seen;
  for (const auto& r : template_rules::rule_catalog()) {
    EXPECT_TRUE(seen.insert(r.name).second) << r.name << " twice";
    EXPECT_FALSE(r.example.empty()) << r.name << " has no example";
    bool switchable = std::find(template_rules::rule_names().begin(), template_rules::rule_names().end(), r.name) !=
                      template_rules::rule_names().end();
    EXPECT_NE(switchable, r.required) << r.name;
  }
  // Every analyst rule is in the catalog, in the analyst stage.
  for (const auto& name : template_rules::analyst_rule_names()) EXPECT_TRUE(seen.count(name)) << name;
  EXPECT_TRUE(seen.count("focus"));
  EXPECT_TRUE(seen.count("alternatives"));
}

TEST(TemplateRuleCatalogTest, ReadmeListsEveryRule) {
  // The README's table of rules follows the registry; on a miss this prints
  // the table to paste.
  std::ifstream in(std::string(T2SQL_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md";
  std::stringstream text;
  text << in.rdbuf();
  std::string table = "| rule | stage | example |\n| --- | --- | --- |\n";
  for (const auto& r : template_rules::rule_catalog()) {
    std::string example = r.example;
    for (size_t p = example.find('|'); p != std::string::npos; p = example.find('|', p + 2))
      example.replace(p, 1, "\\|");
    table += "| `" + r.name + "` | " + r.stage + (r.required ? " (always on)" : "") + " | " + example + " |\n";
  }
  EXPECT_NE(text.str().find(table), std::string::npos) << "README.md should hold this table:\n" << table;
}

TEST_F(TemplatePassesTest, PassesThatShapedTheQueryAreNamed) {
  auto out = ask("Names of members with age between 30 and 50");
  ASSERT_TRUE(out.answered) << out.reason;
  EXPECT_NE(out.sql.find("BETWEEN"), std::string::npos) << out.sql;
  EXPECT_TRUE(fired(out, "focus"));
  EXPECT_TRUE(fired(out, "between"));
  EXPECT_TRUE(fired(out, "projection"));
  EXPECT_FALSE(fired(out, "months"));  // no month named
}

TEST_F(TemplatePassesTest, ADisabledPassChangesTheReading) {
  auto out = ask("Names of members with age between 30 and 50", {"between"});
  EXPECT_FALSE(fired(out, "between"));
  EXPECT_EQ(out.sql.find("BETWEEN"), std::string::npos) << out.sql;
  // The two numbers are then unread: the engine is no longer sure.
  EXPECT_FALSE(out.answered) << out.sql;

  auto counted = ask("How many members are there?");
  ASSERT_TRUE(counted.answered) << counted.reason;
  EXPECT_NE(counted.sql.find("COUNT"), std::string::npos) << counted.sql;
  auto not_counted = ask("How many members are there?", {"count_cue"});
  EXPECT_EQ(not_counted.sql.find("COUNT"), std::string::npos) << not_counted.sql;
}

TEST_F(TemplatePassesTest, TwoReadingsAsLikelyWithDifferentAnswersAbstain) {
  // "Paris" is stored as a home city and as a work city; nothing says which.
  auto out = ask("Which members are from Paris?");
  EXPECT_FALSE(out.answered) << out.sql;
  EXPECT_NE(out.reason.find("two readings"), std::string::npos) << out.reason;
  ASSERT_FALSE(out.alternatives.empty());
  const auto& alt = out.alternatives[0];
  EXPECT_NE(alt.description.find("\"Paris\" read as members."), std::string::npos) << alt.description;
  EXPECT_NE(alt.description.find("instead of"), std::string::npos) << alt.description;
  // The alternative runs and answers differently from the chosen reading.
  auto rows = db_->execute(alt.sql);
  ASSERT_TRUE(rows.ok()) << alt.sql << ": " << rows.status().to_string();
  EXPECT_FALSE(rows->rows.empty());
}

TEST_F(TemplatePassesTest, AReadingTheWordsSettleHasNoTie) {
  // "work city" names the column next to the value: clearly more likely.
  auto out = ask("Which members have work city Paris?");
  ASSERT_TRUE(out.answered) << out.reason;
  EXPECT_NE(out.sql.find("work_city"), std::string::npos) << out.sql;
  for (const auto& a : out.alternatives) EXPECT_NE(a.sql, out.sql);
}

TEST_F(TemplatePassesTest, AlternativesCanBeDisabled) {
  auto out = ask("Which members are from Paris?", {"alternatives"});
  EXPECT_TRUE(out.alternatives.empty());
  EXPECT_EQ(out.reason.find("two readings"), std::string::npos) << out.reason;
}

}  // namespace
}  // namespace t2sql
