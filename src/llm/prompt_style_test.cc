// Golden-file tests of the prompt styles: each style's whole text for one
// fixed input is kept in testdata/prompt_<style>.txt. A change to a style shows
// up as a diff of that file; T2SQL_UPDATE_GOLDEN=1 rewrites the files (then
// read the diff before committing it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "llm/prompt_schema.h"
#include "t2sql/prompt.h"

namespace t2sql {
namespace {

Catalog shop_catalog() {
  Catalog c;
  c.engine = "sqlite";
  TableInfo customers;
  customers.name = "customers";
  customers.description = "People who bought something";
  customers.columns = {
      {.name = "id",
       .declared_type = "INTEGER",
       .type = ValueType::kInteger,
       .primary_key = true,
       .samples = {"1", "2", "3", "4"}},
      {.name = "name", .declared_type = "TEXT", .samples = {"Ann O'Neil", "Bo"}, .description = "full name"},
      {.name = "city", .declared_type = "TEXT", .samples = {"Oslo", "Lima"}}};
  customers.primary_key = {"id"};
  TableInfo orders;
  orders.name = "orders";
  orders.columns = {
      {.name = "id", .declared_type = "INTEGER", .type = ValueType::kInteger, .primary_key = true, .samples = {"10"}},
      {.name = "customer_id", .declared_type = "INTEGER", .type = ValueType::kInteger, .samples = {"1", "2"}},
      {.name = "amount",
       .declared_type = "REAL",
       .type = ValueType::kReal,
       .samples = {"9.5", "20.0"},
       .description = "total price in euros"}};
  orders.primary_key = {"id"};
  orders.foreign_keys = {{{"customer_id"}, "customers", {"id"}}};
  c.tables = {customers, orders};
  return c;
}

PromptInput shop_input(const Catalog& catalog) {
  PromptInput in;
  in.catalog = &catalog;
  in.database_name = "shop";
  in.question = "Total amount spent by customers in Oslo?";
  in.instructions = "Amounts are in euros.";
  in.linked_values = {{"customers", "city", "Oslo", "Oslo", 1.0}};
  in.examples = {{"How many customers are there?", "SELECT count(*) FROM customers"}};
  return in;
}

std::string golden_path(const std::string& name) {
  return std::string(T2SQL_SOURCE_DIR) + "/src/llm/testdata/prompt_" + name + ".txt";
}

void expect_golden(const std::string& name, const std::string& text) {
  const std::string path = golden_path(name);
  if (std::getenv("T2SQL_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << text;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden file " << path << " (T2SQL_UPDATE_GOLDEN=1 writes it)";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(text, want.str()) << "prompt style " << name << " differs from " << path;
}

TEST(PromptStyle, EveryStyleMatchesItsGoldenFile) {
  const Catalog catalog = shop_catalog();
  for (const auto& name : prompt_style_names()) {
    PromptOptions o;
    o.style = *parse_prompt_style(name);
    Prompt p = PromptBuilder(o).build(shop_input(catalog));
    EXPECT_FALSE(p.used_model_template);
    expect_golden(name, p.text);
  }
}

// Every style can carry the sample values, descriptions, keys, value hints,
// instructions and few-shot examples, whatever its own defaults.
TEST(PromptStyle, EveryStyleCarriesEverythingWhenAsked) {
  const Catalog catalog = shop_catalog();
  for (const auto& name : prompt_style_names()) {
    PromptOptions o;
    o.style = *parse_prompt_style(name);
    o.sample_values = 2;
    o.descriptions = true;
    const std::string text = PromptBuilder(o).build(shop_input(catalog)).text;
    for (const char* want : {"Lima", "full name", "total price in euros", "customer_id", "Amounts are in euros.",
                             "How many customers are there?", "SELECT count(*) FROM customers", "'Oslo'",
                             "Total amount spent by customers in Oslo?"}) {
      EXPECT_NE(text.find(want), std::string::npos) << name << " lacks " << want << "\n" << text;
    }
    o.sample_values = 0;
    o.descriptions = false;
    const std::string bare = PromptBuilder(o).build(shop_input(catalog)).text;
    EXPECT_EQ(bare.find("Lima"), std::string::npos) << name;
    EXPECT_EQ(bare.find("full name"), std::string::npos) << name;
  }
}

TEST(PromptStyle, PublishedStylesUseTheModelsChatTemplate) {
  const Catalog catalog = shop_catalog();
  PromptOptions o;
  o.style = PromptStyle::kXiyan;
  o.chat_template = "chatml";
  PromptBuilder b(o);
  Prompt p = b.build(shop_input(catalog));
  ASSERT_TRUE(p.used_model_template);
  ASSERT_EQ(p.messages.size(), 1u);
  EXPECT_EQ(p.text, "<|im_start|>user\n" + p.messages[0].content + "<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(b.answer_text(p, "SELECT 1"), "SELECT 1;<|im_end|>\n");
  o.format = PromptFormat::kSqlCreateContext;  // the text as it stands
  EXPECT_EQ(PromptBuilder(o).build(shop_input(catalog)).text, p.messages[0].content);
}

// Retrieval's limited-context DDL narrows what the catalog-based styles show.
TEST(PromptStyle, RetrievedDdlNarrowsTheSchema) {
  const Catalog catalog = shop_catalog();
  PromptInput in = shop_input(catalog);
  in.schema_ddl = "CREATE TABLE customers (\n  id INTEGER,\n  city TEXT,\n  PRIMARY KEY (id)\n);";
  for (const auto& name : prompt_style_names()) {
    PromptOptions o;
    o.style = *parse_prompt_style(name);
    o.sample_values = 3;
    const std::string text = PromptBuilder(o).build(in).text;
    EXPECT_NE(text.find("Lima"), std::string::npos) << name;
    EXPECT_EQ(text.find("amount REAL"), std::string::npos) << name;
    EXPECT_EQ(text.find("Ann O"), std::string::npos) << name << ": a column retrieval left out";
  }
  // A DDL naming a table the catalog lacks is shown as it stands.
  in.schema_ddl = "CREATE TABLE elsewhere (x INTEGER);";
  PromptOptions o;
  o.style = PromptStyle::kOmniSql;
  EXPECT_NE(PromptBuilder(o).build(in).text.find("CREATE TABLE elsewhere (x INTEGER);"), std::string::npos);
}

// The default style with a catalog and nothing to add is the prompt t2sql's
// models were trained on: the plain CREATE TABLEs.
TEST(PromptStyle, DefaultStyleKeepsThePlainDdl) {
  const Catalog catalog = shop_catalog();
  for (PromptFormat f : {PromptFormat::kChat, PromptFormat::kSqlCreateContext}) {
    PromptInput with = shop_input(catalog);
    PromptInput without = with;
    without.catalog = nullptr;
    without.schema_ddl = catalog.to_ddl();
    PromptBuilder b(f);
    EXPECT_EQ(b.build(with).text, b.build(without).text) << prompt_format_name(f);
  }
}

TEST(PromptStyle, ParsesNamesAndRejectsUnknownOnes) {
  for (const auto& name : prompt_style_names()) EXPECT_EQ(prompt_style_name(*parse_prompt_style(name)), name);
  auto bad = parse_prompt_style("alpaca");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("alpaca"), std::string::npos);
  EXPECT_NE(bad.status().message().find("omnisql"), std::string::npos);
}

TEST(PromptSchema, MSchemaShape) {
  const Catalog catalog = shop_catalog();
  std::string m = m_schema(catalog.tables, "shop", {.sample_values = 2, .descriptions = true});
  EXPECT_TRUE(m.starts_with("【DB_ID】 shop\n【Schema】\n# Table: customers, People who bought something\n[\n"));
  EXPECT_NE(m.find("(id:INTEGER, Primary Key, Examples: [1, 2]),\n"), std::string::npos);
  EXPECT_NE(m.find("(amount:REAL, total price in euros, Examples: [9.5, 20.0])\n]"), std::string::npos);
  EXPECT_TRUE(m.ends_with("【Foreign keys】\norders.customer_id=customers.id\n"));
}

TEST(PromptSchema, CommentsNeverBreakTheStatement) {
  Catalog catalog = shop_catalog();
  catalog.tables[0].columns[2].samples = {"line one\nline two", std::string(80, 'x')};
  std::string ddl = commented_ddl(catalog.tables, {.sample_values = 2});
  EXPECT_NE(ddl.find("city TEXT, -- example: ['line one line two', '" + std::string(40, 'x') + "...']"),
            std::string::npos)
      << ddl;
  EXPECT_EQ(commented_ddl(catalog.tables, {}), catalog.to_ddl());
}

TEST(ExtractSql, StatementBeforeAClosingFence) {
  EXPECT_EQ(extract_sql("\nSELECT a FROM t\n```"), "SELECT a FROM t");
  EXPECT_EQ(extract_sql("```sql\nSELECT a FROM t\n```"), "SELECT a FROM t");
}

}  // namespace
}  // namespace t2sql
