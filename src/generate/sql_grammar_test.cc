#include "generate/sql_grammar.h"

#include <gtest/gtest.h>
#include <llama.h>
#include <sqlite3.h>

#include <cmath>
#include <memory>

#include "t2sql/demo.h"

namespace t2sql {
namespace {

const char* kDemoDdl = R"(
CREATE TABLE stores (store_id INTEGER PRIMARY KEY, store_name TEXT NOT NULL, region TEXT, opened_on DATE);
CREATE TABLE brands (brand_id INTEGER PRIMARY KEY, brand_name TEXT NOT NULL);
CREATE TABLE products (product_id INTEGER PRIMARY KEY, product_name TEXT, category TEXT,
  brand_id INTEGER NOT NULL REFERENCES brands(brand_id), unit_price REAL NOT NULL);
CREATE TABLE sales (sale_id INTEGER PRIMARY KEY, sale_date DATE NOT NULL, store_id INTEGER, product_id INTEGER
  REFERENCES products (product_id), quantity INTEGER NOT NULL, amount DECIMAL(10, 2) NOT NULL,
  FOREIGN KEY (store_id) REFERENCES stores(store_id));
CREATE TABLE active_store (month DATE NOT NULL, store_id INTEGER NOT NULL REFERENCES stores(store_id),
  PRIMARY KEY (month, store_id));
)";

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

  static std::vector<GrammarTable> demo_tables() { return grammar_tables_from_ddl(kDemoDdl); }

  static llama_model* model_;
};

llama_model* SqlGrammarTest::model_ = nullptr;

TEST_F(SqlGrammarTest, ReadsTablesColumnsAndForeignKeysFromDdl) {
  auto tables = grammar_tables_from_ddl(
      "CREATE TABLE IF NOT EXISTS \"order items\" (\"item id\" INT, qty INT REFERENCES stock(qty), PRIMARY KEY "
      "(\"item id\"),\n CONSTRAINT fk FOREIGN KEY (\"item id\") REFERENCES items(id));\n"
      "CREATE TABLE main.t (a NUMERIC(10, 2), b TEXT);");
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].name, "order items");
  EXPECT_EQ(tables[0].columns, (std::vector<std::string>{"item id", "qty"}));
  ASSERT_EQ(tables[0].foreign_keys.size(), 2u);
  EXPECT_EQ(tables[0].foreign_keys[0].column, "qty");
  EXPECT_EQ(tables[0].foreign_keys[0].ref_table, "stock");
  EXPECT_EQ(tables[0].foreign_keys[1].column, "item id");
  EXPECT_EQ(tables[0].foreign_keys[1].ref_column, "id");
  EXPECT_EQ(tables[1].name, "t");
  EXPECT_EQ(tables[1].columns, (std::vector<std::string>{"a", "b"}));
  auto demo = demo_tables();
  ASSERT_EQ(demo.size(), 5u);
  EXPECT_EQ(demo[3].columns.size(), 6u);
  EXPECT_EQ(demo[3].foreign_keys.size(), 2u);  // sales -> stores, sales -> products
}

TEST_F(SqlGrammarTest, GrammarParsesForEveryDialect) {
  ASSERT_NE(model_, nullptr);
  for (const char* dialect : {"sqlite", "duckdb", "postgresql"}) {
    std::string gbnf = build_sql_grammar(demo_tables(), {.dialect = dialect});
    llama_sampler* g = llama_sampler_init_grammar(llama_model_get_vocab(model_), gbnf.c_str(), "root");
    EXPECT_NE(g, nullptr) << dialect << "\n" << gbnf;
    llama_sampler_free(g);
  }
  // No tables: still a grammar, of constant selects.
  std::string empty = build_sql_grammar({});
  EXPECT_TRUE(accepts(empty, "SELECT 1;"));
}

TEST_F(SqlGrammarTest, AcceptsTheSelectLanguage) {
  ASSERT_NE(model_, nullptr);
  std::string gbnf = build_sql_grammar(demo_tables());
  std::vector<std::string> good = {
      "SELECT * FROM sales;",
      "select count(*) from stores;",
      "SELECT region, COUNT(*) FROM stores GROUP BY region HAVING COUNT(*) > 2 ORDER BY region DESC LIMIT 5;",
      "SELECT DISTINCT category FROM products WHERE unit_price BETWEEN 1 AND 9.5;",
      "SELECT brand_name, MAX(unit_price) AS top_price FROM products JOIN brands ON products.brand_id = "
      "brands.brand_id GROUP BY brand_name ORDER BY MAX(unit_price) DESC LIMIT 5;",
      "SELECT stores.store_id, store_name FROM sales JOIN stores ON sales.store_id = stores.store_id;",
      "SELECT store_name FROM stores WHERE store_id IN (SELECT store_id FROM active_store) AND region NOT IN "
      "('North', 'South');",
      "SELECT product_name FROM products WHERE product_name LIKE '%phone%' OR category IS NOT NULL;",
      "SELECT CASE WHEN amount > 100 THEN 'big' ELSE 'small' END, CAST(amount AS INTEGER) FROM sales;",
      "SELECT strftime('%Y', sale_date) AS sale_year, ROUND(SUM(amount), 2) FROM sales GROUP BY sale_date;",
      "SELECT store_id FROM sales UNION SELECT store_id FROM active_store EXCEPT SELECT store_id FROM stores;",
      "SELECT sales.amount FROM sales WHERE NOT (amount < 3 OR quantity >= 2) AND amount * 2 + 1 <> 7;",
      "SELECT brand_name FROM brands WHERE EXISTS (SELECT brand_id FROM products WHERE unit_price > 3);",
      "SELECT region\nFROM stores\nWHERE region = 'It''s';",
      "SELECT amount AS \"Total amount\" FROM sales WHERE amount > (SELECT AVG(amount) FROM sales);",
      "SELECT ROUND(SUM(amount), 2) AS total_sales FROM sales WHERE strftime('%Y', sale_date) = '2023';",
  };
  for (const auto& sql : good) EXPECT_TRUE(accepts(gbnf, sql)) << sql;
  std::string three =
      "SELECT brand_name, SUM(amount) AS total_revenue FROM sales JOIN products ON sales.product_id = "
      "products.product_id JOIN brands ON products.brand_id = brands.brand_id GROUP BY brand_name;";
  EXPECT_FALSE(accepts(gbnf, three));
  EXPECT_TRUE(accepts(build_sql_grammar(demo_tables(), {.max_join_tables = 3}), three));
}

TEST_F(SqlGrammarTest, RejectsUnknownNamesOutOfScopeColumnsAndOtherStatements) {
  ASSERT_NE(model_, nullptr);
  std::string gbnf = build_sql_grammar(demo_tables());
  std::vector<std::string> bad = {
      "SELECT * FROM customers;",                                                     // no such table
      "SELECT price FROM products;",                                                  // no such column
      "SELECT brand_name FROM sales;",                                                // a column of a table not read
      "SELECT store_id FROM sales JOIN stores ON sales.store_id = stores.store_id;",  // ambiguous
      "SELECT * FROM sales s;",                                                       // aliases cannot be checked
      "SELECT * FROM sales JOIN brands ON 1 = 1;",                                    // no foreign key between them
      "SELECT SUM(amount) FROM sales WHERE SUM(amount) > 3;",                         // aggregate in WHERE
      "SELECT MAX(SUM(amount)) FROM sales;",                                          // aggregate of an aggregate
      "SELECT amount FROM sales HAVING amount > 1;",                                  // HAVING without GROUP BY
      "SELECT amount FROM sales ORDER BY 2;",                                         // position out of range
      "SELECT amount FROM sales WHERE amount IN (SELECT amount, quantity FROM sales);",
      "SELECT lower(region, 1) FROM stores;",  // wrong number of arguments
      "SELECT amount - -1 FROM sales;",        // "--" starts a comment
      "SELECT amount AS from FROM sales;",
      "DELETE FROM sales;",
      "SELECT * FROM sales",  // not ended
      "SELECT * FROM sales; DROP TABLE x;",
      "SELECT * FROM sales LIMIT 'a';",
  };
  for (const auto& sql : bad) EXPECT_FALSE(accepts(gbnf, sql)) << sql;
}

TEST_F(SqlGrammarTest, EverySentenceOfTheGrammarPreparesOnSqlite) {
  // The rejected forms above are exactly what SQLite refuses to prepare:
  // check that claim on a real database with the same schema.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, kDemoDdl, nullptr, nullptr, nullptr), SQLITE_OK);
  auto prepares = [&](const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    sqlite3_finalize(st);
    return rc == SQLITE_OK && st != nullptr;
  };
  for (const char* sql : {"SELECT SUM(amount) FROM sales WHERE SUM(amount) > 3", "SELECT MAX(SUM(amount)) FROM sales",
                          "SELECT amount FROM sales HAVING amount > 1", "SELECT amount FROM sales ORDER BY 2",
                          "SELECT lower(region, 1) FROM stores", "SELECT brand_name FROM sales",
                          "SELECT store_id FROM sales JOIN stores ON sales.store_id = stores.store_id"}) {
    EXPECT_FALSE(prepares(sql)) << sql;
  }
  EXPECT_TRUE(prepares("SELECT amount AS \"Total amount\" FROM sales WHERE amount > (SELECT AVG(amount) FROM sales)"));
  sqlite3_close(db);
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
  // The server dialects' own syntax: ILIKE, :: casts, INTERVAL literals, CURRENT_DATE.
  std::string server = "SELECT sale_date::DATE FROM sales WHERE sale_date >= CURRENT_DATE - INTERVAL '1 year';";
  EXPECT_TRUE(accepts(pg, server));
  EXPECT_TRUE(accepts(duck, server));
  EXPECT_FALSE(accepts(sqlite, server));
  std::string ilike = "SELECT sale_id FROM sales WHERE sale_date ILIKE '2024%';";
  EXPECT_TRUE(accepts(pg, ilike));
  EXPECT_FALSE(accepts(sqlite, ilike));
  EXPECT_TRUE(accepts(sqlite, "SELECT sale_date FROM sales WHERE sale_date < CURRENT_DATE;"));
}

}  // namespace
}  // namespace t2sql
