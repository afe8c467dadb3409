#include "generate/schema_linker.h"

#include <gtest/gtest.h>

#include "generate/join_graph.h"

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
  TableInfo brands{"brands", {col("brand_id", ValueType::kInteger, true), col("brand_name", ValueType::kText)},
                   {"brand_id"}, {}, 0, ""};
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
  TableInfo notes{"notes", {col("note_id", ValueType::kInteger, true), col("body", ValueType::kText)}, {"note_id"},
                  {}, 0, ""};
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
