#include "db/sqlite_database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "t2sql/demo.h"
#include "testing/scratch_sqlite.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("t2sql-db-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A small database written with SQLite directly, with a shape the tests control.
std::string make_small_db() {
  static const std::string path = [] {
    std::string p = temp_path("small.db");
    fs::remove(p);
    EXPECT_EQ(testing::write_sqlite(
                  p,
                  "CREATE TABLE owner (id INTEGER PRIMARY KEY, name TEXT);"
                  "CREATE TABLE pet (pet_id INTEGER, owner_id INTEGER REFERENCES owner, kind VARCHAR(10), "
                  "weight REAL, born DATE, PRIMARY KEY (pet_id));"
                  "INSERT INTO owner VALUES (1, 'Ann'), (2, 'Bo');"
                  "INSERT INTO pet VALUES (1, 1, 'cat', 4.5, '2020-01-02'), (2, 1, 'dog', 20, '2019-05-06'),"
                  " (3, 2, NULL, NULL, NULL);"),
              "");
    return p;
  }();
  return path;
}

std::unique_ptr<Database> open_ok(const std::string& path) {
  auto db = Database::open(path);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(SqliteDatabase, OpensByPathAndUri) {
  std::string p = make_small_db();
  EXPECT_TRUE(Database::open(p).ok());
  EXPECT_TRUE(Database::open("sqlite://" + p).ok());  // absolute path gives sqlite:///...
  auto db = open_ok(p);
  EXPECT_EQ(db->engine(), "sqlite");
  EXPECT_EQ(db->uri(), "sqlite://" + fs::absolute(p).string());
}

TEST(SqliteDatabase, BadFilesGiveClearErrors) {
  auto missing = Database::open(temp_path("nope.db"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("does not exist"), std::string::npos);

  std::string text = temp_path("text.db");
  std::ofstream(text) << "hello, I am not a database\n";
  auto not_db = Database::open(text);
  EXPECT_EQ(not_db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_db.status().message().find("not an SQLite database"), std::string::npos);

  // A real header followed by garbage: the schema cannot be read.
  std::string corrupt = temp_path("corrupt.db");
  std::string bytes = slurp(make_small_db());
  for (size_t i = 100; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7919) & 0xff);
  std::ofstream(corrupt, std::ios::binary) << bytes;
  auto bad = Database::open(corrupt);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(corrupt), std::string::npos) << bad.status().message();

  EXPECT_EQ(Database::open("mysql://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Database::open("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Database::open(fs::temp_directory_path().string()).status().code(), StatusCode::kInvalidArgument);
}

TEST(SqliteDatabase, TypedResults) {
  auto db = open_ok(make_small_db());
  auto r = db->execute("SELECT pet_id, kind, weight, born, weight * 2 AS w2 FROM pet ORDER BY pet_id", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->columns, (std::vector<std::string>{"pet_id", "kind", "weight", "born", "w2"}));
  EXPECT_EQ(r->column_types[0], ValueType::kInteger);
  EXPECT_EQ(r->column_types[1], ValueType::kText);
  EXPECT_EQ(r->column_types[2], ValueType::kReal);
  EXPECT_EQ(r->column_types[3], ValueType::kDate);
  EXPECT_EQ(r->column_types[4], ValueType::kReal);  // inferred from the first non-null cell
  EXPECT_EQ(r->rows[0][1], Value::text("cat"));
  EXPECT_EQ(r->rows[0][3].type, ValueType::kDate);
  EXPECT_TRUE(r->rows[2][1].is_null());
  EXPECT_DOUBLE_EQ(r->rows[1][2].as_double(), 20.0);
}

TEST(SqliteDatabase, RowCap) {
  auto db = open_ok(make_small_db());
  auto r = db->execute("SELECT * FROM pet", {.max_rows = 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.size(), 2u);
  EXPECT_TRUE(r->truncated);
  auto all = db->execute("SELECT * FROM pet", {.max_rows = 3});
  EXPECT_FALSE(all->truncated);
}

TEST(SqliteDatabase, RefusesEveryWritePathAndLeavesTheFileUnchanged) {
  std::string p = make_small_db();
  std::string before = slurp(p);
  auto db = open_ok(p);
  for (const char* sql :
       {"INSERT INTO owner VALUES (3, 'Cy')", "UPDATE owner SET name = 'x'", "DELETE FROM pet", "DROP TABLE pet",
        "CREATE TABLE t (a)", "CREATE INDEX i ON pet(kind)", "ATTACH DATABASE '/tmp/t2sql-attack.db' AS a",
        "DETACH DATABASE main", "VACUUM", "VACUUM INTO '/tmp/t2sql-vacuum-copy.db'", "PRAGMA user_version = 7",
        "PRAGMA journal_mode = WAL", "REPLACE INTO owner VALUES (1, 'Z')", "REINDEX", "ANALYZE",
        "SELECT 1; DELETE FROM pet", "SELECT load_extension('/tmp/x.so')", "BEGIN", "SAVEPOINT a"}) {
    Status s = db->validate(sql);
    EXPECT_FALSE(s.ok()) << sql;
    auto r = db->execute(sql, {});
    EXPECT_FALSE(r.ok()) << sql;
  }
  EXPECT_FALSE(fs::exists("/tmp/t2sql-vacuum-copy.db"));
  db.reset();
  EXPECT_EQ(slurp(p), before);
}

TEST(SqliteDatabase, TimeoutInterruptsARunawayQuery) {
  auto db = open_ok(make_small_db());
  auto start = std::chrono::steady_clock::now();
  auto r = db->execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
                       {.timeout_ms = 1000});
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(ms, 1500);  // the bound: 1.5x the timeout
  // The connection stays usable afterwards.
  EXPECT_TRUE(db->execute("SELECT 1", {}).ok());
}

TEST(SqliteDatabase, ValidateDoesNotRun) {
  auto db = open_ok(make_small_db());
  EXPECT_TRUE(db->validate("SELECT * FROM pet").ok());
  Status s = db->validate("SELECT nope FROM pet");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no such column"), std::string::npos);
}

TEST(SqliteDatabase, CatalogHasKeysCountsAndSamples) {
  auto db = open_ok(make_small_db());
  auto cat = db->catalog({});
  ASSERT_TRUE(cat.ok()) << cat.status().to_string();
  ASSERT_EQ(cat->tables.size(), 2u);
  const TableInfo* pet = cat->find_table("PET");
  ASSERT_NE(pet, nullptr);
  EXPECT_EQ(pet->row_count, 3);
  EXPECT_EQ(pet->primary_key, std::vector<std::string>{"pet_id"});
  ASSERT_EQ(pet->foreign_keys.size(), 1u);
  EXPECT_EQ(pet->foreign_keys[0].ref_table, "owner");
  EXPECT_EQ(pet->foreign_keys[0].ref_columns, std::vector<std::string>{"id"});  // implicit: owner's key
  const ColumnInfo* kind = pet->find_column("kind");
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->declared_type, "VARCHAR(10)");
  EXPECT_EQ(kind->samples, (std::vector<std::string>{"cat", "dog"}));
  std::string ddl = cat->to_ddl();
  EXPECT_NE(ddl.find("FOREIGN KEY (owner_id) REFERENCES owner (id)"), std::string::npos) << ddl;
  std::vector<std::string> only = {"kind"};
  EXPECT_EQ(table_ddl(*pet, &only), "CREATE TABLE pet (\n  kind VARCHAR(10)\n);");
}

std::vector<std::string> folder(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void exec(sqlite3* db, const char* sql) {
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
}

TEST(SqliteDatabase, WalFilesAreReadWithoutCreatingFilesBesideThem) {
  std::string dir = temp_path("wal");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = dir + "/w.db";
  // Closed, so checkpointed: no -wal file is left.
  ASSERT_EQ(testing::write_sqlite(path, "PRAGMA journal_mode=WAL; CREATE TABLE t (a); INSERT INTO t VALUES (1), (2);"),
            "");
  ASSERT_EQ(folder(dir), std::vector<std::string>{"w.db"});
  {
    auto db = SqliteDatabase::open_file(path);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    auto r = (*db)->execute("SELECT count(*) FROM t", {});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->rows[0][0], Value::integer(2));
    EXPECT_EQ(folder(dir), std::vector<std::string>{"w.db"}) << "no -wal/-shm beside a WAL file";
  }
  // A writer holds commits in the -wal file (with its -shm): read as they are.
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  exec(writer, "PRAGMA wal_autocheckpoint=0; INSERT INTO t VALUES (3);");
  auto with_wal = folder(dir);
  {
    auto db = SqliteDatabase::open_file(path);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    auto r = (*db)->execute("SELECT count(*) FROM t", {});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->rows[0][0], Value::integer(3));
  }
  EXPECT_EQ(folder(dir), with_wal);
  // A -wal file without its -shm: refused, saying why.
  std::string copy_dir = temp_path("wal-copy");
  fs::remove_all(copy_dir);
  fs::create_directories(copy_dir);
  fs::copy_file(path, copy_dir + "/w.db");
  fs::copy_file(path + "-wal", copy_dir + "/w.db-wal");
  sqlite3_close(writer);
  auto refused = SqliteDatabase::open_file(copy_dir + "/w.db");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("no -shm file"), std::string::npos) << refused.status().message();
  EXPECT_EQ(folder(copy_dir), (std::vector<std::string>{"w.db", "w.db-wal"}));
}

TEST(SqliteDatabase, AWalFileOpenedWithoutCommitsInItsWalSeesLaterCommits) {
  std::string dir = temp_path("wal-later");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = dir + "/w.db";
  ASSERT_EQ(testing::write_sqlite(path, "PRAGMA journal_mode=WAL; CREATE TABLE t (a); INSERT INTO t VALUES (1), (2);"),
            "");
  ASSERT_EQ(folder(dir), std::vector<std::string>{"w.db"});
  auto db = SqliteDatabase::open_file(path);  // immutable: the -wal file is absent
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  auto count = [&]() -> int64_t {
    auto r = (*db)->execute("SELECT count(*) FROM t", {});
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() && r->rows[0][0].type == ValueType::kInteger ? std::get<int64_t>(r->rows[0][0].data) : -1;
  };
  EXPECT_EQ(count(), 2);
  // Another process commits and goes, its commit checkpointed into the main
  // file (no -wal file is left): seen.
  ASSERT_EQ(testing::write_sqlite(path, "INSERT INTO t VALUES (3);"), "");
  ASSERT_EQ(folder(dir), std::vector<std::string>{"w.db"});
  EXPECT_EQ(count(), 3);
  // Another commits into the -wal file and stays (it keeps the -shm): seen.
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  exec(writer, "PRAGMA wal_autocheckpoint=0; INSERT INTO t VALUES (33);");
  EXPECT_EQ(count(), 4);
  exec(writer, "INSERT INTO t VALUES (4);");
  EXPECT_EQ(count(), 5);
  // The writer goes, another comes and commits: still seen.
  sqlite3_close(writer);
  EXPECT_EQ(count(), 5);
  ASSERT_EQ(testing::write_sqlite(path, "INSERT INTO t VALUES (5);"), "");
  EXPECT_EQ(count(), 6);
  // The reader made no file: those beside the database are the writers'.
  auto before_close = folder(dir);
  db->reset();
  EXPECT_EQ(folder(dir), before_close);
}

TEST(SqliteDatabase, AuthorizerRefusesFunctionsOffTheAllowListInsideViews) {
  std::string path = temp_path("views.db");
  fs::remove(path);
  ASSERT_EQ(testing::write_sqlite(path,
                                  "CREATE TABLE t (a); INSERT INTO t VALUES (1);"
                                  "CREATE VIEW blob_view AS SELECT zeroblob(1000) AS z FROM t;"
                                  "CREATE VIEW tokenizer_view AS SELECT fts3_tokenizer('simple') AS p FROM t;"
                                  "CREATE VIEW fine_view AS SELECT upper('x') || a AS v FROM t;"),
            "");
  auto db = SqliteDatabase::open_file(path);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  // The statement guard sees no call; SQLite reports the view's calls to the authorizer.
  for (const char* sql : {"SELECT * FROM blob_view", "SELECT * FROM tokenizer_view"}) {
    auto r = (*db)->execute(sql, {});
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().to_string();
  }
  auto fine = (*db)->execute("SELECT * FROM fine_view", {});
  ASSERT_TRUE(fine.ok()) << fine.status().to_string();
  EXPECT_EQ(fine->rows[0][0], Value::text("X1"));
  // SQLite's date keywords are calls for the authorizer: "orders placed
  // before today" must run.
  auto today = (*db)->execute("SELECT CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP FROM t WHERE a < 2", {});
  ASSERT_TRUE(today.ok()) << today.status().to_string();
  EXPECT_EQ(today->rows.size(), 1u);
}

TEST(SqliteDatabase, ValueAndResultCapsStopGrowth) {
  auto db = SqliteDatabase::open_file(make_small_db());
  ASSERT_TRUE(db.ok());
  auto big = (*db)->execute(
      "WITH RECURSIVE r(s, n) AS (SELECT 'x', 0 UNION ALL SELECT s || s, n + 1 FROM r WHERE n < 30) SELECT s FROM r",
      {.max_value_bytes = 1 << 20});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted) << big.status().to_string();
  EXPECT_NE(big.status().message().find("1 MiB cap on one value"), std::string::npos) << big.status().message();
  auto many = (*db)->execute(
      "WITH RECURSIVE r(s, n) AS (SELECT 'x', 0 UNION ALL SELECT s || 'x', n + 1 FROM r WHERE n < 5000) SELECT s FROM "
      "r",
      {.max_rows = 0, .max_result_bytes = 1 << 20});
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.status().message().find("cap on one answer"), std::string::npos) << many.status().message();
  // Within the caps, the same statement answers.
  EXPECT_TRUE(
      (*db)
          ->execute("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) SELECT n FROM r",
                    {.max_result_bytes = 1 << 20})
          .ok());
}

TEST(DemoWarehouse, IsDeterministicAndRealistic) {
  std::string a = temp_path("demo-a.db"), b = temp_path("demo-b.db");
  auto sa = create_demo_warehouse(a, true);
  auto sb = create_demo_warehouse(b, true);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_GT(sa->sales, 80000);
  EXPECT_LT(sa->sales, 150000);
  EXPECT_EQ(sa->sales, sb->sales);
  auto da = open_ok(a), dbb = open_ok(b);
  const char* digest =
      "SELECT count(*), sum(amount), min(sale_date), max(sale_date), sum(store_id * quantity) FROM sales";
  auto ra = da->execute(digest, {}), rb = dbb->execute(digest, {});
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->rows, rb->rows);
  EXPECT_EQ(ra->rows[0][2].to_string(), "2023-01-01");
  EXPECT_EQ(ra->rows[0][3].to_string(), "2024-12-31");
  // Every sale happens while its store is open, and the store is active that month.
  auto orphan = da->execute(
      "SELECT count(*) FROM sales s JOIN stores st USING (store_id) WHERE s.sale_date < st.opened_on "
      "OR (st.closed_on IS NOT NULL AND s.sale_date > st.closed_on) OR NOT EXISTS (SELECT 1 FROM active_store a "
      "WHERE a.store_id = s.store_id AND a.month = substr(s.sale_date, 1, 8) || '01')",
      {});
  ASSERT_TRUE(orphan.ok()) << orphan.status().to_string();
  EXPECT_EQ(orphan->rows[0][0].as_double(), 0);
  for (const auto& q : demo_example_queries()) {
    auto r = da->execute(q.sql, {});
    ASSERT_TRUE(r.ok()) << q.sql << ": " << r.status().to_string();
    EXPECT_FALSE(r->rows.empty()) << q.question;
  }
  EXPECT_FALSE(create_demo_warehouse(a, false).ok());  // no silent overwrite
}

}  // namespace
}  // namespace t2sql
