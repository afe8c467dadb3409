// Shapes of Spider-style questions the template engine reads (developed on
// Spider train, asked here of a small library schema of its own): every
// column asked for, a maker named after a participle, a list of figures,
// rows repeated only by a join that repeats them, a range of years, a
// related table named by one of its columns after a negation, a column
// whose name holds "number", an order by two columns, the average number
// of a measure, "N or more" rows of the main table per group.
#include <gtest/gtest.h>

#include <string>

#include "generate/template_generator.h"
#include "t2sql/database.h"
#include "t2sql/generator.h"
#include "testing/scratch_schema_test.h"

namespace t2sql {
namespace {

constexpr const char* kLibrarySql = R"sql(
CREATE TABLE writers(writer_id INTEGER PRIMARY KEY, writer_name TEXT NOT NULL, country TEXT NOT NULL);
CREATE TABLE volumes(volume_id INTEGER PRIMARY KEY, title TEXT NOT NULL,
  writer_id INTEGER NOT NULL REFERENCES writers(writer_id), genre TEXT NOT NULL, pages INTEGER NOT NULL,
  price REAL NOT NULL, published_year INTEGER NOT NULL, shelf_number INTEGER NOT NULL);
CREATE TABLE lendings(lending_id INTEGER PRIMARY KEY, volume_id INTEGER NOT NULL REFERENCES volumes(volume_id),
  borrower TEXT NOT NULL, lending_year INTEGER NOT NULL);
INSERT INTO writers VALUES (1,'Ada','France'),(2,'Bo','Chile'),(3,'Cy','France');
INSERT INTO volumes VALUES (1,'Tides',1,'poetry',120,9.5,1999,4),(2,'Stone',2,'novel',410,21.0,2003,7),
  (3,'Tides',3,'novel',350,18.0,2005,2),(4,'Ash',2,'essay',90,7.5,2011,4),(5,'Glass',1,'novel',520,25.0,2002,9);
INSERT INTO lendings VALUES (1,1,'Lee',2020),(2,1,'Kim',2021),(3,2,'Lee',2021),(4,5,'Ola',2022);
)sql";

class TemplateSpiderShapesTest : public testing::ScratchSchemaTest {
 protected:
  static void SetUpTestSuite() { open_schema("library.db", kLibrarySql); }

  // The SQL read for a question (answered or not: the shape is what is tested).
  static std::string sql_of(const std::string& question) {
    TemplateOptions options;
    options.min_confidence = 0;  // every reading, whatever its confidence
    GenerationResult out = answer(question, options);
    EXPECT_TRUE(out.answered) << question << ": " << out.reason;
    return out.sql;
  }
  static size_t rows_of(const std::string& sql) {
    auto rows = db_->execute(sql);
    EXPECT_TRUE(rows.ok()) << sql;
    return rows.ok() ? rows->rows.size() : 0;
  }
};

TEST_F(TemplateSpiderShapesTest, AllTheInformationIsEveryColumn) {
  std::string sql = sql_of("Show all information about each writer.");
  EXPECT_TRUE(has(sql, "SELECT * FROM writers")) << sql;
  auto rows = db_->execute(sql);
  ASSERT_TRUE(rows.ok()) << sql;
  EXPECT_EQ(rows->columns.size(), 3u) << sql;
}

TEST_F(TemplateSpiderShapesTest, AMakerNamedAfterAParticipleIsNoGroup) {
  std::string sql = sql_of("List the titles of volumes written by writers from Chile.");
  EXPECT_FALSE(has(sql, "GROUP BY")) << sql;
  EXPECT_TRUE(has(sql, "'Chile'")) << sql;
}

TEST_F(TemplateSpiderShapesTest, SuperlativesInAListAreFigures) {
  std::string sql = sql_of("What are the highest, lowest and average price of volumes?");
  EXPECT_TRUE(has(sql, "MAX(price)")) << sql;
  EXPECT_TRUE(has(sql, "MIN(price)")) << sql;
  EXPECT_TRUE(has(sql, "AVG(price)")) << sql;
  EXPECT_FALSE(has(sql, "ORDER BY")) << sql;
}

TEST_F(TemplateSpiderShapesTest, RowsRepeatOnlyWhenTheJoinRepeatsThem) {
  // Volumes reach their writer (one each): two volumes called Tides stay two.
  std::string titles = sql_of("What are the titles of volumes whose writer is from France?");
  EXPECT_FALSE(has(titles, "DISTINCT")) << titles;
  EXPECT_EQ(rows_of(titles), 3u) << titles;
  // A writer reaches many volumes: each writer once.
  std::string writers = sql_of("Show the names of writers with volumes in the novel genre.");
  EXPECT_TRUE(has(writers, "DISTINCT")) << writers;
  EXPECT_EQ(rows_of(writers), 3u) << writers;
}

TEST_F(TemplateSpiderShapesTest, BetweenTwoYearsIsARange) {
  std::string sql = sql_of("How many volumes came out between 2000 and 2005?");
  EXPECT_TRUE(has(sql, "BETWEEN 2000 AND 2005")) << sql;
  auto rows = db_->execute(sql);
  ASSERT_TRUE(rows.ok() && rows->rows.size() == 1) << sql;
  EXPECT_EQ(rows->rows[0][0].to_string(), "3") << sql;
}

TEST_F(TemplateSpiderShapesTest, ANegatedColumnOfARelatedTableExcludesItsRows) {
  std::string sql = sql_of("Which volumes do not have any borrowers?");
  EXPECT_TRUE(has(sql, "NOT IN")) << sql;
  EXPECT_EQ(rows_of(sql), 2u) << sql;
}

TEST_F(TemplateSpiderShapesTest, ANumberInAColumnNameIsNoCount) {
  std::string sql = sql_of("What is the shelf number of the volume titled Ash?");
  EXPECT_FALSE(has(sql, "COUNT")) << sql;
  EXPECT_TRUE(has(sql, "shelf_number")) << sql;
}

TEST_F(TemplateSpiderShapesTest, AnOrderByTwoColumnsKeepsBoth) {
  std::string sql = sql_of("List the titles of volumes ordered by price and pages.");
  EXPECT_TRUE(has(sql, "ORDER BY price, pages")) << sql;
  EXPECT_TRUE(has(sql, "SELECT title FROM")) << sql;
}

TEST_F(TemplateSpiderShapesTest, TheAverageNumberOfAMeasureIsItsAverage) {
  std::string sql = sql_of("What is the average number of pages of volumes?");
  EXPECT_TRUE(has(sql, "AVG(pages)")) << sql;
  EXPECT_FALSE(has(sql, "SUM(")) << sql;
}

TEST_F(TemplateSpiderShapesTest, NOrMoreRowsOfTheMainTableAreCountedPerGroup) {
  std::string sql = sql_of("Which genres have 2 or more volumes?");
  EXPECT_TRUE(has(sql, "HAVING COUNT(*) >= 2")) << sql;
  EXPECT_EQ(rows_of(sql), 1u) << sql;  // novel
}

}  // namespace
}  // namespace t2sql
