#include "llm/sql_grammar.h"

#include "llm/sql_scope_checker.h"

#include <gtest/gtest.h>
#include <llama.h>
#include <sqlite3.h>

#include <cmath>
#include <memory>

#include "llm/llama_model.h"
#include "sql/statement_guard.h"
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
    std::string path = std::string(T2SQL_LLAMA_DIR) + "/models/ggml-vocab-gpt-2.gguf";
    if (auto loaded = LlamaModel::load(path, {.vocab_only = true}); loaded.ok()) {
      owner_ = std::move(*loaded);
      model_ = owner_.get();
    }
    if (sqlite3_open(":memory:", &demo_db_) != SQLITE_OK ||
        sqlite3_exec(demo_db_, kDemoDdl, nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close(demo_db_);
      demo_db_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    owner_ = LlamaModel();
    model_ = nullptr;
    sqlite3_close(demo_db_);
    demo_db_ = nullptr;
  }

  // True when SQLite prepares `sql` over the demo schema (an empty database).
  static bool prepares(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(demo_db_, sql.c_str(), -1, &st, nullptr);
    sqlite3_finalize(st);
    return rc == SQLITE_OK && st != nullptr;
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

  // What constrained decoding allows: the grammar, then the scope checker,
  // for the demo schema in `dialect`.
  static bool allowed(const std::string& sql, const std::string& dialect = "sqlite") {
    SqlConstraint c = build_sql_constraint(kDemoDdl, dialect);
    return accepts(c.gbnf, sql) && c.checker->check(sql, true).ok;
  }
  // The checker's verdict alone (the grammar accepts `sql`).
  static ScopeVerdict scope(const std::string& sql, bool complete = true) {
    return SqlScopeChecker(demo_tables(), "sqlite").check(sql, complete);
  }

  static LlamaModel owner_;
  static llama_model* model_;
  static sqlite3* demo_db_;
};

LlamaModel SqlGrammarTest::owner_;
llama_model* SqlGrammarTest::model_ = nullptr;
sqlite3* SqlGrammarTest::demo_db_ = nullptr;

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
  EXPECT_TRUE(accepts(build_sql_grammar({}), "SELECT 1;"));
  // No table in the schema text: nothing to constrain names with.
  SqlConstraint none = build_sql_constraint("no tables here", "sqlite");
  EXPECT_TRUE(none.gbnf.empty());
  EXPECT_EQ(none.checker, nullptr);
}

// Every construct of real SQL, as models and people write it.
TEST_F(SqlGrammarTest, AcceptsRealSqlOverTheSchema) {
  ASSERT_NE(model_, nullptr);
  std::vector<std::string> good = {
      // aliases of tables, any join order and ON condition, every join kind
      "SELECT T1.store_name, T2.amount FROM stores AS T1 JOIN sales AS T2 ON T1.store_id = T2.store_id;",
      "SELECT s.amount FROM sales s INNER JOIN stores st ON st.store_id = s.store_id AND st.region = 'North';",
      "SELECT b.brand_name FROM brands b LEFT JOIN products p ON p.brand_id = b.brand_id WHERE p.product_id IS NULL;",
      "SELECT * FROM sales RIGHT OUTER JOIN stores ON sales.store_id = stores.store_id;",
      "SELECT count(*) FROM brands CROSS JOIN stores;",
      "SELECT a.store_id FROM stores a JOIN stores b ON a.region = b.region AND a.store_id <> b.store_id;",
      "SELECT brands.brand_name FROM sales JOIN products ON sales.product_id = products.product_id JOIN brands ON "
      "products.brand_id = brands.brand_id JOIN stores ON stores.store_id = sales.store_id;",
      "SELECT store_name FROM stores, active_store WHERE stores.store_id = active_store.store_id;",
      "SELECT month FROM active_store JOIN stores USING (store_id);",
      // CTEs, derived tables, subqueries with joins
      "WITH totals AS (SELECT store_id, SUM(amount) AS total FROM sales GROUP BY store_id) SELECT s.store_name, "
      "t.total FROM totals t JOIN stores s ON s.store_id = t.store_id ORDER BY t.total DESC LIMIT 3;",
      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT x FROM n;",
      "SELECT avg(cnt) FROM (SELECT store_id, count(*) AS cnt FROM sales GROUP BY store_id) AS per_store;",
      "SELECT store_name FROM stores WHERE store_id IN (SELECT s.store_id FROM sales s JOIN products p ON "
      "p.product_id = s.product_id WHERE p.category = 'toys');",
      // window functions, set operations of any arity, CASE of any length
      "SELECT store_id, amount, rank() OVER (PARTITION BY store_id ORDER BY amount DESC) AS r FROM sales;",
      "SELECT sum(amount) OVER (ORDER BY sale_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM sales;",
      "SELECT store_id, region FROM stores UNION SELECT store_id, 'x' FROM active_store INTERSECT SELECT store_id, "
      "region FROM stores EXCEPT SELECT 1, 'y';",
      "SELECT CASE WHEN amount > 100 THEN 'big' WHEN amount > 50 THEN 'mid' WHEN amount > 10 THEN 'small' ELSE "
      "'tiny' END AS size FROM sales;",
      // deep nesting, literals, white space, keyword case, quoting
      "SELECT CAST(SUM(CASE WHEN region = 'North' THEN 1 ELSE 0 END) AS REAL) * 100.0 / COUNT(*) FROM stores;",
      "SELECT amount FROM sales WHERE amount > -1.5e2 AND sale_date > '2024-01-01' AND quantity <> - 3;",
      "select\n\tstore_name\nfrom   stores\nwhere  region = 'a much longer string than thirty-two characters';",
      "SELECT \"store_name\", `region`, [opened_on] FROM \"stores\";",
      "SELECT COUNT(*) cnt, region AS Region FROM stores GROUP BY region HAVING cnt > 1 ORDER BY COUNT(*) DESC;",
      "SELECT product_name FROM products WHERE product_name LIKE '%phone%' AND category NOT IN ('a', 'b');",
      "SELECT round(avg(unit_price), 2), max(unit_price) - min(unit_price) FROM products;",
      "SELECT strftime('%Y', sale_date) AS y, count(DISTINCT store_id) FROM sales GROUP BY 1 ORDER BY 2 DESC;",
      "SELECT store_name FROM stores WHERE NOT EXISTS (SELECT 1 FROM sales WHERE sales.store_id = stores.store_id);",
      "SELECT name FROM (SELECT brand_name AS name FROM brands) WHERE name LIKE 'A%';",
      "SELECT region FROM stores WHERE region = \"North\";",  // SQLite reads an unknown "x" as a string
  };
  for (const auto& sql : good) {
    EXPECT_TRUE(accepts(build_sql_grammar(demo_tables()), sql)) << "grammar: " << sql;
    ScopeVerdict v = scope(sql);
    EXPECT_TRUE(v.ok) << sql << "\n" << v.message << " at " << v.offset;
  }
}

TEST_F(SqlGrammarTest, RefusesNamesThatExistNowhereWritesAndSeveralStatements) {
  ASSERT_NE(model_, nullptr);
  std::vector<std::string> bad = {
      "SELECT * FROM customers;",                        // no such table
      "SELECT price FROM products;",                     // no such column
      "SELECT T1.price FROM products AS T1;",            // no such column of the alias's table
      "SELECT T1.brand_name FROM products AS T1;",       // a column of another table
      "SELECT T3.amount FROM sales AS T1;",              // an alias no FROM declares
      "SELECT sales.amount FROM sales AS s;",            // the table is known by its alias only
      "SELECT brand_name FROM sales;",                   // a column of a table not read
      "SELECT x FROM (SELECT amount AS y FROM sales);",  // no such output name
      "WITH t AS (SELECT 1 AS a) SELECT * FROM u;",      // no such CTE
      "SELECT store_id FROM sales JOIN stores ON sales.store_id = stores.store_id;",  // ambiguous
      "SELECT sale_id FROM sales WHERE no_such_function(amount) > 1;",                // not a SQLite function
      "DELETE FROM sales;",
      "UPDATE sales SET amount = 0;",
      "SELECT * FROM sales; DROP TABLE sales;",
      "SELECT * FROM sales; SELECT 1;",
      "SELECT * FROM sales",  // not ended
      "SELECT amount FROM sales -- a comment\n;",
  };
  for (const auto& sql : bad) EXPECT_FALSE(allowed(sql)) << sql;
}

// The checker also refuses what SQLite would refuse to prepare though every
// name is real, so that a statement written under constraints prepares; and
// each such statement really fails on SQLite (the checker refuses nothing
// that SQLite accepts among them).
TEST_F(SqlGrammarTest, RefusesWhatSqliteCannotPrepare) {
  ASSERT_NE(demo_db_, nullptr);
  for (const char* sql :
       {"SELECT SUM(amount) FROM sales WHERE SUM(amount) > 3;", "SELECT MAX(SUM(amount)) FROM sales;",
        "SELECT store_id FROM sales GROUP BY count(*);", "SELECT amount FROM sales HAVING amount > 1;",
        "SELECT amount FROM sales ORDER BY 2;", "SELECT lower(region, 1) FROM stores;",
        "SELECT substr(region) FROM stores;", "SELECT lower(*) FROM stores;", "SELECT random(.1) FROM stores;",
        "WITH a AS ((SELECT 1)) SELECT 1;", "(SELECT 1);", "WITH a AS (SELECT 1) (SELECT 1);",
        "SELECT 1 UNION ALL (SELECT 1);", "SELECT 1 WHERE EXISTS ((SELECT 1));", "SELECT ALL;",
        "SELECT string_agg(region) FROM stores;", "SELECT count(DISTINCT region, store_id) FROM stores;",
        "SELECT rank() FROM sales;", "SELECT store_id FROM sales UNION SELECT store_id, region FROM stores;",
        "SELECT region FROM stores WHERE store_id IN (SELECT store_id, month FROM active_store);",
        "SELECT (SELECT store_id, month FROM active_store) FROM stores;",
        "SELECT region FROM stores WHERE region REGEXP 'N.*';",
        // Each found by random models writing under the constraints.
        "WITH x AS (SELECT 'a' appel) SELECT appel;", "SELECT count(*) n, (SELECT n) FROM sales;",
        "SELECT ((EXISTS ESCAPE NOT LIKE ''));", "SELECT EXISTS 1;", "WITH a AS (SELECT ALL ) SELECT 1;",
        "SELECT DISTINCT FROM sales;", "SELECT amount ESCAPE 1 FROM sales;", "SELECT amount = 1 ESCAPE 'b' FROM sales;",
        "SELECT amount GLOB 'a' ESCAPE 'b' FROM sales;", "SELECT upper((FALSE(*)));", "SELECT concat('a', 'b');",
        "SELECT ALL NOT*datetime();", "SELECT region FROM stores WHERE region = 'a' AND = 1;", "SELECT region region;",
        "SELECT amount AS x, x + 1 FROM sales;", "SELECT 1 WHERE EXISTS ('a');",
        "WITH a AS (SELECT *) SELECT * FROM a;", "SELECT ALL SELECT * FROM sales;",
        "SELECT octet_length(region) FROM stores;"}) {
    ScopeVerdict v = scope(sql);
    EXPECT_FALSE(v.ok) << sql;
    EXPECT_FALSE(prepares(sql)) << sql;
  }
  // MATCH prepares but has no function behind it outside full-text tables
  // (t2sql's read-only connection refuses it as an unknown function).
  EXPECT_FALSE(scope("SELECT region FROM stores WHERE region MATCH 'N';").ok);
  // changes() prepares, but t2sql's statement guard refuses to call it: the
  // checker allows only the functions the guard does.
  EXPECT_FALSE(scope("SELECT changes();").ok);
  EXPECT_FALSE(check_read_only_statement("SELECT changes();", Dialect::Engine::kSqlite).ok());
  for (const char* sql :
       {"SELECT max(amount, quantity) FROM sales GROUP BY max(amount, quantity);",
        "SELECT count(*) FROM sales HAVING count(*) > 1;", "SELECT count() FROM sales;",
        "SELECT month FROM active_store JOIN stores USING (store_id) WHERE store_id > 1;",
        "SELECT 1 FROM ((SELECT 1));", "SELECT 1 WHERE 1 IN ((SELECT 1));",
        "WITH x AS (SELECT 'a' appel) SELECT appel FROM x;", "SELECT amount AS x FROM sales WHERE x > 1 ORDER BY x;",
        "SELECT region FROM stores WHERE region NOT LIKE lower('a') || '%' ESCAPE '!';",
        "SELECT 1 WHERE EXISTS (SELECT 1) AND NOT EXISTS (SELECT 2);", "SELECT ALL 1;"}) {
    EXPECT_TRUE(scope(sql).ok) << sql << ": " << scope(sql).message;
    EXPECT_TRUE(prepares(sql)) << sql;
  }
}

// While a statement is written, every prefix of a good one passes, and a
// wrong name is refused as soon as no name of the schema starts with it.
TEST_F(SqlGrammarTest, ChecksTheStatementAsItGrows) {
  const std::string good =
      "SELECT T1.store_name, count(*) AS n FROM stores AS T1 JOIN sales AS T2 ON T1.store_id = T2.store_id "
      "WHERE T2.amount > 3 GROUP BY T1.store_name ORDER BY n DESC;";
  for (size_t k = 1; k <= good.size(); ++k) {
    ScopeVerdict v = scope(good.substr(0, k), false);
    EXPECT_TRUE(v.ok) << good.substr(0, k) << ": " << v.message;
  }
  EXPECT_TRUE(scope("SELECT store_na", false).ok);
  // SQLite reads "x" as a string where no column has that name: open, it
  // may be one (Spider's gold writes strings so), except where a name goes.
  EXPECT_TRUE(scope("SELECT region FROM stores WHERE region = \"Nor", false).ok);
  EXPECT_FALSE(scope("SELECT region FROM \"Nor", false).ok);
  EXPECT_FALSE(scope("SELECT s.\"Nor", false).ok);
  // An alias of up to four letters may qualify a column before the FROM
  // clause declares it (defog's gold: "COUNT(DISTINCT wtd.coupon_id) ...
  // FROM wallet_transactions_daily AS wtd").
  EXPECT_TRUE(scope("SELECT COUNT(DISTINCT wtd", false).ok);
  EXPECT_TRUE(scope("SELECT cust", false).ok);
  EXPECT_FALSE(scope("SELECT custo", false).ok);
  EXPECT_FALSE(scope("SELECT store_nx", false).ok);
  EXPECT_FALSE(scope("SELECT region FROM storez", false).ok);
  EXPECT_TRUE(scope("SELECT region FROM sto", false).ok);
  // Qualified columns wait for the FROM clause, then are checked exactly.
  EXPECT_TRUE(scope("SELECT T1.amount FROM stores AS T1", false).ok);
  EXPECT_FALSE(scope("SELECT T1.amount FROM stores AS T1 WHERE ", false).ok);
  // ... and refused where the alias stands once it is written, when another
  // alias can still be chosen, not only once the FROM clause ends.
  ScopeVerdict bound = scope("SELECT T1.amount FROM stores AS T1 ", false);
  EXPECT_FALSE(bound.ok);
  EXPECT_EQ(bound.offset, std::string("SELECT T1.amount FROM stores AS ").size()) << bound.message;
  EXPECT_TRUE(scope("SELECT T1.amount FROM sales AS T1 ", false).ok);
  // A qualifier not declared yet must stay declarable: some table holds
  // every column used with it (its own table when it is a table's name).
  ScopeVerdict apart = scope("SELECT x.amount, x.region", false);
  EXPECT_FALSE(apart.ok);
  EXPECT_EQ(apart.offset, std::string("SELECT x.amount, ").size()) << apart.message;
  EXPECT_TRUE(scope("SELECT x.amount, x.sale_id", false).ok);
  EXPECT_FALSE(scope("SELECT stores.amount", false).ok);
  EXPECT_TRUE(scope("SELECT stores.region", false).ok);
  // A set operation ends the query, with its qualifier still undeclared:
  // the keyword is refused as it is written (a random model wrote it as its
  // alias's next word and met a dead end one token later), not only after.
  EXPECT_FALSE(scope("SELECT x.region r EXCEPT", false).ok);
  EXPECT_FALSE(scope("SELECT x.region EXCEPT ", false).ok);
  EXPECT_TRUE(scope("SELECT x.region EXCEPT", false).ok);  // an alias "exceptional" may follow
  EXPECT_TRUE(scope("SELECT x.region FROM stores x EXCEPT", false).ok);
  EXPECT_FALSE(scope("SELECT x.region r INTERSECT", false).ok);
  // ... and a word on its way to such a keyword, when it can become no other.
  EXPECT_FALSE(scope("SELECT x.region r EXCEP", false).ok);
  EXPECT_FALSE(scope("SELECT x.* UNIO", false).ok);
  EXPECT_FALSE(scope("SELECT x.* Or", false).ok);  // a star is no operand
  EXPECT_TRUE(scope("SELECT x.* Fr", false).ok);
  // After an alias only what may follow one: WHEN and WITH may not, and
  // WHERE may not yet while x waits for its FROM clause.
  EXPECT_FALSE(scope("SELECT x.region r W", false).ok);
  EXPECT_TRUE(scope("SELECT region FROM stores s W", false).ok);
  EXPECT_FALSE(scope("SELECT region FROM stores s WIT", false).ok);
  EXPECT_FALSE(scope("SELECT x.* ORD", false).ok);
  EXPECT_TRUE(scope("SELECT x.* FROM stores x ORD", false).ok);
  EXPECT_TRUE(scope("SELECT region FROM stores WHERE region IN", false).ok);
  EXPECT_TRUE(scope("WITH t AS (SELECT region, 1 AS n FROM stores) SELECT t.region, t.n FROM t;").ok);
  ScopeVerdict v = scope("SELECT region FROM stores WHERE T1.region = 'a';");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.offset, std::string("SELECT region FROM stores WHERE ").size());
  // Nesting is bounded far above real queries (Spider's gold nests 3 deep
  // and never writes "(("): 32 open parentheses, 5 in a row.
  std::string deep = "SELECT " + std::string(100, '(') + "1" + std::string(100, ')') + " FROM stores;";
  EXPECT_FALSE(scope(deep).ok);
  EXPECT_TRUE(scope("SELECT " + std::string(5, '(') + "1" + std::string(5, ')') + " FROM stores;").ok);
  EXPECT_FALSE(scope("SELECT " + std::string(6, '(') + "1" + std::string(6, ')') + " FROM stores;").ok);
  EXPECT_FALSE(scope("WITH a AS ( (\t( ( (\t( (", false).ok);  // white space between them counts as in a row
  auto nested = [](int depth) {
    std::string sql = "SELECT ";
    for (int k = 0; k < depth; ++k) sql += k % 4 == 3 ? "1 + (" : "(";
    return sql + "1" + std::string(depth, ')') + " FROM stores;";
  };
  EXPECT_TRUE(scope(nested(32)).ok) << nested(32);
  EXPECT_FALSE(scope(nested(33)).ok) << nested(33);
}

// The grammar reads any word as a name; the checker refuses a keyword where
// the statement needs a value or a name (random models wrote each of these,
// and SQLite refuses them all), but not where SQL puts that keyword.
TEST_F(SqlGrammarTest, AKeywordWhereANameGoesIsRefused) {
  SqlConstraint c = build_sql_constraint(kDemoDdl, "sqlite");
  for (const char* sql :
       {"select By By ;", "SELECT When ;", "SELECT region FROM stores GROUP BY When;", "SELECT asc FROM stores;",
        "SELECT region AS from FROM stores;", "SELECT region FROM stores WHERE region = order;", "SELECT Time 'x';"}) {
    EXPECT_TRUE(accepts(c.gbnf, sql)) << "the grammar lets it through: " << sql;
    EXPECT_FALSE(c.checker->check(sql, true).ok) << sql;
    ASSERT_NE(demo_db_, nullptr);
    sqlite3_stmt* st = nullptr;
    EXPECT_NE(sqlite3_prepare_v2(demo_db_, sql, -1, &st, nullptr), SQLITE_OK) << "SQLite prepares it: " << sql;
    sqlite3_finalize(st);
  }
  // A schema SQLite does not have (t2sql attaches none): the checker alone.
  EXPECT_FALSE(scope("SELECT unit_.Product_.name FROM stores;").ok);
  EXPECT_TRUE(scope("SELECT main.stores.region FROM stores;").ok);
  EXPECT_TRUE(scope("SELECT region FROM main.stores;").ok);
  EXPECT_FALSE(scope("SELECT region FROM act.stores;").ok);  // a random model's: no such schema on SQLite
  EXPECT_FALSE(scope("SELECT 1 FROM stores CROSS JOIN \"x\".stores", false).ok);
  // While being written: a word no allowed keyword or name starts with.
  EXPECT_FALSE(scope("SELECT region FROM stores GROUP BY Wh", false).ok);
  EXPECT_TRUE(scope("SELECT region FROM stores WHERE N", false).ok);  // NOT, NULL
  for (const char* sql :
       {"SELECT DISTINCT region FROM stores;", "SELECT CASE WHEN region IS NULL THEN 1 ELSE 0 END FROM stores;",
        "SELECT region FROM stores WHERE region NOT LIKE 'N%' AND NOT EXISTS (SELECT 1 FROM sales);",
        "SELECT region FROM stores UNION ALL SELECT brand_name FROM brands;",
        "SELECT region FROM stores WHERE region IS NOT DISTINCT FROM 'North';",
        "SELECT count(*) FILTER (WHERE region = 'North') FROM stores;", "SELECT CAST(store_id AS TEXT) FROM stores;",
        "SELECT region FROM stores WHERE store_id IN (SELECT store_id FROM sales);"}) {
    EXPECT_TRUE(allowed(sql)) << sql << ": " << scope(sql).message;
  }
}

// steps_to_end is exact on these prefixes: a completion of that many items
// (each one token of GPT-2's vocabulary: a keyword, a name, a literal, a
// mark) exists, is a sentence of the grammar, passes the scope checker and
// prepares on SQLite; and it never counts fewer items than one more token
// closes (every prefix of the completion, item by item, counts one less).
// A measure that underestimates (as the flat count of parentheses did on
// "WITH a AS (": 2 for 5) lets a decoding loop promise an end it cannot keep.
TEST_F(SqlGrammarTest, StepsToEndCountTheItemsOfTheShortestCompletion) {
  ASSERT_NE(model_, nullptr);
  SqlScopeChecker c(demo_tables(), "sqlite");
  ASSERT_NE(demo_db_, nullptr);
  struct Case {
    std::string prefix;
    std::vector<std::string> completion;  // the shortest, item by item
  };
  const std::vector<Case> cases = {
      {"", {"SELECT", "1"}},
      {"SELECT", {"1"}},
      {"SELECT region FROM stores", {}},
      {"SELECT region FROM stores WHERE region = 'it''s", {"'"}},
      {"SELECT region FROM stores WHERE region = 'a;b'", {}},
      {"SELECT region FROM stores WHERE region =", {"1"}},
      {"SELECT region FROM stores WHERE region IN (SELECT region FROM stores", {")"}},
      {"SELECT region FROM stores WHERE region IN (", {")"}},
      {"SELECT region FROM stores WHERE region IN", {"(", ")"}},
      {"SELECT region FROM stores WHERE EXISTS", {"(", "SELECT", "1", ")"}},
      {"SELECT count(CASE WHEN (1", {")", "THEN", "1", "END", ")"}},
      {"SELECT CASE", {"WHEN", "1", "THEN", "1", "END"}},
      {"SELECT CASE 2", {"WHEN", "1", "THEN", "1", "END"}},
      {"SELECT CASE WHEN 1 = 1 THEN 2", {"END"}},
      {"SELECT region FROM stores WHERE [store_name", {"]"}},
      {"SELECT region FROM stores ORDER", {"BY", "1"}},
      {"SELECT region FROM stores ORDER BY", {"1"}},
      {"SELECT region FROM", {"stores"}},
      {"SELECT region FROM sto", {"res"}},  // a table name on its way
      {"SELECT region FROM stores AS s WHERE s.region IS NOT NULL", {}},
      {"SELECT region FROM stores WHERE store_id BETWEEN", {"1", "AND", "2"}},
      {"SELECT region FROM stores WHERE store_id BETWEEN 1", {"AND", "2"}},
      {"SELECT region FROM stores WHERE store_id BETWEEN 1 AND 2", {}},
      {"SELECT region FROM stores WHERE store_id NOT", {"LIKE", "1"}},
      {"SELECT region FROM stores LEFT", {"JOIN", "sales"}},
      {"SELECT region FROM stores UNION", {"SELECT", "1"}},
      {"SELECT region FROM stores UNION ALL", {"SELECT", "1"}},
      {"SELECT region FROM (", {"stores", ")"}},
      {"SELECT 1 FROM (SELECT", {"1", ")"}},
      // A CTE: its body, and the main query after it.
      {"WITH", {"a", "AS", "(", "SELECT", "1", ")", "SELECT", "1"}},
      {"WITH a", {"AS", "(", "SELECT", "1", ")", "SELECT", "1"}},
      {"WITH a AS", {"(", "SELECT", "1", ")", "SELECT", "1"}},
      {"WITH a AS (", {"SELECT", "1", ")", "SELECT", "1"}},
      {"WITH a AS (SELECT region FROM stores", {")", "SELECT", "1"}},
      {"WITH a AS (SELECT region FROM stores)", {"SELECT", "1"}},
      {"WITH a AS (SELECT region FROM stores),", {"b", "AS", "(", "SELECT", "1", ")", "SELECT", "1"}},
      {"WITH a (x", {")", "AS", "(", "SELECT", "1", ")", "SELECT", "1"}},
      {"WITH a AS (SELECT region FROM stores) SELECT", {"1"}},
      {"WITH a AS (SELECT (1 +", {"1", ")", ")", "SELECT", "1"}},
      // Qualifiers before the FROM clause that declares them.
      {"SELECT s.region", {"FROM", "stores", "s"}},
      {"SELECT s.region, b.brand_name", {"FROM", "stores", "s", ",", "brands", "b"}},
      {"SELECT stores.region", {"FROM", "stores"}},
      {"SELECT s.region FROM", {"stores", "s"}},
      {"SELECT s.region FROM stores", {"s"}},
      {"SELECT s.region, b.brand_name FROM stores AS s", {",", "brands", "b"}},
      {"SELECT s.region FROM stores s WHERE s.", {"region"}},
      // A window function: its OVER.
      {"SELECT rank()", {"OVER", "(", ")"}},
      {"SELECT rank() OVER", {"(", ")"}},
      {"SELECT sum(1) OVER (PARTITION", {"BY", "1", ")"}},
      {"SELECT count(*) FILTER", {"(", "WHERE", "1", ")"}},
      {"SELECT CAST", {"(", "1", "AS", "INT", ")"}},
      {"SELECT 1 AS", {"a"}},
      // A column needs a FROM clause.
      {"SELECT region", {"FROM", "stores"}},
      {"SELECT region, count(*)", {"FROM", "stores"}},
  };
  for (const auto& k : cases) {
    std::string whole = k.prefix;
    for (const auto& item : k.completion) {
      const bool glue = item == "res" || item == "'" || item == "]" || (item == "region" && whole.back() == '.');
      whole += (glue || whole.empty() ? "" : " ") + item;
    }
    whole += ";";
    EXPECT_EQ(c.steps_to_end(k.prefix), static_cast<int>(k.completion.size())) << k.prefix;
    EXPECT_TRUE(allowed(whole)) << whole << ": " << scope(whole).message;
    EXPECT_TRUE(prepares(whole)) << whole;
    // Item by item, one step less each (the measure descends along the completion).
    std::string part = k.prefix;
    for (size_t j = 0; j < k.completion.size(); ++j) {
      const std::string& item = k.completion[j];
      const bool glue = item == "res" || item == "'" || item == "]" || (item == "region" && part.back() == '.');
      part += (glue || part.empty() ? "" : " ") + item;
      EXPECT_EQ(c.steps_to_end(part), static_cast<int>(k.completion.size() - j - 1)) << part;
    }
  }
  EXPECT_EQ(c.steps_to_end("SELECT region FROM stores;"), -1);
  // A last word that cannot stand as written counts its cheapest way on: an
  // alias-shaped word is only a qualifier ("s1" goes on as "s1.col" and needs
  // "FROM t s1"), a word after an alias only a keyword ("Fr": FROM and a
  // table), a function's name its "(" and argument.
  EXPECT_EQ(c.steps_to_end("SELECT s1"), c.steps_to_end("SELECT s1."));  // the column after it is one more
  EXPECT_EQ(c.steps_to_end("SELECT s1"), 4);
  EXPECT_EQ(c.steps_to_end("SELECT s1.region"), 3);
  // SELECT where no query begins is no new query: the qualifier still needs
  // its FROM clause (a random llama model wrote "... x.opened_on SELECT").
  EXPECT_GE(c.steps_to_end("SELECT s1.region SELECT"), 3);
  EXPECT_EQ(c.steps_to_end("SELECT region r Fr"), 1);
  // The table just written takes the qualifier as its alias only if it has
  // the qualifier's columns; else the qualifier needs a source of its own.
  EXPECT_EQ(c.steps_to_end("SELECT q.amount FROM sales "), 1);
  EXPECT_EQ(c.steps_to_end("SELECT q.amount FROM stores "), 3);
  EXPECT_EQ(c.steps_to_end("SELECT q.amount FROM stores q"), 3);
  EXPECT_EQ(c.steps_to_end("SELECT q.amount FROM sto"), 3);
  EXPECT_EQ(c.steps_to_end("SELECT q.amount FROM sa"), 1);
  EXPECT_EQ(c.steps_to_end("SELECT q.amount FROM stores qx"), 3);
  // An alias half written on its way to the qualifier needs only its end.
  EXPECT_EQ(c.steps_to_end("SELECT T1.region FROM stores AS T"), 0);
  EXPECT_EQ(c.steps_to_end("SELECT T1.region FROM stores AS T1"), 0);
  EXPECT_EQ(c.steps_to_end("SELECT T1.region FROM stores AS "), 1);
  // What leads on: the alias that declares the qualifier, the rest of a keyword.
  EXPECT_EQ(c.continuations("SELECT T1.region FROM stores AS "),
            std::vector<std::string>{"t1"});  // names compare in lower case
  EXPECT_EQ(c.continuations("SELECT T1.region FROM stores AS T"), std::vector<std::string>{"1"});
  EXPECT_EQ(c.continuations("SELECT T1.amount FROM stores "), std::vector<std::string>{});
  auto leads = [&](const std::string& text, const std::string& want) {
    auto all = c.continuations(text);
    return std::find(all.begin(), all.end(), want) != all.end();
  };
  EXPECT_TRUE(leads("SELECT region FROM stores s ORD", "er "));
  EXPECT_TRUE(leads("SELECT T2", "."));     // a qualifier's "."
  EXPECT_TRUE(leads("SELECT regi", "on"));  // a column's name
  EXPECT_TRUE(leads("SELECT region FROM sto", "res"));
  EXPECT_TRUE(leads("SELECT s.", "month"));            // a column after a qualifier
  EXPECT_TRUE(leads("SELECT region FROM ", "sales"));  // a table after FROM
  EXPECT_TRUE(leads("SELECT region FROM", " sales"));
  EXPECT_EQ(c.steps_to_end("SELECT region FROM stores s ORD"), c.steps_to_end("SELECT region FROM stores s ORDER "));
  EXPECT_GT(c.steps_to_end("SELECT 1 FROM stores WHERE cos "), c.steps_to_end("SELECT 1 FROM stores WHERE region "));
  // What a weak model used to stay inside or end in: bounded names, empty
  // quoted names, a qualified quoted name that is no column, OFFSET alone.
  EXPECT_FALSE(scope("WITH " + std::string(65, 'x') + " AS (SELECT 1) SELECT 1;").ok);
  EXPECT_TRUE(scope("WITH " + std::string(64, 'x') + " AS (SELECT 1) SELECT 1;").ok);
  EXPECT_FALSE(scope("SELECT T1.\"\"", false).ok);
  EXPECT_FALSE(scope("SELECT s.\"active_st", false).ok);  // a table's name, not a column's
  EXPECT_TRUE(scope("SELECT s.\"regi", false).ok);
  EXPECT_FALSE(scope("SELECT region FROM stores OFFSET", false).ok);
  EXPECT_TRUE(scope("SELECT region FROM stores LIMIT 2 OFFSET 1;").ok);
  // What a random qwen2 model wrote: CAST without "(", an operator as a result column.
  EXPECT_FALSE(scope("SELECT Cast Cast", false).ok);
  EXPECT_FALSE(scope("SELECT CAST((1 ISNULL))", false).ok);
  EXPECT_FALSE(scope("SELECT json(log(2) overwrite ) FROM stores;").ok);  // an alias stands after a result column only
  EXPECT_FALSE(scope("SELECT region FROM stores WHERE region x;").ok);
  EXPECT_TRUE(scope("SELECT (SELECT count(*) n FROM sales) total FROM stores;").ok);
  EXPECT_TRUE(scope("SELECT CAST((1 ISNULL) AS INT) FROM stores;").ok);
  EXPECT_FALSE(scope("SELECT 1 INTERSECT SELECT all %", false).ok);
  EXPECT_TRUE(scope("SELECT ALL * FROM stores;").ok);
  EXPECT_TRUE(scope("SELECT DISTINCT -store_id FROM stores;").ok);
  // A keyword is no qualifier; a row value stands only where it is compared.
  EXPECT_FALSE(scope("SELECT FALSE.region", false).ok);
  EXPECT_FALSE(scope("SELECT (1, 2) FROM stores;").ok);
  EXPECT_FALSE(scope("SELECT region FROM stores WHERE (store_id, region) ORDER ", false).ok);
  EXPECT_TRUE(scope("SELECT (1, 2", false).ok);
  EXPECT_TRUE(scope("SELECT region FROM stores WHERE (store_id, region) = (1, 'North');").ok);
  EXPECT_TRUE(scope("SELECT region FROM stores WHERE (store_id, region) NOT IN (SELECT 1, 'a');").ok);
  EXPECT_TRUE(scope("SELECT region FROM stores WHERE store_id IN (1, 2);").ok);
  // Fewer steps as a statement is closed, character by character.
  const std::string closing = "SELECT count(*) FROM stores WHERE (region = 'north')";
  EXPECT_EQ(c.steps_to_end(closing.substr(0, closing.size() - 7)), 2);
  EXPECT_EQ(c.steps_to_end(closing.substr(0, closing.size() - 1)), 1);
  EXPECT_EQ(c.steps_to_end(closing), 0);
}

TEST_F(SqlGrammarTest, DialectsDifferInQuotingOperatorsAndFunctions) {
  ASSERT_NE(model_, nullptr);
  std::string extract = "SELECT EXTRACT(YEAR FROM sale_date) FROM sales WHERE sale_date >= DATE '2024-01-01';";
  EXPECT_TRUE(allowed(extract, "duckdb"));
  EXPECT_TRUE(allowed(extract, "postgresql"));
  EXPECT_TRUE(allowed("SELECT date_trunc('month', sale_date), to_char(sale_date, 'YYYY') FROM sales;", "postgresql"));
  EXPECT_FALSE(allowed("SELECT to_char(sale_date, 'YYYY') FROM sales;", "sqlite"));
  EXPECT_TRUE(allowed("SELECT julianday(sale_date) FROM sales;", "sqlite"));
  std::string server = "SELECT sale_date::DATE FROM sales WHERE sale_date >= CURRENT_DATE - INTERVAL '1 year';";
  EXPECT_TRUE(allowed(server, "postgresql"));
  EXPECT_TRUE(allowed(server, "duckdb"));
  EXPECT_FALSE(allowed(server, "sqlite"));
  std::string ilike = "SELECT sale_id FROM sales WHERE sale_date ILIKE '2024%';";
  EXPECT_TRUE(allowed(ilike, "postgresql"));
  EXPECT_FALSE(allowed(ilike, "sqlite"));
  EXPECT_TRUE(allowed("SELECT `region` FROM [stores];", "sqlite"));
  EXPECT_FALSE(allowed("SELECT `region` FROM stores;", "postgresql"));
}

// Room to think: prose first, then the SQL in a final ```sql fence; only
// the fenced SQL is constrained, and a ";" in the prose ends nothing.
TEST_F(SqlGrammarTest, ThinkModeConstrainsOnlyTheFencedSql) {
  ASSERT_NE(model_, nullptr);
  SqlConstraint c = build_sql_constraint(kDemoDdl, "sqlite", true);
  const std::string good =
      "Stores have a region; count them per region; no join needed.\n```sql\nSELECT region, COUNT(*) FROM stores "
      "GROUP BY region;\n```";
  EXPECT_TRUE(accepts(c.gbnf, good));
  EXPECT_FALSE(accepts(c.gbnf, "SELECT region FROM stores;"));  // no fence
  EXPECT_FALSE(accepts(c.gbnf, "Delete them.\n```sql\nDELETE FROM stores;\n```"));
  EXPECT_FALSE(accepts(c.gbnf, "A ``` in the prose\n```sql\nSELECT 1;\n```"));
  LlmRequest req;
  constrain_sql(kDemoDdl, "sqlite", true, &req);
  EXPECT_FALSE(req.stop_at_statement_end);
  ASSERT_TRUE(req.accept_text);
  EXPECT_TRUE(req.accept_text("I think; SELECT nothing_real from here"));  // prose is free
  EXPECT_TRUE(req.accept_text("Prose.\n```sql\nSELECT regi"));
  EXPECT_FALSE(req.accept_text("Prose.\n```sql\nSELECT regx "));
  EXPECT_FALSE(req.accept_text("Prose.\n```sql\nSELECT region FROM storez\n```"));
  EXPECT_TRUE(req.accept_text(good));
  // The SELECT-first mode stays: the statement alone, ended by ";".
  LlmRequest plain;
  constrain_sql(kDemoDdl, "sqlite", false, &plain);
  EXPECT_TRUE(plain.stop_at_statement_end);
  EXPECT_TRUE(accepts(plain.grammar, "SELECT region FROM stores;"));
  EXPECT_FALSE(accepts(plain.grammar, good));
}

// ClickHouse 18.16's reading: backquotes and backslash escapes, [..] arrays,
// UNION ALL only; none of what it lacks (CTEs, INTERSECT, ILIKE, ::).
TEST_F(SqlGrammarTest, ClickhouseDialect) {
  std::string g = build_sql_grammar(demo_tables(), {.dialect = "clickhouse"});
  for (const char* sql :
       {"SELECT toYear(sale_date) AS y, sum(amount) FROM sales GROUP BY y ORDER BY y LIMIT 5;",
        "SELECT `store_name` FROM stores WHERE region = 'it\\'s' OR region = 'a''b';",
        "SELECT has([1, 2], store_id) FROM stores;", "SELECT count() FROM sales UNION ALL SELECT count() FROM stores;",
        "SELECT region FROM stores WHERE lowerUTF8(region) LIKE lowerUTF8('%n%');"}) {
    EXPECT_TRUE(accepts(g, sql)) << sql;
  }
  for (const char* sql : {"WITH x AS (SELECT 1) SELECT * FROM x;", "SELECT 1 UNION SELECT 2;",
                          "SELECT store_id::int FROM stores;", "SELECT region FROM stores WHERE region ILIKE 'n%';",
                          "SELECT 1 INTERSECT SELECT 2;", "SELECT 'unterminated\\';"}) {
    EXPECT_FALSE(accepts(g, sql)) << sql;
  }
  // The scope checker reads the same text as ClickHouse does, and knows its functions.
  SqlScopeChecker checker(demo_tables(), "clickhouse");
  for (const char* sql : {"SELECT store_name FROM stores WHERE region = 'it\\'s';",
                          "SELECT toYear(sale_date), sum(amount) FROM sales GROUP BY toYear(sale_date);"}) {
    auto verdict = checker.check(sql, true);
    EXPECT_TRUE(verdict.ok) << sql << ": " << verdict.message;
  }
  EXPECT_FALSE(checker.check("SELECT no_such_column FROM stores;", true).ok);
}

}  // namespace
}  // namespace t2sql
