#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "generate/llm_generator.h"
#include "llm/test_models.h"
#include "sql/sql_lexer.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Names in `sql` that are not keywords, functions, tables, columns or output
// names after AS; and qualified names whose column is not in the qualifying
// table. Empty when every name is real.
std::vector<std::string> unknown_names(const std::string& sql, const Catalog& catalog) {
  static const std::set<std::string> kWords = {
      "SELECT", "DISTINCT", "FROM",  "WHERE",   "GROUP",  "BY",      "HAVING",   "ORDER",   "ASC",    "DESC",
      "LIMIT",  "OFFSET",   "JOIN",  "INNER",   "LEFT",   "OUTER",   "CROSS",    "ON",      "AND",    "OR",
      "NOT",    "IN",       "LIKE",  "BETWEEN", "IS",     "NULL",    "AS",       "CASE",    "WHEN",   "THEN",
      "ELSE",   "END",      "CAST",  "UNION",   "ALL",    "INTERSECT", "EXCEPT", "EXISTS",  "TRUE",   "FALSE",
      "COUNT",  "SUM",      "AVG",   "MIN",     "MAX",    "LOWER",   "UPPER",    "LENGTH",  "ABS",    "ROUND",
      "COALESCE", "NULLIF", "SUBSTR", "REPLACE", "TRIM",  "STRFTIME", "DATE",    "DATETIME", "JULIANDAY", "IFNULL",
      "INSTR",  "INTEGER",  "REAL",  "TEXT",    "NUMERIC"};
  auto lexed = lex_sql(sql);
  const auto& tk = lexed.tokens;
  auto is_name = [](const SqlToken& t) { return t.kind == SqlTokenKind::kWord || t.kind == SqlTokenKind::kQuotedName; };
  auto name_of = [](const SqlToken& t) {
    return t.kind == SqlTokenKind::kQuotedName ? t.text.substr(1, t.text.size() - 2) : t.text;
  };
  std::set<std::string> aliases;
  for (size_t i = 1; i < tk.size(); ++i) {
    if (!is_name(tk[i]) || kWords.count(upper(tk[i].text))) continue;
    if (tk[i - 1].is_word("AS")) aliases.insert(upper(name_of(tk[i])));
  }
  std::vector<std::string> unknown;
  for (size_t i = 0; i < tk.size(); ++i) {
    if (!is_name(tk[i])) continue;
    std::string n = name_of(tk[i]);
    if (i + 2 < tk.size() && tk[i + 1].is_punct('.')) {
      const TableInfo* t = catalog.find_table(n);
      std::string col = name_of(tk[i + 2]);
      bool ok = t && (col == "*" || t->find_column(col) != nullptr);
      if (!ok) unknown.push_back(n + "." + col);
      i += 2;
      continue;
    }
    if (kWords.count(upper(n)) || catalog.find_table(n) || aliases.count(upper(n))) continue;
    bool column = std::any_of(catalog.tables.begin(), catalog.tables.end(),
                              [&](const TableInfo& x) { return x.find_column(n) != nullptr; });
    if (!column) unknown.push_back(n);
  }
  return unknown;
}

class LlmGeneratorModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_path_ = testing::model_dir() + "/demo.db";
    ASSERT_TRUE(create_demo_warehouse(db_path_, true).ok());
  }

  void SetUp() override {
    model_ = testing::tiny_model();
    ASSERT_FALSE(model_.empty());
    auto db = Database::open(db_path_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    auto cat = db_->catalog();
    ASSERT_TRUE(cat.ok());
    catalog_ = *cat;
  }

  std::unique_ptr<Generator> llm(bool grammar, int max_repairs = 2, const std::string& format = "chat") {
    GeneratorOptions o;
    o.mode = "llm";
    o.model_path = model_;
    o.grammar = grammar;
    o.max_repairs = max_repairs;
    o.threads = 2;
    o.n_ctx = 2048;
    o.max_tokens = 160;
    o.prompt_format = format;
    auto g = make_llm_generator(o, catalog_, db_.get());
    EXPECT_TRUE(g.ok()) << g.status().message();
    return g.ok() ? std::move(*g) : nullptr;
  }

  static std::vector<std::string> questions() {
    std::vector<std::string> q;
    for (const auto& d : demo_example_queries()) q.push_back(d.question);
    for (const char* s : {"How many stores are there in each region?", "Which brand sells the most units?",
                          "Average unit price per category", "Stores opened after 2020",
                          "Monthly revenue in 2024", "List the products of the brand Acme",
                          "Which city has the most stores?", "Total quantity sold per store in March 2023"}) {
      q.push_back(s);
    }
    return q;
  }

  static std::string db_path_;
  std::string model_;
  std::unique_ptr<Database> db_;
  Catalog catalog_;
};

std::string LlmGeneratorModelTest::db_path_;

TEST_F(LlmGeneratorModelTest, GrammarOnEveryStatementPreparesAndNamesOnlyRealTablesAndColumns) {
  for (const char* format : {"chat", "sql-create-context"}) {
    auto gen = llm(true, 0, format);
    ASSERT_TRUE(gen);
    int answered = 0;
    for (const auto& q : questions()) {
      auto r = gen->generate({.question = q});
      ASSERT_TRUE(r.ok()) << r.status().message();
      ASSERT_EQ(r->attempts.size(), 1u);
      const auto& a = r->attempts[0];
      ASSERT_FALSE(a.sql.empty()) << q;
      EXPECT_TRUE(a.error.empty()) << format << " | " << q << "\n" << a.sql << "\n" << a.error;
      EXPECT_TRUE(db_->validate(a.sql).ok()) << a.sql;
      EXPECT_EQ(unknown_names(a.sql, catalog_), std::vector<std::string>{}) << a.sql;
      answered += r->answered;
    }
    EXPECT_EQ(answered, static_cast<int>(questions().size())) << format;
  }
}

TEST_F(LlmGeneratorModelTest, WithoutGrammarFailuresAreRepairedAtMostNTimesAndEveryTryIsKept) {
  auto gen = llm(false, 2);
  ASSERT_TRUE(gen);
  // An untrained model writes no SQL without the grammar: each try fails,
  // and the result keeps all three with their reasons.
  auto r = gen->generate({.question = "What were total sales in 2023?"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->answered);
  ASSERT_EQ(r->attempts.size(), 3u);
  for (const auto& a : r->attempts) EXPECT_FALSE(a.error.empty());
  EXPECT_NE(r->reason.find("3 tries"), std::string::npos) << r->reason;
  EXPECT_GT(r->completion_tokens, 0);
}

// The fallback of the ensemble: SQL looked up for the demo questions.
class DemoLookupGenerator final : public Generator {
 public:
  std::string name() const override { return "lookup"; }
  Result<GenerationResult> generate(const GenerationRequest& request) override {
    GenerationResult r;
    r.engine = "lookup";
    for (const auto& d : demo_example_queries()) {
      if (d.question == request.question) {
        r.answered = true;
        r.sql = d.sql;
        r.attempts.push_back({d.sql, "", 0});
      }
    }
    return r;
  }
};

TEST_F(LlmGeneratorModelTest, EnsembleTakesTheLlmWhenItsSqlRunsElseTheFallback) {
  const std::string q = demo_example_queries()[0].question;
  EnsembleGenerator good(llm(true), std::make_unique<DemoLookupGenerator>(), db_.get());
  auto r = good.generate({.question = q});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->answered);
  EXPECT_TRUE(r->engine.starts_with("ensemble:llm:")) << r->engine;
  EXPECT_NE(r->reason.find("chose the LLM"), std::string::npos) << r->reason;

  EnsembleGenerator bad(llm(false, 1), std::make_unique<DemoLookupGenerator>(), db_.get());
  r = bad.generate({.question = q});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->answered);
  EXPECT_EQ(r->engine, "ensemble:lookup");
  EXPECT_EQ(r->sql, demo_example_queries()[0].sql);
  EXPECT_NE(r->reason.find("chose the lookup engine"), std::string::npos) << r->reason;
  EXPECT_EQ(r->attempts.size(), 3u);  // two LLM tries, then the fallback's
}

}  // namespace
}  // namespace t2sql
