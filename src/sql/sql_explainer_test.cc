#include "sql/sql_explainer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace t2sql {
namespace {

std::string explain(const std::string& sql) {
  return explain_sql(sql);
}

TEST(SqlExplainer, AggregateWithJoinYearGroupOrderAndLimit) {
  EXPECT_EQ(explain("SELECT st.region, SUM(s.amount) AS total FROM sales s JOIN stores st USING (store_id) "
                    "WHERE strftime('%Y', s.sale_date) = '2024' GROUP BY st.region ORDER BY total DESC LIMIT 5"),
            "Adds up sales.amount from sales joined with stores on store_id, in 2024, per region, highest first, "
            "top 5.");
}

TEST(SqlExplainer, PlainListsAndFilters) {
  EXPECT_EQ(explain("SELECT name, age FROM singer WHERE country = 'France' AND age > 30"),
            "Lists name and age from singer, where country is 'France' and age is above 30.");
  EXPECT_EQ(explain("SELECT * FROM stores"), "Lists every column from stores.");
  EXPECT_EQ(explain("SELECT DISTINCT city FROM stores ORDER BY city"),
            "Lists the distinct city from stores, sorted by city.");
  EXPECT_EQ(explain("SELECT COUNT(*) FROM singer"), "Counts the rows from singer.");
  EXPECT_EQ(explain("select count(distinct brand_id) from products;"), "Counts distinct brand_id from products.");
}

TEST(SqlExplainer, ConditionsReadAsWords) {
  EXPECT_EQ(explain("SELECT name FROM t WHERE name LIKE '%son%' OR name LIKE 'A%'"),
            "Lists name from t, where either name contains 'son' or name starts with 'A'.");
  EXPECT_EQ(explain("SELECT name FROM t WHERE age BETWEEN 20 AND 30 AND city IN ('Paris', 'Rome')"),
            "Lists name from t, where age is between 20 and 30 and city is one of 'Paris' or 'Rome'.");
  EXPECT_EQ(explain("SELECT name FROM t WHERE email IS NULL AND phone IS NOT NULL"),
            "Lists name from t, where email is missing and phone is present.");
  EXPECT_EQ(explain("SELECT id FROM t WHERE d >= '2024-01-01' AND d < '2025-01-01'"),
            "Lists id from t, where d is on or after '2024-01-01' and d is before '2025-01-01'.");
  EXPECT_EQ(explain("SELECT SUM(amount) FROM sales WHERE CAST(EXTRACT(YEAR FROM sale_date) AS INTEGER) >= 2023"),
            "Adds up amount from sales, in 2023 or later.");
  EXPECT_EQ(explain("SELECT AVG(price) FROM products WHERE NOT (price < 10)"),
            "Averages price from products, where not (price is below 10).");
}

TEST(SqlExplainer, GroupsHavingAndTimeBuckets) {
  EXPECT_EQ(explain("SELECT city, COUNT(*) FROM stores GROUP BY city HAVING COUNT(*) > 2 ORDER BY COUNT(*) DESC"),
            "Counts the rows from stores, per city, keeping the groups where the number of rows is above 2, "
            "highest first.");
  EXPECT_EQ(explain("SELECT strftime('%Y-%m', sale_date) AS month, SUM(amount) FROM sales GROUP BY 1 ORDER BY 1"),
            "Adds up amount from sales, per month, sorted by the month of sale_date.");
  EXPECT_EQ(explain("SELECT region, AVG(amount), MAX(amount) FROM sales GROUP BY region"),
            "Averages amount and finds the highest amount from sales, per region.");
}

TEST(SqlExplainer, JoinsOfEveryKind) {
  EXPECT_EQ(explain("SELECT s.name, c.title FROM singer s LEFT JOIN concert c ON s.id = c.singer_id"),
            "Lists singer.name and concert.title from singer joined with concert (keeping rows with no match in "
            "concert) on singer.id = concert.singer_id.");
  EXPECT_EQ(explain("SELECT a.x FROM a, b WHERE a.id = b.id"),
            "Lists a.x from a paired with every row of b, where a.id is b.id.");
  EXPECT_EQ(explain("SELECT p.name FROM products p INNER JOIN brands b ON p.brand_id = b.brand_id"),
            "Lists products.name from products joined with brands on brand_id.");
}

TEST(SqlExplainer, Subqueries) {
  EXPECT_EQ(explain("SELECT name FROM products WHERE price > (SELECT AVG(price) FROM products)"),
            "Lists name from products, where price is above the average price of products.");
  EXPECT_EQ(explain("SELECT name FROM stores WHERE store_id NOT IN (SELECT store_id FROM sales)"),
            "Lists name from stores, where store_id is not among the store_id of sales.");
  EXPECT_EQ(explain("SELECT name FROM stores s WHERE EXISTS (SELECT 1 FROM sales x WHERE x.store_id = s.store_id)"),
            "Lists name from stores, where there is a row in sales, where sales.store_id is stores.store_id.");
  EXPECT_EQ(explain("SELECT COUNT(*) FROM (SELECT DISTINCT city FROM stores)"),
            "Counts the rows from the result of a subquery that lists the distinct city from stores.");
}

TEST(SqlExplainer, SetOperations) {
  EXPECT_EQ(explain("SELECT name FROM singer UNION SELECT name FROM actor"),
            "Combines the rows of 2 queries, without duplicates: (1) lists name from singer; (2) lists name from "
            "actor.");
  EXPECT_EQ(explain("SELECT id FROM a INTERSECT SELECT id FROM b"),
            "Keeps the rows that both of 2 queries return: (1) lists id from a; (2) lists id from b.");
  EXPECT_EQ(explain("SELECT id FROM a EXCEPT SELECT id FROM b ORDER BY id LIMIT 3"),
            "Keeps the rows of the first query that the second does not return: (1) lists id from a; (2) lists id "
            "from b, sorted by id, first 3.");
  EXPECT_EQ(explain("SELECT x FROM a UNION ALL SELECT x FROM b"),
            "Puts together the rows of 2 queries, duplicates kept: (1) lists x from a; (2) lists x from b.");
}

TEST(SqlExplainer, CommonTableExpressions) {
  EXPECT_EQ(explain("WITH t AS (SELECT store_id, SUM(amount) AS total FROM sales GROUP BY store_id) "
                    "SELECT MAX(total) FROM t"),
            "First builds t, which adds up amount from sales, per store_id. Then finds the highest total from t.");
}

TEST(SqlExplainer, OrderAndLimitWording) {
  EXPECT_EQ(explain("SELECT name FROM products ORDER BY price LIMIT 1"),
            "Lists name from products, sorted by price, only the first row.");
  EXPECT_EQ(explain("SELECT name FROM products ORDER BY price DESC LIMIT 3 OFFSET 3"),
            "Lists name from products, sorted by price (descending), top 3, skipping the first 3.");
  EXPECT_EQ(explain("SELECT name FROM products LIMIT 10"), "Lists name from products, at most 10 rows.");
}

TEST(SqlExplainer, DeterministicAndNeverEmptyForAStatement) {
  std::string sql =
      "SELECT b.brand_name, SUM(s.amount) FROM sales s JOIN products p ON s.product_id = p.product_id "
      "JOIN brands b ON p.brand_id = b.brand_id GROUP BY 1 ORDER BY 2 DESC LIMIT 5";
  EXPECT_EQ(explain(sql), explain(sql));
  EXPECT_EQ(explain(sql),
            "Adds up sales.amount from sales joined with products on product_id joined with brands on brand_id, per "
            "brand_name, highest first, top 5.");
  // Text the parser does not follow still names its tables.
  EXPECT_EQ(explain("FROM t SELECT a"), "Runs a read-only query over t.");
  EXPECT_EQ(explain("SELECT a FROM t JOIN u ON ((t.id = u.id)"), "Runs a read-only query over t and u.");
  EXPECT_EQ(explain("SELECT 'unterminated"), "The statement could not be read: unterminated string at offset 7.");
  EXPECT_EQ(explain(""), "");
  EXPECT_EQ(explain("VALUES (1, 2)"), "Lists the rows written in the statement (VALUES).");
}

bool fell_back(const std::string& explanation) {
  return explanation.rfind("Runs a read-only query", 0) == 0 || explanation.rfind("The statement could not", 0) == 0;
}

// Every statement of the demo suite is parsed, not just named.
TEST(SqlExplainer, ExplainsEveryDemoSuiteStatement) {
  std::ifstream in(std::string(T2SQL_SOURCE_DIR) + "/data/suites/demo.jsonl");
  ASSERT_TRUE(in) << "data/suites/demo.jsonl";
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::string sql = nlohmann::json::parse(line)["sql"];
    std::string e = explain(sql);
    EXPECT_FALSE(fell_back(e)) << sql << "\n -> " << e;
    EXPECT_EQ(e.back(), '.') << e;
    ++n;
  }
  EXPECT_GT(n, 100u);
}

// Spider's training SQL (many schemas, hand-written queries): nearly all parse.
TEST(SqlExplainer, ExplainsSpiderTrainStatements) {
  const char* env = std::getenv("T2SQL_SHARED_DIR");
  std::string path =
      (env && *env ? std::string(env) : std::string(T2SQL_SOURCE_DIR) + "/../shared") + "/data/spider-train/train.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no Spider train at " << path;
  std::ifstream in(path);
  auto cases = nlohmann::json::parse(in);
  size_t parsed = 0;
  std::string first_failure;
  for (const auto& c : cases) {
    std::string e = explain(c["query"].get<std::string>());
    if (!fell_back(e))
      ++parsed;
    else if (first_failure.empty())
      first_failure = c["query"];
  }
  double rate = static_cast<double>(parsed) / static_cast<double>(cases.size());
  EXPECT_GE(rate, 0.99) << parsed << " of " << cases.size() << "; e.g. " << first_failure;
}

}  // namespace
}  // namespace t2sql
