#include "db/duckdb_database.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "t2sql/database.h"
#include "t2sql/demo.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("t2sql-duckdb-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The DuckDB demo warehouse, built once per test program.
const std::string& demo_duckdb() {
  static const std::string path = [] {
    std::string p = temp_path("demo.duckdb");
    auto made = create_demo_warehouse(DemoTarget{"duckdb", p, true});
    EXPECT_TRUE(made.ok()) << made.status().to_string();
    return p;
  }();
  return path;
}

std::unique_ptr<Database> open_demo() {
  auto db = Database::open("duckdb://" + demo_duckdb());
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return db.ok() ? std::move(*db) : nullptr;
}

TEST(DuckdbDatabase, OpensByUriAndByExtensionAndAnswersQueries) {
  auto by_uri = open_demo();
  ASSERT_TRUE(by_uri);
  EXPECT_EQ(by_uri->engine(), "duckdb");
  auto by_path = Database::open(demo_duckdb());
  ASSERT_TRUE(by_path.ok()) << by_path.status().to_string();
  EXPECT_EQ((*by_path)->engine(), "duckdb");
  auto rows = by_uri->execute("SELECT count(*) AS n, min(sale_date) AS first, max(amount) AS top FROM sales", {});
  ASSERT_TRUE(rows.ok()) << rows.status().to_string();
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_GT(rows->rows[0][0].as_double(), 50000);
  EXPECT_EQ(rows->column_types[0], ValueType::kInteger);
  EXPECT_EQ(rows->rows[0][1].type, ValueType::kDate);
  EXPECT_EQ(rows->rows[0][1].to_string(), "2023-01-01");
  EXPECT_EQ(rows->rows[0][2].type, ValueType::kReal);  // DECIMAL(12,2)
}

TEST(DuckdbDatabase, TypedResultsCoverDuckdbTypes) {
  auto db = Database::open("duckdb://:memory:");
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  auto rows = (*db)->execute(
      "SELECT true AS b, 7::TINYINT AS i8, 123456789012::BIGINT AS i64, "
      "170141183460469231731687303715884105727::HUGEINT AS big, "
      "1.5::FLOAT AS f, 12.99::DECIMAL(12,2) AS d, 'hello world, a long string' AS s, DATE '2024-02-29' AS dt, "
      "TIMESTAMP '2024-02-29 13:45:01.25' AS ts, TIME '08:30:00' AS t, NULL AS n, [1, 2, 3] AS list, "
      "{'a': 1} AS st, INTERVAL 3 DAY AS iv",
      {});
  ASSERT_TRUE(rows.ok()) << rows.status().to_string();
  const auto& r = rows->rows.at(0);
  EXPECT_EQ(r[0], Value::boolean(true));
  EXPECT_EQ(r[1], Value::integer(7));
  EXPECT_EQ(r[2], Value::integer(123456789012));
  EXPECT_EQ(r[3].type, ValueType::kReal);  // beyond int64
  EXPECT_DOUBLE_EQ(r[4].as_double(), 1.5);
  EXPECT_EQ(r[5], Value::real(12.99));
  EXPECT_EQ(r[6], Value::text("hello world, a long string"));
  EXPECT_EQ(r[7], Value::text("2024-02-29", ValueType::kDate));
  EXPECT_EQ(r[8], Value::text("2024-02-29 13:45:01.250000", ValueType::kTimestamp));
  EXPECT_EQ(r[9].to_string(), "08:30:00");
  EXPECT_TRUE(r[10].is_null());
  // Nested and interval values come back as DuckDB's own text, names kept.
  EXPECT_EQ(rows->columns[11], "list");
  EXPECT_EQ(r[11].to_string(), "[1, 2, 3]");
  EXPECT_EQ(r[12].to_string(), "{'a': 1}");
  EXPECT_EQ(r[13].to_string(), "3 days");
}

TEST(DuckdbDatabase, CatalogHasKeysCountsAndSamples) {
  auto db = open_demo();
  ASSERT_TRUE(db);
  auto cat = db->catalog({});
  ASSERT_TRUE(cat.ok()) << cat.status().to_string();
  EXPECT_EQ(cat->engine, "duckdb");
  ASSERT_EQ(cat->tables.size(), 5u);
  const TableInfo* sales = cat->find_table("sales");
  ASSERT_NE(sales, nullptr);
  EXPECT_EQ(sales->primary_key, std::vector<std::string>{"sale_id"});
  ASSERT_EQ(sales->foreign_keys.size(), 2u);
  EXPECT_EQ(sales->foreign_keys[0].ref_table, "stores");
  EXPECT_EQ(sales->foreign_keys[0].columns, std::vector<std::string>{"store_id"});
  EXPECT_EQ(sales->foreign_keys[0].ref_columns, std::vector<std::string>{"store_id"});
  EXPECT_GT(sales->row_count, 50000);
  const ColumnInfo* date = sales->find_column("sale_date");
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(date->type, ValueType::kDate);
  EXPECT_FALSE(date->nullable);
  EXPECT_EQ(date->samples.size(), 3u);
  EXPECT_EQ(date->description, "Date of the sale");  // COMMENT ON COLUMN in the file
  EXPECT_EQ(sales->description, "One row per sale (receipt line) in 2023 and 2024");
  const TableInfo* active = cat->find_table("active_store");
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->primary_key, (std::vector<std::string>{"month", "store_id"}));
  EXPECT_NE(cat->to_ddl().find("REFERENCES"), std::string::npos);
}

TEST(DuckdbDatabase, RefusesEveryWriteAndLeavesTheFileUnchanged) {
  auto db = open_demo();
  ASSERT_TRUE(db);
  std::string before = file_bytes(demo_duckdb());
  const char* kWrites[] = {
      "INSERT INTO brands VALUES (99, 'X')",
      "UPDATE sales SET amount = 0",
      "DELETE FROM sales",
      "DROP TABLE sales",
      "CREATE TABLE t AS SELECT 1",
      "SELECT * INTO copy_of_sales FROM sales",
      "COPY sales TO '/tmp/t2sql-duckdb-copy.csv'",
      "ATTACH '/tmp/t2sql-other.duckdb' AS other",
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT 1; DROP TABLE sales",
      "PRAGMA enable_profiling",
      "SET threads = 1",
      "CHECKPOINT",
      "INSTALL httpfs",
      "WITH d AS (DELETE FROM sales RETURNING *) SELECT count(*) FROM d",
  };
  for (const char* sql : kWrites) {
    auto r = db->execute(sql, {});
    EXPECT_FALSE(r.ok()) << sql;
    EXPECT_FALSE(r.status().message().empty());
    EXPECT_FALSE(db->validate(sql).ok()) << sql;
  }
  auto count = db->execute("SELECT count(*) FROM brands", {});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0][0], Value::integer(15));
  db.reset();
  EXPECT_EQ(file_bytes(demo_duckdb()), before);
  EXPECT_FALSE(fs::exists("/tmp/t2sql-duckdb-copy.csv"));
}

TEST(DuckdbDatabase, RunawayQueryIsInterruptedAtItsTimeout) {
  auto db = open_demo();
  ASSERT_TRUE(db);
  auto start = std::chrono::steady_clock::now();
  auto r = db->execute("SELECT count(*) FROM sales a, sales b WHERE a.amount + b.amount < 0", {.timeout_ms = 400});
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().to_string();
  EXPECT_LT(ms, 400 * 1.5);
  // The connection stays usable after an interrupt.
  auto next = db->execute("SELECT 42", {});
  ASSERT_TRUE(next.ok()) << next.status().to_string();
  EXPECT_EQ(next->rows[0][0], Value::integer(42));
}

TEST(DuckdbDatabase, RowCapTruncates) {
  auto db = open_demo();
  ASSERT_TRUE(db);
  auto r = db->execute("SELECT sale_id FROM sales ORDER BY sale_id", {.max_rows = 5000});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->rows.size(), 5000u);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->rows[4999][0], Value::integer(5000));
  auto all = db->execute("SELECT * FROM brands", {.max_rows = 15});
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->truncated);
}

TEST(DuckdbDatabase, ValidateUsesDuckdbsPlanner) {
  auto db = open_demo();
  ASSERT_TRUE(db);
  EXPECT_TRUE(db->validate("SELECT region, count(*) FROM stores GROUP BY region").ok());
  Status bad = db->validate("SELECT no_such_column FROM stores");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("no_such_column"), std::string::npos) << bad.message();
  EXPECT_FALSE(db->validate("SELEC 1").ok());
}

TEST(DuckdbDatabase, BadFilesGiveClearErrors) {
  auto missing = Database::open("duckdb:///nonexistent/x.duckdb");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  std::string text = temp_path("not-a-db.duckdb");
  std::ofstream(text) << "this is not a database, just some text that is long enough";
  auto not_db = Database::open(text);
  ASSERT_FALSE(not_db.ok());
  EXPECT_EQ(not_db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_db.status().message().find("not a usable DuckDB database"), std::string::npos);
  // A real header and damaged pages after it.
  std::string corrupt = temp_path("corrupt.duckdb");
  std::string bytes = file_bytes(demo_duckdb());
  for (size_t i = 4096; i < bytes.size() && i < 4096 * 64; ++i) bytes[i] = static_cast<char>(i * 31);
  std::ofstream(corrupt, std::ios::binary) << bytes;
  std::string corrupt_before = file_bytes(corrupt);
  auto damaged = Database::open(corrupt);
  if (damaged.ok()) {
    auto r = (*damaged)->execute("SELECT sum(amount) FROM sales", {});
    EXPECT_FALSE(r.ok());
  } else {
    EXPECT_EQ(damaged.status().code(), StatusCode::kInvalidArgument) << damaged.status().to_string();
  }
  EXPECT_EQ(file_bytes(corrupt), corrupt_before);
  auto dir = Database::open("duckdb://" + fs::temp_directory_path().string());
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);
  auto empty = Database::open("duckdb://");
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
}

TEST(DuckdbDatabase, DemoIsTheSameRowsAsSqlite) {
  std::string sqlite_path = temp_path("demo.db");
  ASSERT_TRUE(create_demo_warehouse(sqlite_path, true).ok());
  auto sqlite = Database::open(sqlite_path);
  auto duck = open_demo();
  ASSERT_TRUE(sqlite.ok() && duck);
  for (const char* sql : {"SELECT count(*), sum(quantity), sum(store_id * product_id) FROM sales",
                          "SELECT store_name, region, city, opened_on, closed_on FROM stores ORDER BY store_id",
                          "SELECT product_name, category, brand_id, unit_price FROM products ORDER BY product_id",
                          "SELECT month, store_id FROM active_store ORDER BY month, store_id"}) {
    auto a = (*sqlite)->execute(sql, {.max_rows = 0});
    auto b = duck->execute(sql, {.max_rows = 0});
    ASSERT_TRUE(a.ok() && b.ok()) << sql;
    ASSERT_EQ(a->rows.size(), b->rows.size()) << sql;
    for (size_t i = 0; i < a->rows.size(); ++i) {
      for (size_t c = 0; c < a->rows[i].size(); ++c) {
        EXPECT_EQ(a->rows[i][c].to_string(), b->rows[i][c].to_string()) << sql << " row " << i;
      }
    }
  }
}

}  // namespace
}  // namespace t2sql
