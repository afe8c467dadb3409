#include <gtest/gtest.h>

#include <cstring>

#include "t2sql/prompt.h"

namespace t2sql {
namespace {

const char* kDdl = "CREATE TABLE sales (id INTEGER PRIMARY KEY, amount REAL, sold_on TEXT);";

PromptInput input(const std::string& question) {
  PromptInput in;
  in.schema_ddl = kDdl;
  in.question = question;
  return in;
}

TEST(PromptBuilder, SqlCreateContextShape) {
  PromptBuilder b(PromptFormat::kSqlCreateContext);
  Prompt p = b.build(input("total sales?"));
  EXPECT_NE(p.text.find("### Context\n" + std::string(kDdl)), std::string::npos);
  EXPECT_NE(p.text.find("### Question\ntotal sales?\n"), std::string::npos);
  EXPECT_TRUE(p.text.ends_with("### Answer\n"));
  EXPECT_EQ(b.answer_text(p, "  SELECT sum(amount) FROM sales ;; "), "SELECT sum(amount) FROM sales;\n");
  EXPECT_TRUE(b.answer_needs_eos(p));
}

TEST(PromptBuilder, ChatUsesModelTemplateAndEndsTurn) {
  PromptBuilder b(PromptFormat::kChat, "chatml");
  PromptInput in = input("total sales?");
  in.examples.push_back({"how many sales", "SELECT count(*) FROM sales"});
  in.linked_values.push_back({"sales", "sold_on", "2023-01-01", "new year", 1.0});
  Prompt p = b.build(in);
  ASSERT_TRUE(p.used_model_template);
  EXPECT_TRUE(p.text.starts_with("<|im_start|>system\n"));
  EXPECT_TRUE(p.text.ends_with("<|im_start|>assistant\n"));
  EXPECT_NE(p.text.find("SELECT count(*) FROM sales;<|im_end|>"), std::string::npos);
  EXPECT_NE(p.text.find("sales.sold_on = '2023-01-01'"), std::string::npos);
  ASSERT_EQ(p.messages.size(), 4u);  // system, example user/assistant, question
  EXPECT_EQ(b.answer_text(p, "SELECT 1"), "SELECT 1;<|im_end|>\n");
  EXPECT_FALSE(b.answer_needs_eos(p));
}

TEST(PromptBuilder, UnknownOrMissingTemplateFallsBackToPlainLayout) {
  for (const std::string tmpl : {"", "{{ this is no template llama.cpp knows }}"}) {
    PromptBuilder b(PromptFormat::kChat, tmpl);
    Prompt p = b.build(input("total sales?"));
    EXPECT_FALSE(p.used_model_template);
    EXPECT_TRUE(p.text.starts_with("### System\n"));
    EXPECT_TRUE(p.text.ends_with("### User\ntotal sales?\n\n### Assistant\n"));
    EXPECT_TRUE(b.answer_needs_eos(p));
  }
}

TEST(PromptBuilder, SchemaPrefixIsSharedAcrossQuestions) {
  for (PromptFormat f : {PromptFormat::kChat, PromptFormat::kSqlCreateContext}) {
    PromptBuilder b(f, "chatml");
    std::string a = b.build(input("total sales?")).text;
    std::string c = b.build(input("sales by day")).text;
    size_t common = 0;
    while (common < a.size() && common < c.size() && a[common] == c[common]) ++common;
    EXPECT_NE(a.substr(0, common).find(kDdl), std::string::npos) << prompt_format_name(f);
  }
}

// Domain instructions reach the model with the question, after the schema (so
// the cached prefix does not change), and an empty one leaves no trace.
TEST(PromptBuilder, InstructionsComeWithTheQuestionAfterTheSchema) {
  const std::string hint = "Revenue is amount summed over sales.";
  for (PromptFormat f : {PromptFormat::kChat, PromptFormat::kSqlCreateContext}) {
    PromptBuilder b(f, "chatml");
    PromptInput in = input("total revenue?");
    const std::string without = b.build(in).text;
    in.instructions = "  " + hint + "\n";
    const std::string with = b.build(in).text;
    const size_t at = with.find("Instructions: " + hint + "\n");
    ASSERT_NE(at, std::string::npos) << prompt_format_name(f);
    EXPECT_GT(at, with.find(kDdl));
    EXPECT_LT(at, with.find("total revenue?"));
    EXPECT_EQ(with.compare(0, with.find(kDdl) + std::strlen(kDdl), without, 0, without.find(kDdl) + std::strlen(kDdl)),
              0);
    EXPECT_EQ(without.find("Instructions:"), std::string::npos);
  }
}

TEST(PromptBuilder, RepairTryShowsFailedSqlAndError) {
  for (PromptFormat f : {PromptFormat::kChat, PromptFormat::kSqlCreateContext}) {
    PromptBuilder b(f);
    PromptInput in = input("total sales?");
    in.failed_sql = "SELECT total FROM sales";
    in.failed_error = "no such column: total";
    Prompt p = b.build(in);
    EXPECT_NE(p.text.find("SELECT total FROM sales;"), std::string::npos);
    EXPECT_NE(p.text.find("no such column: total"), std::string::npos);
  }
}

TEST(PromptBuilder, ParsesFormatNames) {
  EXPECT_EQ(*parse_prompt_format("chat"), PromptFormat::kChat);
  EXPECT_EQ(*parse_prompt_format("sql-create-context"), PromptFormat::kSqlCreateContext);
  auto bad = parse_prompt_format("alpaca");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("alpaca"), std::string::npos);
}

TEST(ExtractSql, PlainFencedProseAndMarkers) {
  EXPECT_EQ(extract_sql("SELECT 1;"), "SELECT 1");
  EXPECT_EQ(extract_sql("Here is the query:\n```sql\nSELECT a\nFROM t;\n```\nIt selects a."), "SELECT a\nFROM t");
  EXPECT_EQ(extract_sql("```SELECT x FROM t```"), "SELECT x FROM t");
  EXPECT_EQ(extract_sql("We select the rows: SELECT a FROM t WHERE b = 'x;y'; and more"),
            "SELECT a FROM t WHERE b = 'x;y'");
  EXPECT_EQ(extract_sql("SELECT a FROM t<|im_end|>garbage"), "SELECT a FROM t");
  EXPECT_EQ(extract_sql("SELECT a\n\nFROM t\n\nThis returns a."), "SELECT a\n\nFROM t");
  EXPECT_EQ(extract_sql("select a from t"), "select a from t");
  EXPECT_EQ(extract_sql("WITH x AS (SELECT 1) SELECT * FROM x; SELECT 2;"), "WITH x AS (SELECT 1) SELECT * FROM x");
  EXPECT_EQ(extract_sql("(SELECT 1) UNION (SELECT 2);"), "(SELECT 1) UNION (SELECT 2)");
  EXPECT_EQ(extract_sql("I cannot answer that."), "");
  EXPECT_EQ(extract_sql(""), "");
}

TEST(FindStatementEnd, IgnoresSemicolonsInQuotesAndComments) {
  EXPECT_EQ(find_statement_end("SELECT 1"), std::string::npos);
  EXPECT_EQ(find_statement_end("SELECT ';' -- ;\n/* ; */ \";\";"), 28u);
  EXPECT_EQ(find_statement_end("SELECT 'it''s';x"), 15u);
  EXPECT_EQ(find_statement_end("SELECT 'open;"), std::string::npos);
}

}  // namespace
}  // namespace t2sql
