#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "t2sql/column_descriptions.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

Catalog shop() {
  Catalog c;
  c.engine = "sqlite";
  TableInfo brands{.name = "brands"};
  brands.columns = {{.name = "brand_id", .declared_type = "INTEGER", .type = ValueType::kInteger, .primary_key = true},
                    {.name = "brandName", .declared_type = "TEXT", .samples = {"Apple", "Nike"}}};
  brands.primary_key = {"brand_id"};
  TableInfo products{.name = "products"};
  products.columns = {
      {.name = "product_id", .declared_type = "INTEGER", .type = ValueType::kInteger, .primary_key = true},
      {.name = "brand_id", .declared_type = "INTEGER", .type = ValueType::kInteger},
      {.name = "unit_qty", .declared_type = "INTEGER", .type = ValueType::kInteger}};
  products.primary_key = {"product_id"};
  products.foreign_keys = {{.columns = {"brand_id"}, .ref_table = "brands", .ref_columns = {"brand_id"}}};
  c.tables = {brands, products};
  return c;
}

std::string write(const std::string& name, const std::string& text) {
  std::string path = t2sql::testing::own_temp_path(name);
  std::ofstream(path) << text;
  return path;
}

TEST(ColumnDescriptions, SplitNamesTypeKeysAndSamples) {
  auto d = describe_columns(shop());
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[1].table, "brands");
  EXPECT_EQ(d[1].column, "brandName");
  EXPECT_NE(d[1].text.find("brand name"), std::string::npos) << d[1].text;
  EXPECT_NE(d[1].text.find("Apple, Nike"), std::string::npos) << d[1].text;
  EXPECT_NE(d[0].text.find("primary key"), std::string::npos) << d[0].text;
  EXPECT_NE(d[3].text.find("references brands.brand_id"), std::string::npos) << d[3].text;
  EXPECT_NE(d[4].text.find("quantity"), std::string::npos) << d[4].text;  // "qty" expanded
  EXPECT_EQ(d[4].table_index, 1);
  EXPECT_EQ(d[4].column_index, 2);
}

TEST(ColumnDescriptions, JsonFileAppliesAndReportsMissing) {
  Catalog c = shop();
  auto path = write("desc.json", R"({"brands.brandName": "the maker's trading name", "products": "things sold",
                                    "products.color": "no such column", "ghosts.x": "no such table"})");
  auto report = apply_description_file(path, &c);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->applied, 2);
  ASSERT_EQ(report->missing.size(), 2u);
  EXPECT_EQ(report->missing, (std::vector<std::string>{"ghosts.x", "products.color"}));
  EXPECT_EQ(c.tables[0].columns[1].description, "the maker's trading name");
  EXPECT_EQ(c.tables[1].description, "things sold");
  EXPECT_NE(describe_columns(c)[1].text.find("trading name"), std::string::npos);
}

TEST(ColumnDescriptions, YamlAndDefogShapes) {
  Catalog c = shop();
  auto yaml =
      write("desc.yaml", "# comment\nbrands.brandName: 'trading name'\nproducts:\n  unit_qty: units in a pack\n");
  auto report = apply_description_file(yaml, &c);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->applied, 2);
  EXPECT_EQ(c.tables[1].columns[2].description, "units in a pack");

  auto defog = write("defog.json", R"({"table_metadata": {"brands": [{"column_name": "brand_id",
      "data_type": "int", "column_description": "id of the brand"}]}})");
  report = apply_description_file(defog, &c);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(c.tables[0].columns[0].description, "id of the brand");
}

TEST(ColumnDescriptions, BadFilesAreClearErrors) {
  Catalog c = shop();
  auto missing = apply_description_file("/nonexistent/desc.json", &c);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto broken = apply_description_file(write("broken.json", "{\"brands\": "), &c);
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(broken.status().message().find("not valid JSON"), std::string::npos);
  auto wrong = apply_description_file(write("wrong.json", R"({"brands": 3})"), &c);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  auto yaml = apply_description_file(write("bad.yaml", "brands.brandName\n"), &c);
  EXPECT_EQ(yaml.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(yaml.status().message().find(":1:"), std::string::npos) << yaml.status().message();
}

TEST(ColumnDescriptions, ExportedFileReadsBack) {
  Catalog c = shop();
  c.tables[1].columns[2].description = "units per pack";
  auto path = write("export.json", description_file_json(c));
  Catalog fresh = shop();
  auto report = apply_description_file(path, &fresh);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->missing.empty());
  EXPECT_EQ(report->applied, 1);  // empty entries are left for the user to fill
  EXPECT_EQ(fresh.tables[1].columns[2].description, "units per pack");
}

TEST(EstimateTokens, CountsPiecesOfDdl) {
  EXPECT_EQ(estimate_tokens(""), 0);
  EXPECT_EQ(estimate_tokens("CREATE TABLE t ("), 4);
  EXPECT_GT(estimate_tokens("sbCustomerPostalCodeIdentifier"), 3);
  EXPECT_EQ(estimate_tokens("2024"), 2);
  std::string ddl = "CREATE TABLE sales (\n  sale_id INTEGER,\n  amount REAL\n);";
  EXPECT_GT(estimate_tokens(ddl), 10);
  EXPECT_LT(estimate_tokens(ddl), 25);
}

}  // namespace
}  // namespace t2sql
