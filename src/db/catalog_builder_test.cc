// The builder's own rules, fed by a scripted source (each engine's real
// introspection is tested against a real database in its own *_test.cc).
#include "db/catalog_builder.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace t2sql {
namespace {

class ScriptedSource final : public CatalogSource {
 public:
  std::string engine() const override { return "scripted"; }
  Result<std::vector<CatalogTableRow>> tables() override {
    if (!tables_error.ok()) return tables_error;
    return table_rows;
  }
  Result<std::vector<ColumnInfo>> columns(const CatalogTableRow& t) override {
    if (t.name == columns_fail) return invalid_argument("no columns for " + t.name);
    return column_rows[t.name];
  }
  Result<std::vector<CatalogKeyRow>> keys(const CatalogTableRow& t) override {
    if (t.name == keys_fail) return invalid_argument("no keys");
    return key_rows[t.name];
  }
  Result<int64_t> row_count(const CatalogTableRow& t) override {
    ++counts_asked;
    if (!counts.count(t.name)) return unavailable("no count");
    return counts[t.name];
  }
  Result<ResultSet> sample_values(const CatalogTableRow& t, const std::string& column, int limit) override {
    last_limit = limit;
    auto it = samples.find(t.name + "." + column);
    if (it == samples.end()) return invalid_argument("no samples");
    ResultSet rs;
    rs.columns = {column};
    for (const auto& v : it->second) rs.rows.push_back({Value::text(v)});
    return rs;
  }
  bool declares_foreign_keys() const override { return declares; }

  Status tables_error;
  std::vector<CatalogTableRow> table_rows;
  std::map<std::string, std::vector<ColumnInfo>> column_rows;
  std::map<std::string, std::vector<CatalogKeyRow>> key_rows;
  std::map<std::string, int64_t> counts;
  std::map<std::string, std::vector<std::string>> samples;
  std::string columns_fail, keys_fail;
  bool declares = true;
  int counts_asked = 0, last_limit = 0;
};

ColumnInfo column(const std::string& name) {
  ColumnInfo c;
  c.name = name;
  c.declared_type = "TEXT";
  return c;
}

ScriptedSource shop() {
  ScriptedSource s;
  s.table_rows = {{.name = "customers", .description = "people who buy"}, {.name = "orders"}};
  s.column_rows["customers"] = {column("id"), column("region"), column("name")};
  s.column_rows["orders"] = {column("order_id"), column("customer_id"), column("region"), column("customer_name")};
  s.key_rows["customers"] = {{.primary = true, .column = "id"}, {.primary = true, .column = "region"}};
  // Two foreign keys: one of two columns, one naming no referenced column.
  s.key_rows["orders"] = {{.primary = true, .column = "order_id"},
                          {.constraint = "1", .column = "customer_id", .ref_table = "customers", .ref_column = "id"},
                          {.constraint = "1", .column = "region", .ref_table = "customers", .ref_column = "region"},
                          {.constraint = "2", .column = "customer_name", .ref_table = "customers"}};
  s.counts = {{"customers", 3}};
  s.samples["customers.name"] = {"Ann", std::string(70, 'x')};
  return s;
}

TEST(CatalogBuilder, AssemblesTablesKeysCountsAndSamples) {
  ScriptedSource s = shop();
  auto cat = build_catalog(s, {.sample_values = 2, .row_counts = true});
  ASSERT_TRUE(cat.ok()) << cat.status().message();
  EXPECT_EQ(cat->engine, "scripted");
  ASSERT_EQ(cat->tables.size(), 2u);
  const TableInfo& customers = cat->tables[0];
  EXPECT_EQ(customers.description, "people who buy");
  EXPECT_EQ(customers.primary_key, (std::vector<std::string>{"id", "region"}));
  EXPECT_TRUE(customers.columns[0].primary_key);
  EXPECT_TRUE(customers.columns[1].primary_key);
  EXPECT_FALSE(customers.columns[2].primary_key);
  EXPECT_EQ(customers.row_count, 3);
  EXPECT_EQ(cat->tables[1].row_count, 0);  // the count failed: left at 0
  EXPECT_EQ(s.last_limit, 2);
  ASSERT_EQ(customers.columns[2].samples.size(), 2u);
  EXPECT_EQ(customers.columns[2].samples[0], "Ann");
  EXPECT_EQ(customers.columns[2].samples[1], std::string(60, 'x'));
  EXPECT_TRUE(customers.columns[0].samples.empty());  // no samples for it: left out

  const TableInfo& orders = cat->tables[1];
  ASSERT_EQ(orders.foreign_keys.size(), 2u);
  EXPECT_EQ(orders.foreign_keys[0].columns, (std::vector<std::string>{"customer_id", "region"}));
  EXPECT_EQ(orders.foreign_keys[0].ref_columns, (std::vector<std::string>{"id", "region"}));
  // Naming no column, the key refers to the referenced table's primary key.
  EXPECT_EQ(orders.foreign_keys[1].columns, (std::vector<std::string>{"customer_name"}));
  EXPECT_EQ(orders.foreign_keys[1].ref_columns, (std::vector<std::string>{"id"}));
}

TEST(CatalogBuilder, OptionsTurnCountsAndSamplesOff) {
  ScriptedSource s = shop();
  auto cat = build_catalog(s, {.sample_values = 0, .row_counts = false});
  ASSERT_TRUE(cat.ok());
  EXPECT_EQ(s.counts_asked, 0);
  EXPECT_EQ(s.last_limit, 0);
  EXPECT_EQ(cat->tables[0].row_count, 0);
  EXPECT_TRUE(cat->tables[0].columns[2].samples.empty());
}

TEST(CatalogBuilder, ListingFailuresEndTheCatalogKeyFailuresLeaveKeysOut) {
  ScriptedSource listing = shop();
  listing.tables_error = unavailable("server gone");
  EXPECT_EQ(build_catalog(listing, {}).status().code(), StatusCode::kUnavailable);

  ScriptedSource columns = shop();
  columns.columns_fail = "orders";
  auto no_columns = build_catalog(columns, {});
  ASSERT_FALSE(no_columns.ok());
  EXPECT_NE(no_columns.status().message().find("orders"), std::string::npos);

  ScriptedSource keys = shop();
  keys.keys_fail = "orders";
  auto no_keys = build_catalog(keys, {});
  ASSERT_TRUE(no_keys.ok());
  EXPECT_TRUE(no_keys->tables[1].primary_key.empty());
  EXPECT_TRUE(no_keys->tables[1].foreign_keys.empty());
  EXPECT_EQ(no_keys->tables[0].primary_key.size(), 2u);
}

// Where the engine declares none, a column named like another table's
// one-column primary key refers to it (never a table's own key).
TEST(CatalogBuilder, InfersForeignKeysByNameWhereTheEngineHasNone) {
  ScriptedSource s;
  s.declares = false;
  s.table_rows = {{.name = "stores"}, {.name = "sales"}};
  s.column_rows["stores"] = {column("store_id"), column("city")};
  s.column_rows["sales"] = {column("sale_id"), column("store_id")};
  s.key_rows["stores"] = {{.primary = true, .column = "store_id"}};
  s.key_rows["sales"] = {{.primary = true, .column = "sale_id"}};
  auto cat = build_catalog(s, {.sample_values = 0, .row_counts = false});
  ASSERT_TRUE(cat.ok());
  EXPECT_TRUE(cat->tables[0].foreign_keys.empty());
  ASSERT_EQ(cat->tables[1].foreign_keys.size(), 1u);
  EXPECT_EQ(cat->tables[1].foreign_keys[0].ref_table, "stores");
  EXPECT_EQ(cat->tables[1].foreign_keys[0].columns, (std::vector<std::string>{"store_id"}));

  s.declares = true;
  auto declared = build_catalog(s, {.sample_values = 0, .row_counts = false});
  ASSERT_TRUE(declared.ok());
  EXPECT_TRUE(declared->tables[1].foreign_keys.empty());
}

}  // namespace
}  // namespace t2sql
