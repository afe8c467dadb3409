#include "generate/sql_grammar.h"

#include <gtest/gtest.h>
#include <llama.h>

#include <cmath>
#include <memory>

#include "t2sql/demo.h"

namespace t2sql {
namespace {

// The tokenizer of a real model (GPT-2's, from llama.cpp's vocab files): the
// grammar is checked the way decoding uses it, token by token.
class SqlGrammarTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    mp.vocab_only = true;
    std::string path = std::string(T2SQL_LLAMA_DIR) + "/models/ggml-vocab-gpt-2.gguf";
    model_ = llama_model_load_from_file(path.c_str(), mp);
  }
  static void TearDownTestSuite() {
    llama_model_free(model_);
    model_ = nullptr;
  }

  // True when `sql` (as the model would write it) is a complete sentence of
  // the grammar: every token passes and end-of-text is allowed after it.
  static bool accepts(const std::string& gbnf, const std::string& sql) {
    const llama_vocab* vocab = llama_model_get_vocab(model_);
    llama_sampler* g = llama_sampler_init_grammar(vocab, gbnf.c_str(), "root");
    if (!g) return false;
    std::vector<llama_token> toks(sql.size() + 8);
    int n = llama_tokenize(vocab, sql.c_str(), static_cast<int32_t>(sql.size()), toks.data(),
                           static_cast<int32_t>(toks.size()), false, false);
    toks.resize(std::max(n, 0));
    auto allowed = [&](llama_token t) {
      llama_token_data d{t, 1.0f, 0.0f};
      llama_token_data_array arr{&d, 1, -1, false};
      llama_sampler_apply(g, &arr);
      return std::isfinite(arr.data[0].logit);
    };
    bool ok = true;
    for (llama_token t : toks) {
      if (!allowed(t)) {
        ok = false;
        break;
      }
      llama_sampler_accept(g, t);
    }
    ok = ok && allowed(llama_vocab_eos(vocab));
    llama_sampler_free(g);
    return ok;
  }

  static std::vector<GrammarTable> demo_tables() {
    return grammar_tables_from_ddl(R"(
CREATE TABLE stores (store_id INTEGER PRIMARY KEY, store_name TEXT NOT NULL, region TEXT, opened_on DATE);
CREATE TABLE brands (brand_id INTEGER PRIMARY KEY, brand_name TEXT NOT NULL);
CREATE TABLE products (product_id INTEGER PRIMARY KEY, product_name TEXT, category TEXT,
  brand_id INTEGER NOT NULL REFERENCES brands(brand_id), unit_price REAL NOT NULL);
CREATE TABLE sales (sale_id INTEGER PRIMARY KEY, sale_date DATE NOT NULL, store_id INTEGER, product_id INTEGER,
  quantity INTEGER NOT NULL, amount DECIMAL(10, 2) NOT NULL, FOREIGN KEY (store_id) REFERENCES stores(store_id));
CREATE TABLE active_store (month DATE NOT NULL, store_id INTEGER NOT NULL, PRIMARY KEY (month, store_id));
)");
  }

  static llama_model* model_;
};

llama_model* SqlGrammarTest::model_ = nullptr;

TEST_F(SqlGrammarTest, ReadsTablesAndColumnsFromDdl) {
  auto tables = grammar_tables_from_ddl(
      "CREATE TABLE IF NOT EXISTS \"order items\" (\"item id\" INT, qty INT, PRIMARY KEY (\"item id\"),\n"
      " CONSTRAINT fk FOREIGN KEY (qty) REFERENCES x(y));\nCREATE TABLE main.t (a NUMERIC(10, 2), b TEXT);");
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].name, "order items");
  EXPECT_EQ(tables[0].columns, (std::vector<std::string>{"item id", "qty"}));
  EXPECT_EQ(tables[1].name, "t");
  EXPECT_EQ(tables[1].columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(demo_tables().size(), 5u);
  EXPECT_EQ(demo_tables()[3].columns.size(), 6u);
}

TEST_F(SqlGrammarTest, GrammarParsesForEveryDialect) {
  ASSERT_NE(model_, nullptr);
  for (const char* dialect : {"sqlite", "duckdb", "postgresql"}) {
    std::string gbnf = build_sql_grammar(demo_tables(), {.dialect = dialect});
    llama_sampler* g = llama_sampler_init_grammar(llama_model_get_vocab(model_), gbnf.c_str(), "root");
    EXPECT_NE(g, nullptr) << dialect << "\n" << gbnf;
    llama_sampler_free(g);
  }
}

TEST_F(SqlGrammarTest, AcceptsTheSelectLanguage) {
  ASSERT_NE(model_, nullptr);
  std::string gbnf = build_sql_grammar(demo_tables());
  std::vector<std::string> good = {
      "SELECT * FROM sales;",
      "select count(*) from stores;",
      "SELECT region, COUNT(*) FROM stores GROUP BY region HAVING COUNT(*) > 2 ORDER BY region DESC LIMIT 5;",
      "SELECT DISTINCT category FROM products WHERE unit_price BETWEEN 1 AND 9.5;",
      "SELECT b.brand_name, SUM(s.amount) AS revenue FROM sales s JOIN products p ON p.product_id = s.product_id "
      "JOIN brands b ON b.brand_id = p.brand_id GROUP BY b.brand_name ORDER BY SUM(s.amount) DESC LIMIT 5;",
      "SELECT T1.store_name FROM stores AS T1 LEFT JOIN sales AS T2 ON T1.store_id = T2.store_id WHERE T2.sale_id "
      "IS NULL;",
      "SELECT store_name FROM stores WHERE store_id IN (SELECT store_id FROM active_store) AND region NOT IN "
      "('North', 'South');",
      "SELECT product_name FROM products WHERE product_name LIKE '%phone%' OR category IS NOT NULL;",
      "SELECT CASE WHEN amount > 100 THEN 'big' ELSE 'small' END, CAST(amount AS INTEGER) FROM sales;",
      "SELECT strftime('%Y', sale_date) AS year, ROUND(SUM(amount), 2) FROM sales GROUP BY strftime('%Y', "
      "sale_date);",
      "SELECT store_id FROM sales UNION SELECT store_id FROM active_store EXCEPT SELECT store_id FROM stores;",
      "SELECT sales.amount FROM sales WHERE NOT (amount < 3 OR quantity >= -2) AND amount * 2 + 1 <> 7;",
      "SELECT x.store_id FROM (SELECT store_id FROM sales) AS x;",
      "SELECT brand_name FROM brands WHERE EXISTS (SELECT 1 FROM products WHERE products.brand_id = "
      "brands.brand_id);",
      "SELECT region\nFROM stores\nWHERE region = 'It''s';",
      "SELECT AVG(DISTINCT unit_price) FROM products, brands WHERE products.brand_id = brands.brand_id;",
  };
  for (const auto& sql : good) EXPECT_TRUE(accepts(gbnf, sql)) << sql;
  std::string with_aliases = build_sql_grammar(demo_tables(), {.output_alias_refs = true});
  for (const auto& q : demo_example_queries()) EXPECT_TRUE(accepts(with_aliases, q.sql + ";")) << q.sql;
  EXPECT_FALSE(accepts(gbnf, "SELECT SUM(amount) AS revenue FROM sales ORDER BY revenue;"));
  EXPECT_TRUE(accepts(gbnf, "SELECT SUM(amount) AS revenue FROM sales ORDER BY SUM(amount) DESC;"));
}

TEST_F(SqlGrammarTest, RejectsUnknownNamesAndOtherStatements) {
  ASSERT_NE(model_, nullptr);
  std::string gbnf = build_sql_grammar(demo_tables());
  std::vector<std::string> bad = {
      "SELECT * FROM customers;",            // no such table
      "SELECT price FROM products;",         // no such column
      "SELECT sales.brand_name FROM sales;",  // column of another table
      "DELETE FROM sales;",
      "SELECT * FROM sales",                 // not ended
      "SELECT * FROM sales; DROP TABLE x;",
      "SELECT * FROM sales LIMIT 'a';",
      "SELECT * FROM sales s JOIN longalias ON 1 = 1;",
  };
  for (const auto& sql : bad) EXPECT_FALSE(accepts(gbnf, sql)) << sql;
}

TEST_F(SqlGrammarTest, DialectsDifferInDateFunctions) {
  ASSERT_NE(model_, nullptr);
  std::string sqlite = build_sql_grammar(demo_tables(), {.dialect = "sqlite"});
  std::string duck = build_sql_grammar(demo_tables(), {.dialect = "duckdb"});
  std::string pg = build_sql_grammar(demo_tables(), {.dialect = "postgresql"});
  std::string extract = "SELECT EXTRACT(YEAR FROM sale_date) FROM sales WHERE sale_date >= DATE '2024-01-01';";
  EXPECT_FALSE(accepts(sqlite, extract));
  EXPECT_TRUE(accepts(duck, extract));
  EXPECT_TRUE(accepts(pg, extract));
  EXPECT_TRUE(accepts(pg, "SELECT date_trunc('month', sale_date), to_char(sale_date, 'YYYY') FROM sales;"));
  EXPECT_FALSE(accepts(sqlite, "SELECT to_char(sale_date, 'YYYY') FROM sales;"));
  EXPECT_TRUE(accepts(sqlite, "SELECT julianday(sale_date) FROM sales;"));
}

}  // namespace
}  // namespace t2sql
