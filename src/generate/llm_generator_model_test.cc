#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "generate/llm_generator.h"
#include "generate/template_generator.h"
#include "testing/test_models.h"
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
  static const std::set<std::string> kWords = {"SELECT",       "DISTINCT",     "FROM",
                                               "WHERE",        "GROUP",        "BY",
                                               "HAVING",       "ORDER",        "ASC",
                                               "DESC",         "LIMIT",        "OFFSET",
                                               "JOIN",         "INNER",        "LEFT",
                                               "OUTER",        "CROSS",        "ON",
                                               "AND",          "OR",           "NOT",
                                               "IN",           "LIKE",         "BETWEEN",
                                               "IS",           "NULL",         "AS",
                                               "CASE",         "WHEN",         "THEN",
                                               "ELSE",         "END",          "CAST",
                                               "UNION",        "ALL",          "INTERSECT",
                                               "EXCEPT",       "EXISTS",       "TRUE",
                                               "FALSE",        "COUNT",        "SUM",
                                               "AVG",          "MIN",          "MAX",
                                               "LOWER",        "UPPER",        "LENGTH",
                                               "ABS",          "ROUND",        "COALESCE",
                                               "NULLIF",       "SUBSTR",       "REPLACE",
                                               "TRIM",         "STRFTIME",     "DATE",
                                               "DATETIME",     "JULIANDAY",    "IFNULL",
                                               "INSTR",        "INTEGER",      "REAL",
                                               "TEXT",         "NUMERIC",      "OVER",
                                               "PARTITION",    "ROWS",         "RANGE",
                                               "UNBOUNDED",    "PRECEDING",    "FOLLOWING",
                                               "CURRENT",      "ROW",          "FILTER",
                                               "WITH",         "RECURSIVE",    "RIGHT",
                                               "FULL",         "NATURAL",      "USING",
                                               "GLOB",         "REGEXP",       "ESCAPE",
                                               "COLLATE",      "NULLS",        "FIRST",
                                               "LAST",         "ISNULL",       "NOTNULL",
                                               "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP",
                                               "NOCASE",       "GROUPS"};
  auto lexed = lex_sql(sql);
  const auto& tk = lexed.tokens;
  auto is_name = [](const SqlToken& t) { return t.kind == SqlTokenKind::kWord || t.kind == SqlTokenKind::kQuotedName; };
  auto name_of = [](const SqlToken& t) {
    return t.kind == SqlTokenKind::kQuotedName ? t.text.substr(1, t.text.size() - 2) : t.text;
  };
  std::set<std::string> aliases;
  std::map<std::string, std::string> alias_table;  // "T1" -> the table it names
  for (size_t i = 1; i < tk.size(); ++i) {
    if (!is_name(tk[i]) || kWords.count(upper(tk[i].text))) continue;
    if (tk[i - 1].is_word("AS")) aliases.insert(upper(name_of(tk[i])));
    // "SELECT 950 n", "count(*) n": an output name after a literal or a call.
    if (tk[i - 1].kind == SqlTokenKind::kNumber || tk[i - 1].kind == SqlTokenKind::kString || tk[i - 1].is_punct(')')) {
      aliases.insert(upper(name_of(tk[i])));
    }
    // "FROM stores AS T1", "JOIN sales s": a table's alias.
    size_t t = tk[i - 1].is_word("AS") && i >= 2 ? i - 2 : i - 1;
    if (is_name(tk[t]) && catalog.find_table(name_of(tk[t])) && t >= 1 &&
        (tk[t - 1].is_word("FROM") || tk[t - 1].is_word("JOIN") || tk[t - 1].is_punct(','))) {
      aliases.insert(upper(name_of(tk[i])));
      alias_table[upper(name_of(tk[i]))] = name_of(tk[t]);
    }
  }
  std::vector<std::string> unknown;
  for (size_t i = 0; i < tk.size(); ++i) {
    if (!is_name(tk[i])) continue;
    std::string n = name_of(tk[i]);
    if (i + 2 < tk.size() && tk[i + 1].is_punct('.')) {
      auto aliased = alias_table.find(upper(n));
      const TableInfo* t = catalog.find_table(aliased == alias_table.end() ? n : aliased->second);
      std::string col = name_of(tk[i + 2]);
      bool ok = t && (col == "*" || t->find_column(col) != nullptr);
      if (!ok) unknown.push_back(n + "." + col);
      i += 2;
      continue;
    }
    if (kWords.count(upper(n)) || catalog.find_table(n) || aliases.count(upper(n))) continue;
    if (i + 1 < tk.size() && tk[i + 1].is_punct('(')) continue;  // a function: validation knows them
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
    o.threads = 1;
    o.n_ctx = 2048;
    o.max_tokens = 200;
    o.prompt_format = format;
    auto g = make_llm_generator(o, catalog_, db_.get());
    EXPECT_TRUE(g.ok()) << g.status().message();
    return g.ok() ? std::move(*g) : nullptr;
  }

  static std::vector<std::string> questions() {
    std::vector<std::string> q;
    for (const auto& d : demo_example_queries()) q.push_back(d.question);
    for (const char* s : {"How many stores are there in each region?", "Which brand sells the most units?",
                          "Average unit price per category", "Stores opened after 2020", "Monthly revenue in 2024",
                          "List the products of the brand Acme", "Which city has the most stores?",
                          "Total quantity sold per store in March 2023"}) {
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
  // An untrained model wanders; when the token budget runs short the
  // decoding loop steers to an end (LlmRequest::steps_to_end), but it may
  // still run to the token limit or reach a dead end of the constraints (a
  // name written earlier that nothing can follow). Every statement that
  // ends must prepare and name only real tables and columns. Several random
  // models, both prompt formats.
  int asked_all = 0, ended = 0, limit = 0;
  for (const std::string& model :
       {model_, testing::tiny_model("tiny-seed11", "--vocab gpt-2 --n-embd 64 --n-layer 2 --n-head 4 --seed 11"),
        testing::tiny_model("tiny-seed23", "--vocab gpt-2 --n-embd 64 --n-layer 2 --n-head 4 --seed 23")}) {
    ASSERT_FALSE(model.empty());
    model_ = model;
    for (const char* format : {"chat", "sql-create-context"}) {
      auto gen = llm(true, 0, format);
      ASSERT_TRUE(gen);
      int asked = 0;
      // Three questions per model and format keep the test short on two cores.
      for (const auto& q : questions()) {
        if (++asked > 3) break;
        ++asked_all;
        auto r = gen->generate({.question = q});
        ASSERT_TRUE(r.ok()) << r.status().message();
        ASSERT_EQ(r->attempts.size(), 1u);
        const auto& a = r->attempts[0];
        if (a.error.find("token limit") != std::string::npos) {
          ++limit;
          continue;
        }
        if (a.error.find("dead end") != std::string::npos) continue;
        ++ended;
        ASSERT_FALSE(a.sql.empty()) << q;
        EXPECT_TRUE(a.error.empty()) << model << " " << format << " | " << q << "\n" << a.sql << "\n" << a.error;
        EXPECT_TRUE(db_->validate(a.sql).ok()) << a.sql;
        EXPECT_EQ(unknown_names(a.sql, catalog_), std::vector<std::string>{}) << a.sql;
        EXPECT_TRUE(r->answered);
      }
    }
  }
  std::printf("%d of %d tries ended, %d at the token limit, the others at a dead end\n", ended, asked_all, limit);
  // Dead ends are not yet avoided (that needs backtracking): say so when
  // none ended rather than pass silently.
  if (ended == 0)
    GTEST_SKIP() << "no try ended (" << limit << " at the token limit, the others at a dead end), so none was checked";
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

TEST_F(LlmGeneratorModelTest, EnsembleTakesTheLlmWhenItsSqlRunsElseTheTemplateEngine) {
  const std::string q = demo_example_queries()[0].question;
  auto tmpl = make_template_generator(catalog_, db_.get());
  ASSERT_TRUE(tmpl.ok());
  EnsembleGenerator good(llm(true), std::move(*tmpl), db_.get());
  auto r = good.generate({.question = q});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->answered);
  // The untrained model may reach a dead end of the constraints; then the
  // template engine answers, and the reason says why.
  if (r->engine.starts_with("ensemble:llm:")) {
    EXPECT_NE(r->reason.find("chose the LLM"), std::string::npos) << r->reason;
  } else {
    EXPECT_EQ(r->engine, "ensemble:template");
    EXPECT_NE(r->reason.find("the LLM gave no usable SQL"), std::string::npos) << r->reason;
  }

  // Without the grammar the untrained model writes no SQL: the template engine answers.
  GeneratorOptions o;
  o.mode = "ensemble";
  o.ensemble_order = "llm-first";
  o.model_path = model_;
  o.grammar = false;
  o.max_repairs = 1;
  o.threads = 1;
  o.max_tokens = 24;
  auto bad = make_generator(o, catalog_, db_.get());
  ASSERT_TRUE(bad.ok()) << bad.status().message();
  r = (*bad)->generate({.question = q});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->answered);
  EXPECT_EQ(r->engine, "ensemble:template");
  EXPECT_TRUE(db_->validate(r->sql).ok()) << r->sql;
  EXPECT_NE(r->reason.find("chose the template engine"), std::string::npos) << r->reason;
  ASSERT_GE(r->attempts.size(), 2u);  // the LLM's two tries come first
  EXPECT_FALSE(r->attempts[0].error.empty());
  EXPECT_FALSE(r->attempts[1].error.empty());
}

// The default order: the template engine when its calibrated confidence
// reaches the threshold, else the model (here forced by a threshold of 1).
TEST_F(LlmGeneratorModelTest, TemplateFirstEnsembleAsksTheModelOnlyBelowTheThreshold) {
  const std::string q = demo_example_queries()[0].question;
  GeneratorOptions o;
  o.mode = "ensemble";
  o.model_path = model_;
  o.threads = 1;
  o.max_tokens = 48;
  o.max_repairs = 0;
  o.min_confidence = 0;  // every reading is confident enough
  auto sure = make_generator(o, catalog_, db_.get());
  ASSERT_TRUE(sure.ok()) << sure.status().message();
  auto r = (*sure)->generate({.question = q});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->engine, "ensemble:template");
  EXPECT_EQ(r->prompt_tokens, 0);  // the model was not asked
  o.min_confidence = 1.0;  // nothing is
  auto unsure = make_generator(o, catalog_, db_.get());
  ASSERT_TRUE(unsure.ok());
  r = (*unsure)->generate({.question = q});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->engine.starts_with("ensemble:llm:")) << r->engine;
  EXPECT_GT(r->prompt_tokens, 0);
  EXPECT_NE(r->reason.find("not confident enough"), std::string::npos) << r->reason;
}

TEST_F(LlmGeneratorModelTest, BrokenModelIsAnErrorOfTheFactory) {
  GeneratorOptions o;
  o.mode = "llm";
  o.model_path = testing::model_dir() + "/missing.gguf";
  auto g = make_generator(o, catalog_, db_.get());
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kNotFound);
  o.model_path = model_;
  o.prompt_format = "alpaca";
  EXPECT_EQ(make_generator(o, catalog_, db_.get()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace t2sql
