// PostgresDatabase, ConnectionPool and the dump loader against the real
// PostgreSQL server that tests/postgres/pg_fixture.sh starts.
#include "db/postgres_database.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "db/connection_pool.h"
#include "t2sql/database.h"
#include "testing/pg_test_env.h"
#include "testing/temp_path.h"
#include "tools/eval/postgres_loader.h"

namespace t2sql {
namespace {

using testing::pg_env;

std::unique_ptr<Database> open_reader() {
  auto db = Database::open(pg_env("T2SQL_TEST_PG_URI"));
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return db.ok() ? std::move(*db) : nullptr;
}

// A role that may UPDATE by privilege, opened anyway: what stops its writes
// is the guard and the read-only session.
std::unique_ptr<Database> open_writer() {
  auto db = Database::open(pg_env("T2SQL_TEST_PG_WRITER_URI"), {.allow_privileged_role = true});
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return db.ok() ? std::move(*db) : nullptr;
}

TEST(PostgresDatabase, RefusesPrivilegedRolesUnlessAllowed) {
  auto reader = Database::open(pg_env("T2SQL_TEST_PG_URI"));
  EXPECT_TRUE(reader.ok()) << "the README's read-only role must pass: " << reader.status().to_string();
  auto writer = Database::open(pg_env("T2SQL_TEST_PG_WRITER_URI"));
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(writer.status().message().find("can write to"), std::string::npos) << writer.status().message();
  EXPECT_NE(writer.status().message().find("--allow-privileged-role"), std::string::npos);
  EXPECT_EQ(writer.status().message().find("writer-"), std::string::npos) << "no password";
  auto admin = Database::open(pg_env("T2SQL_TEST_PG_ADMIN_URI"));
  ASSERT_FALSE(admin.ok());
  EXPECT_NE(admin.status().message().find("superuser"), std::string::npos) << admin.status().message();
  EXPECT_TRUE(Database::open(pg_env("T2SQL_TEST_PG_ADMIN_URI"), {.allow_privileged_role = true}).ok());
  // A role that may execute dblink is privileged too (the reader's recipe
  // and that grant: the fixture's own role for it).
  auto with_dblink = Database::open(pg_env("T2SQL_TEST_PG_DBLINK_URI"));
  ASSERT_FALSE(with_dblink.ok());
  EXPECT_NE(with_dblink.status().message().find("dblink_exec"), std::string::npos) << with_dblink.status().message();
}

TEST(PostgresDatabase, AnswersTypedQueries) {
  auto db = open_reader();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->engine(), "postgresql");
  EXPECT_EQ(db->uri().find("reader-"), std::string::npos) << "the password must not show: " << db->uri();
  auto r = db->execute(
      "SELECT count(*) AS n, min(sale_date) AS first, sum(amount) AS total, true AS yes, 1.5::float8 AS f, "
      "'x'::text AS s, NULL::int AS nothing, TIMESTAMP '2024-02-29 13:45:01' AS ts, '\\x00ff'::bytea AS b FROM sales",
      {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const auto& row = r->rows.at(0);
  EXPECT_EQ(row[0].type, ValueType::kInteger);
  EXPECT_GT(row[0].as_double(), 50000);
  EXPECT_EQ(row[1], Value::text("2023-01-01", ValueType::kDate));
  EXPECT_EQ(row[2].type, ValueType::kReal);
  EXPECT_EQ(row[3], Value::boolean(true));
  EXPECT_EQ(row[4], Value::real(1.5));
  EXPECT_EQ(row[5], Value::text("x"));
  EXPECT_TRUE(row[6].is_null());
  EXPECT_EQ(row[7], Value::text("2024-02-29 13:45:01", ValueType::kTimestamp));
  EXPECT_EQ(row[8], Value::text(std::string("\x00\xff", 2), ValueType::kBlob));
}

TEST(PostgresDatabase, CatalogHasKeysCountsSamplesAndComments) {
  auto db = open_reader();
  ASSERT_TRUE(db);
  auto cat = db->catalog({});
  ASSERT_TRUE(cat.ok()) << cat.status().to_string();
  EXPECT_EQ(cat->engine, "postgresql");
  const TableInfo* stores = cat->find_table("stores");
  ASSERT_NE(stores, nullptr);
  EXPECT_EQ(stores->description, "Shops of the chain");
  EXPECT_EQ(stores->primary_key, std::vector<std::string>{"store_id"});
  const ColumnInfo* region = stores->find_column("region");
  ASSERT_NE(region, nullptr);
  EXPECT_EQ(region->description, "Sales region the store reports to");
  EXPECT_EQ(region->samples.size(), 3u);
  EXPECT_FALSE(region->nullable);
  const TableInfo* sales = cat->find_table("sales");
  ASSERT_NE(sales, nullptr);
  EXPECT_GT(sales->row_count, 50000);
  ASSERT_EQ(sales->foreign_keys.size(), 2u);
  const TableInfo* active = cat->find_table("active_store");
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->primary_key, (std::vector<std::string>{"month", "store_id"}));
  const ColumnInfo* amount = sales->find_column("amount");
  ASSERT_NE(amount, nullptr);
  EXPECT_EQ(amount->type, ValueType::kReal);
  EXPECT_EQ(amount->declared_type, "numeric(12,2)");
}

TEST(PostgresDatabase, RefusesEveryWritePathAndNothingChanges) {
  auto db = open_writer();
  ASSERT_TRUE(db);
  std::string before = testing::pg_data_checksum();
  struct Attempt {
    const char* sql;
    StatusCode code;
  };
  const Attempt kAttempts[] = {
      {"INSERT INTO brands VALUES (99, 'X')", StatusCode::kPermissionDenied},
      {"UPDATE sales SET amount = 0", StatusCode::kPermissionDenied},
      {"DELETE FROM sales", StatusCode::kPermissionDenied},
      {"DROP TABLE sales", StatusCode::kPermissionDenied},
      {"CREATE TABLE t (x int)", StatusCode::kPermissionDenied},
      {"TRUNCATE sales", StatusCode::kPermissionDenied},
      {"SELECT * INTO sales_copy FROM sales", StatusCode::kPermissionDenied},
      {"COPY sales TO '/tmp/t2sql-pg-copy.csv'", StatusCode::kPermissionDenied},
      {"COPY brands FROM STDIN", StatusCode::kPermissionDenied},
      {"SELECT pg_read_file('/etc/passwd')", StatusCode::kPermissionDenied},
      {"SELECT pg_catalog.pg_read_binary_file('/etc/passwd')", StatusCode::kPermissionDenied},
      {"SELECT * FROM pg_ls_dir('.')", StatusCode::kPermissionDenied},
      {"SELECT lo_import('/etc/passwd')", StatusCode::kPermissionDenied},
      {"SELECT lo_create(0)", StatusCode::kPermissionDenied},
      {"SELECT \"lo_from_bytea\"(0, 'x')", StatusCode::kPermissionDenied},
      {"SELECT pg_terminate_backend(pg_backend_pid())", StatusCode::kPermissionDenied},
      {"SELECT pg_cancel_backend(1)", StatusCode::kPermissionDenied},
      {"SELECT set_config('default_transaction_read_only', 'off', false)", StatusCode::kPermissionDenied},
      {"SELECT nextval('order_numbers')", StatusCode::kPermissionDenied},
      {"SELECT setval('order_numbers', 99)", StatusCode::kPermissionDenied},
      {"SELECT * FROM dblink('dbname=postgres', 'DROP TABLE sales') AS t(x text)", StatusCode::kPermissionDenied},
      {"SELECT query_to_xml('DELETE FROM sales RETURNING 1', true, true, '')", StatusCode::kPermissionDenied},
      {"SELECT pg_advisory_lock(1)", StatusCode::kPermissionDenied},
      {"WITH d AS (DELETE FROM sales RETURNING *) SELECT count(*) FROM d", StatusCode::kPermissionDenied},
      {"SELECT * FROM sales FOR UPDATE", StatusCode::kPermissionDenied},
      {"SET default_transaction_read_only = off", StatusCode::kPermissionDenied},
      {"BEGIN", StatusCode::kPermissionDenied},
      {"SELECT 1; DROP TABLE sales", StatusCode::kInvalidArgument},
      {"SELECT 1; SELECT 2", StatusCode::kInvalidArgument},
      // User-defined functions are not on the guard's allow-list.
      {"SELECT touch_stores()", StatusCode::kPermissionDenied},
      {"SELECT definer_write()", StatusCode::kPermissionDenied},
  };
  for (const auto& attempt : kAttempts) {
    auto r = db->execute(attempt.sql, {});
    ASSERT_FALSE(r.ok()) << attempt.sql;
    EXPECT_EQ(r.status().code(), attempt.code) << attempt.sql << " -> " << r.status().to_string();
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << "one line: " << r.status().message();
    EXPECT_FALSE(db->validate(attempt.sql).ok()) << attempt.sql;
  }
  // The session is still healthy and still read-only.
  auto after = db->execute("SELECT setting AS ro FROM pg_settings WHERE name = 'default_transaction_read_only'", {});
  ASSERT_TRUE(after.ok()) << after.status().to_string();
  EXPECT_EQ(after->rows[0][0].to_string(), "on");
  EXPECT_EQ(testing::pg_data_checksum(), before);
}

TEST(PostgresDatabase, StatementTimeoutStopsRunawayQueries) {
  auto db = open_reader();
  ASSERT_TRUE(db);
  for (const char* sql : {"SELECT count(*) FROM generate_series(1, 1000000000)",
                          "SELECT count(*) FROM sales a, sales b WHERE a.amount + b.amount < 0"}) {
    auto start = std::chrono::steady_clock::now();
    auto r = db->execute(sql, {.timeout_ms = 1000});
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().to_string();
    EXPECT_LT(ms, 1000 * 1.5) << sql;
  }
  auto next = db->execute("SELECT 1", {});
  EXPECT_TRUE(next.ok()) << next.status().to_string();
}

TEST(PostgresDatabase, RowCapAndValidate) {
  auto db = open_reader();
  ASSERT_TRUE(db);
  auto r = db->execute("SELECT sale_id FROM sales ORDER BY sale_id", {.max_rows = 1000});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->rows.size(), 1000u);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->rows[999][0], Value::integer(1000));
  EXPECT_TRUE(db->validate("SELECT region, count(*) FROM stores GROUP BY region;").ok());
  Status bad = db->validate("SELECT no_such_column FROM stores");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("no_such_column"), std::string::npos) << bad.message();
  // Validation plans without running: a sleeping query returns at once.
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(db->validate("SELECT count(*) FROM sales a, sales b, sales c").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(PostgresDatabase, WrongCredentialsAndUnreachableServers) {
  std::string uri = pg_env("T2SQL_TEST_PG_URI");
  std::string port = pg_env("T2SQL_TEST_PG_PORT");
  std::string wrong = "postgresql://t2sql_reader:wrong-password@127.0.0.1:" + port + "/t2sql_test";
  auto denied = Database::open(wrong);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied) << denied.status().to_string();
  EXPECT_EQ(denied.status().message().find("wrong-password"), std::string::npos) << denied.status().message();
  auto no_db = Database::open(with_database(uri, "no_such_database"));
  EXPECT_FALSE(no_db.ok());
  // A port nobody listens on (the fixture's port + 1 is free unless a race).
  auto closed = Database::open("postgresql://t2sql_reader:x@127.0.0.1:1/t2sql_test");
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().code(), StatusCode::kUnavailable) << closed.status().to_string();
  auto start = std::chrono::steady_clock::now();
  auto unroutable = Database::open("postgresql://u:p@10.255.255.1:5432/db?connect_timeout=2");
  ASSERT_FALSE(unroutable.ok());
  EXPECT_EQ(unroutable.status().code(), StatusCode::kUnavailable) << unroutable.status().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
  auto bad_scheme = Database::open("mysql://x@y/z");
  EXPECT_EQ(bad_scheme.status().code(), StatusCode::kInvalidArgument);
}

TEST(PostgresDatabase, ConnectionDroppedMidQueryFailsCleanlyAndReconnects) {
  auto db = open_reader();
  ASSERT_TRUE(db);
  auto* pg = dynamic_cast<PostgresDatabase*>(db.get());
  ASSERT_NE(pg, nullptr);
  int pid = pg->backend_pid();
  ASSERT_GT(pid, 0);
  std::string before = testing::pg_data_checksum();
  std::atomic<bool> started{false};
  std::thread killer([&] {
    PGconn* admin = PQconnectdb(pg_env("T2SQL_TEST_PG_ADMIN_URI").c_str());
    // Wait until the reader's query is running, then end its backend.
    for (int i = 0; i < 100; ++i) {
      std::string q =
          "SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid) + " AND state = 'active'";
      PGresult* res = PQexec(admin, q.c_str());
      bool active = PQresultStatus(res) == PGRES_TUPLES_OK && std::string(PQgetvalue(res, 0, 0)) == "1";
      PQclear(res);
      if (active) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    PQclear(PQexec(admin, ("SELECT pg_terminate_backend(" + std::to_string(pid) + ")").c_str()));
    PQfinish(admin);
  });
  auto r = db->execute("SELECT count(*) FROM sales a, sales b WHERE a.amount + b.amount < 0", {.timeout_ms = 8000});
  killer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().to_string();
  EXPECT_NE(r.status().message().find("lost"), std::string::npos) << r.status().message();
  // The next statement reconnects.
  auto again = db->execute("SELECT count(*) FROM brands", {});
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->rows[0][0], Value::integer(15));
  EXPECT_NE(pg->backend_pid(), pid);
  EXPECT_EQ(testing::pg_data_checksum(), before);
}

TEST(ConnectionPool, LendsBoundedConnectionsAcrossThreads) {
  auto pool = ConnectionPool::create(pg_env("T2SQL_TEST_PG_URI"), {.max_size = 2, .acquire_timeout_ms = 10000});
  ASSERT_TRUE(pool.ok()) << pool.status().to_string();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        auto lease = (*pool)->acquire();
        if (!lease.ok()) continue;
        auto r = (*lease)->execute("SELECT count(*) FROM stores", {});
        if (r.ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 12);
  EXPECT_LE((*pool)->open_count(), 2u);
  EXPECT_EQ((*pool)->idle_count(), (*pool)->open_count());
  // With every connection lent out, a third borrower waits and then gives up.
  auto small = ConnectionPool::create(pg_env("T2SQL_TEST_PG_URI"), {.max_size = 1, .acquire_timeout_ms = 200});
  ASSERT_TRUE(small.ok());
  auto held = (*small)->acquire();
  ASSERT_TRUE(held.ok());
  auto refused = (*small)->acquire();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  auto bad = ConnectionPool::create("postgresql://t2sql_reader:nope@127.0.0.1:" + pg_env("T2SQL_TEST_PG_PORT") +
                                    "/t2sql_test");
  EXPECT_EQ(bad.status().code(), StatusCode::kPermissionDenied);
}

TEST(PostgresLoader, LoadsADefogDumpWithDescriptions) {
  std::string shared =
      std::getenv("T2SQL_SHARED_DIR") ? std::getenv("T2SQL_SHARED_DIR") : std::string(T2SQL_SOURCE_DIR) + "/../shared";
  std::string dir = shared + "/data/defog/postgres/restaurants";
  std::string admin = with_database(pg_env("T2SQL_TEST_PG_ADMIN_URI"), "postgres");
  auto uri = load_postgres_dump(admin, "t2sql_defog_restaurants", dir + "/restaurants.sql",
                                {.descriptions_json = dir + "/restaurants.json"});
  ASSERT_TRUE(uri.ok()) << uri.status().to_string();
  auto db = Database::open(*uri, {.allow_privileged_role = true});  // the loader's own (admin) role
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  auto cat = (*db)->catalog({});
  ASSERT_TRUE(cat.ok()) << cat.status().to_string();
  const TableInfo* restaurant = cat->find_table("restaurant");
  ASSERT_NE(restaurant, nullptr);
  EXPECT_GT(restaurant->row_count, 0);
  int described = 0;
  for (const auto& c : restaurant->columns) described += !c.description.empty();
  EXPECT_GT(described, 0);
  // The loaded database is as read-only as any other through t2sql.
  EXPECT_FALSE((*db)->execute("DELETE FROM restaurant", {}).ok());
  // Bad input: a name that is not an identifier, a dump that does not exist, a dump that fails.
  EXPECT_EQ(load_postgres_dump(admin, "Bad-Name", dir + "/restaurants.sql").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(load_postgres_dump(admin, "t2sql_x", dir + "/missing.sql").status().code(), StatusCode::kNotFound);
  std::string broken = t2sql::testing::own_temp_path("broken.sql");
  std::ofstream(broken) << "CREATE TABLE a (x int);\nINSERT INTO a VALUES ('not a number');\n";
  auto failed = load_postgres_dump(admin, "t2sql_broken", broken);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("invalid input syntax"), std::string::npos) << failed.status().message();
}

// The t2sql program on PostgreSQL: stdout of a command, and its exit code.
std::pair<int, std::string> run_cli(const std::string& args) {
  std::string out;
  FILE* pipe = popen((std::string(T2SQL_BINARY) + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(PostgresCli, SqlSchemaAndDemoQueries) {
  std::string uri = "'" + pg_env("T2SQL_TEST_PG_URI") + "'";
  auto [code, out] = run_cli("sql 'SELECT count(*) AS n FROM brands' --format csv --db " + uri);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "n\n15\n");
  auto [schema_code, schema] = run_cli("schema --format json --db " + uri);
  EXPECT_EQ(schema_code, 0) << schema;
  EXPECT_NE(schema.find("Sales region the store reports to"), std::string::npos);
  auto [demo_code, demo] = run_cli("demo queries --db " + uri);
  EXPECT_EQ(demo_code, 0) << demo;
  EXPECT_NE(demo.find("Top 5 brands by revenue"), std::string::npos);
  auto [refused_code, refused] = run_cli("sql 'DELETE FROM sales' --db " + uri);
  EXPECT_EQ(refused_code, 1);
  EXPECT_NE(refused.find("error:"), std::string::npos);
  EXPECT_EQ(refused.find("reader-"), std::string::npos) << "no password in: " << refused;
  std::string writer = "'" + pg_env("T2SQL_TEST_PG_WRITER_URI") + "'";
  auto [privileged_code, privileged] = run_cli("sql 'SELECT 1 AS n' --format csv --db " + writer);
  EXPECT_EQ(privileged_code, 1) << privileged;
  EXPECT_NE(privileged.find("refusing to use PostgreSQL role \"t2sql_writer\""), std::string::npos) << privileged;
  auto [allowed_code, allowed] = run_cli("sql 'SELECT 1 AS n' --format csv --allow-privileged-role --db " + writer);
  EXPECT_EQ(allowed_code, 0) << allowed;
  EXPECT_EQ(allowed, "n\n1\n");
}

TEST(PostgresCli, EvalLoadsDefogIntoPostgresAndRunsGold) {
  std::string shared =
      std::getenv("T2SQL_SHARED_DIR") ? std::getenv("T2SQL_SHARED_DIR") : std::string(T2SQL_SOURCE_DIR) + "/../shared";
  std::string admin = "'" + with_database(pg_env("T2SQL_TEST_PG_ADMIN_URI"), "postgres") + "'";
  auto [code, out] =
      run_cli("eval --suite defog --data " + shared + "/data/defog --pg " + admin + " --mode gold --limit 12 -q");
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("loaded 11 defog databases"), std::string::npos) << out;
  // The suite's own SQL on the databases it was written for: every one runs and matches.
  EXPECT_NE(out.find("execution accuracy            100.0%"), std::string::npos) << out;
  EXPECT_EQ(out.find("admin-"), std::string::npos) << "no password in the output";
  auto [bad_code, bad] = run_cli("eval --suite demo --pg " + admin + " -q");
  EXPECT_NE(bad_code, 0);
  EXPECT_NE(bad.find("--pg is for --suite defog"), std::string::npos) << bad;
}

}  // namespace
}  // namespace t2sql
