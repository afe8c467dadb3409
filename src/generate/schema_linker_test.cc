#include "generate/schema_linker.h"

#include <gtest/gtest.h>

#include "generate/join_graph.h"
#include "schema/wordnet.h"

namespace t2sql {
namespace {

Catalog shop_catalog() {
  Catalog c;
  c.engine = "sqlite";
  auto col = [](const char* name, ValueType type, bool pk = false) {
    ColumnInfo ci;
    ci.name = name;
    ci.type = type;
    ci.primary_key = pk;
    return ci;
  };
  TableInfo brands{
      "brands", {col("brand_id", ValueType::kInteger, true), col("brand_name", ValueType::kText)}, {"brand_id"}, {}, 0,
      ""};
  TableInfo products{"products",
                     {col("product_id", ValueType::kInteger, true), col("brand_id", ValueType::kInteger),
                      col("unitPrice", ValueType::kReal), col("qty_in_stock", ValueType::kInteger)},
                     {"product_id"},
                     {{{"brand_id"}, "brands", {"brand_id"}}},
                     0,
                     ""};
  TableInfo sales{"sales",
                  {col("sale_id", ValueType::kInteger, true), col("product_id", ValueType::kInteger),
                   col("amount", ValueType::kReal)},
                  {"sale_id"},
                  {{{"product_id"}, "products", {"product_id"}}},
                  0,
                  ""};
  sales.columns[2].description = "revenue of the sale in dollars";
  TableInfo notes{
      "notes", {col("note_id", ValueType::kInteger, true), col("body", ValueType::kText)}, {"note_id"}, {}, 0, ""};
  c.tables = {brands, products, sales, notes};
  return c;
}

const SchemaCandidate* best(const std::vector<SchemaMention>& m, size_t begin) {
  for (const auto& x : m) {
    if (x.begin == begin && !x.candidates.empty()) return &x.candidates[0];
  }
  return nullptr;
}

TEST(SchemaLinkerTest, NamesPluralsAbbreviationsAndSynonyms) {
  Catalog c = shop_catalog();
  SchemaLinker linker(c);
  auto m = linker.link(tokenize_question("brand names and unit prices of products with quantity in stock"));
  const SchemaCandidate* brand_name = best(m, 0);
  ASSERT_NE(brand_name, nullptr);
  EXPECT_EQ(c.tables[brand_name->table].columns[brand_name->column].name, "brand_name");
  const SchemaCandidate* price = best(m, 3);
  ASSERT_NE(price, nullptr);
  EXPECT_EQ(c.tables[price->table].columns[price->column].name, "unitPrice");
  const SchemaCandidate* products = best(m, 6);
  ASSERT_NE(products, nullptr);
  EXPECT_EQ(products->column, -1);
  EXPECT_EQ(c.tables[products->table].name, "products");
  const SchemaCandidate* qty = best(m, 8);
  ASSERT_NE(qty, nullptr);
  EXPECT_EQ(c.tables[qty->table].columns[qty->column].name, "qty_in_stock");

  // A synonym reaches both the sales table and its amount column.
  auto rev = linker.match_words({"revenue"});
  bool table = false, amount = false;
  for (const auto& x : rev) {
    table |= x.column < 0 && c.tables[x.table].name == "sales";
    amount |= x.column >= 0 && c.tables[x.table].columns[x.column].name == "amount";
  }
  EXPECT_TRUE(table);
  EXPECT_TRUE(amount);
  // Description words link weakly.
  auto dollars = linker.match_words({"dollar"});
  ASSERT_FALSE(dollars.empty());
  EXPECT_LT(dollars[0].score, 0.5);
  EXPECT_TRUE(linker.link(tokenize_question("the of and what")).empty());
}

TEST(SchemaLinkerTest, PredicativeFormNamesATable) {
  Catalog c = shop_catalog();
  TableInfo snapshot{"active_store", {}, {}, {}, 0, ""};
  c.tables.push_back(snapshot);
  SchemaLinker linker(c);
  // "stores were active" as "active stores": one span over the three words.
  auto m = linker.link(tokenize_question("how many stores were active"));
  const SchemaCandidate* active = best(m, 2);
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(c.tables[active->table].name, "active_store");
  // No such table: the noun alone links, the verb and adjective stay free.
  auto plain = linker.link(tokenize_question("which products are cheap"));
  const SchemaCandidate* products = best(plain, 1);
  ASSERT_NE(products, nullptr);
  EXPECT_EQ(c.tables[products->table].name, "products");
  for (const auto& x : plain) EXPECT_EQ(x.end - x.begin, 1u);
}

// A people schema for the wording tests: names split in two, a region table.
Catalog people_catalog() {
  Catalog c;
  c.engine = "sqlite";
  auto col = [](const char* name, ValueType type) {
    ColumnInfo ci;
    ci.name = name;
    ci.type = type;
    return ci;
  };
  TableInfo staff{"staff",
                  {col("staff_id", ValueType::kInteger), col("FName", ValueType::kText), col("LName", ValueType::kText),
                   col("start_date", ValueType::kText), col("end_date", ValueType::kText)},
                  {"staff_id"},
                  {},
                  0,
                  ""};
  TableInfo region{"region", {col("region_id", ValueType::kInteger), col("region_name", ValueType::kText)},
                   {"region_id"}, {}, 0, ""};
  c.tables = {staff, region};
  return c;
}

std::string column_at(const Catalog& c, const std::vector<SchemaMention>& m, size_t begin) {
  const SchemaCandidate* x = best(m, begin);
  if (!x) return "";
  return x->column < 0 ? c.tables[x->table].name : c.tables[x->table].columns[x->column].name;
}

TEST(SchemaLinkerTest, WordNetRelationsCountLessThanExactNames) {
  if (WordNet::shared().empty() || !WordNet::shared().has_relations()) GTEST_SKIP() << "wordnet-base is not installed";
  Catalog c = people_catalog();
  SchemaLinker linker(c);
  // A synonym of a two-word name, a narrower term, a broader one.
  auto m = linker.link(tokenize_question("the forename of staff in each district"));
  EXPECT_EQ(column_at(c, m, 1), "FName");
  EXPECT_EQ(column_at(c, m, 6), "region");
  ASSERT_NE(best(m, 6), nullptr);
  EXPECT_LT(best(m, 6)->score, 0.9);  // weaker than an exact word or a listed synonym
  EXPECT_GT(best(m, 6)->score, 0.4);
  // The exact name wins where both could link, and no related rival is added.
  auto exact = linker.match_words({"region"});
  ASSERT_FALSE(exact.empty());
  EXPECT_EQ(exact[0].score, 1.0);
  for (const auto& x : exact) EXPECT_GE(x.score, 0.3) << "an exact word brings no WordNet candidates";
  // Words the rules read as the question's shape never link through WordNet.
  EXPECT_TRUE(linker.match_words({"total"}).empty());
}

TEST(SchemaLinkerTest, TwoWordsForOneWordOfAName) {
  Catalog c = people_catalog();
  ColumnInfo room;
  room.name = "classroom";
  room.type = ValueType::kText;
  c.tables[1].columns.push_back(room);
  ColumnInfo description;
  description.name = "region_description";
  description.type = ValueType::kText;
  c.tables[1].columns.push_back(description);
  SchemaLinker linker(c);
  // A compound written apart matches without WordNet, nearly as an exact name.
  auto m = linker.link(tokenize_question("the class room of each region"));
  EXPECT_EQ(column_at(c, m, 1), "classroom");
  ASSERT_NE(best(m, 1), nullptr);
  EXPECT_GE(best(m, 1)->score, 0.9);
  if (WordNet::shared().empty() || !WordNet::shared().has_relations()) GTEST_SKIP() << "wordnet-base is not installed";
  // A derived word and a broader term: "describing content" is a description.
  auto d = linker.link(tokenize_question("the region describing content"));
  EXPECT_EQ(column_at(c, d, 1), "region_description");
  ASSERT_NE(best(d, 1), nullptr);
  EXPECT_LT(best(d, 1)->score, 0.9);
  // Two unrelated words match nothing.
  EXPECT_TRUE(linker.match_words({"volcano", "content"}).empty());
}

TEST(SchemaLinkerTest, SchemaWordsDoNotLinkThroughWordNet) {
  Catalog c;
  c.engine = "sqlite";
  ColumnInfo id, hq, company;
  id.name = "id";
  hq.name = "headquarters";
  company.name = "company_id";
  TableInfo companies{"companies", {id, hq}, {"id"}, {}, 0, ""};
  TableInfo offices{"office_locations", {company}, {}, {}, 0, ""};
  c.tables = {companies, offices};
  SchemaLinker linker(c);
  // "office" is a word of office_locations: not headquarters' broader term.
  EXPECT_TRUE(linker.match_words({"office"}).empty());
  EXPECT_TRUE(linker.match_words({"company", "office"}).empty());
  if (WordNet::shared().empty() || !WordNet::shared().has_relations()) GTEST_SKIP() << "wordnet-base is not installed";
  // Without that table, it is.
  c.tables.pop_back();
  SchemaLinker alone(c);
  auto cands = alone.match_words({"office"});
  ASSERT_FALSE(cands.empty());
  EXPECT_EQ(cands[0].column, 1);
  EXPECT_LT(cands[0].score, 0.9);
}

TEST(SchemaLinkerTest, ElidedAndFullNames) {
  Catalog c = people_catalog();
  SchemaLinker linker(c);
  // "first and last name": both columns.
  auto m = linker.link(tokenize_question("the first and last name of every staff"));
  EXPECT_EQ(column_at(c, m, 1), "FName");
  EXPECT_EQ(column_at(c, m, 3), "LName");
  auto dates = linker.link(tokenize_question("start and end date of staff"));
  EXPECT_EQ(column_at(c, dates, 0), "start_date");
  EXPECT_EQ(column_at(c, dates, 2), "end_date");
  // "full name": the first and the last name where no column is called so.
  auto full = linker.link(tokenize_question("the full name of each staff"));
  EXPECT_EQ(column_at(c, full, 1), "FName");
  EXPECT_EQ(column_at(c, full, 2), "LName");
  // With a full_name column, that column.
  Catalog named = c;
  ColumnInfo full_name;
  full_name.name = "full_name";
  full_name.type = ValueType::kText;
  named.tables[0].columns.push_back(full_name);
  SchemaLinker named_linker(named);
  auto one = named_linker.link(tokenize_question("the full name of each staff"));
  EXPECT_EQ(column_at(named, one, 1), "full_name");
  // No column for the elided word: nothing is added.
  auto none = linker.link(tokenize_question("the zorblat and last name"));
  EXPECT_EQ(column_at(c, none, 1), "");
}

TEST(JoinGraphTest, ShortestPathsAlongForeignKeys) {
  Catalog c = shop_catalog();
  JoinGraph g(c);
  EXPECT_EQ(g.distance(2, 0), 2);  // sales -> products -> brands
  EXPECT_EQ(g.distance(0, 2), 2);
  EXPECT_EQ(g.distance(0, 3), -1);  // notes stands alone
  auto steps = g.connect({0, 2});
  ASSERT_TRUE(steps.has_value());
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_EQ((*steps)[1].table, 1);
  EXPECT_EQ((*steps)[2].table, 2);
  EXPECT_FALSE(g.connect({0, 3}).has_value());
  auto edge = g.direct_edge(1, 0);
  ASSERT_TRUE(edge.has_value());
  EXPECT_EQ(edge->from_columns[0], "brand_id");
}

}  // namespace
}  // namespace t2sql
