// Runs the adversarial SQL of tests/adversarial/*.test (see its README) on
// SQLite, DuckDB and PostgreSQL: every case must be refused, rejected or
// stopped at a bound, and nothing may change: the database files and their
// folders, PostgreSQL's data, locks and other sessions, files elsewhere.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "testing/pg_test_env.h"
#include "testing/sql_case_files.h"
#include "t2sql/database.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;
using testing::pg_env;

constexpr int64_t kTimeoutMs = 1000;
const char* const kScratch = "/tmp/t2sql-adversarial";

// The bytes of a file and the names in its folder.
std::string file_state(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(path).parent_path())) names.push_back(e.path().string());
  std::sort(names.begin(), names.end());
  std::string out = std::to_string(std::hash<std::string>{}(bytes.str()));
  for (const auto& n : names) out += "|" + n;
  return out;
}

struct Counts {
  int tried = 0, refused = 0, rejected = 0, bounded = 0;
};

Counts run_cases(Database& db, const std::string& engine) {
  Counts counts;
  for (const auto& c : testing::load_adversarial_cases(engine)) {
    SCOPED_TRACE(c.where + " " + c.name + " on " + engine);
    ++counts.tried;
    auto start = std::chrono::steady_clock::now();
    auto r = db.execute(c.sql, {.timeout_ms = kTimeoutMs, .max_rows = 1000});
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r.ok()) {
      ADD_FAILURE() << "ran, returning " << r->rows.size() << " rows:\n" << c.sql;
      continue;
    }
    StatusCode code = r.status().code();
    if (c.expect == "refuse") {
      EXPECT_EQ(code, StatusCode::kPermissionDenied) << r.status().to_string() << "\n" << c.sql;
      counts.refused += code == StatusCode::kPermissionDenied;
    } else if (c.expect == "reject") {
      EXPECT_EQ(code, StatusCode::kInvalidArgument) << r.status().to_string() << "\n" << c.sql;
      counts.rejected += code == StatusCode::kInvalidArgument;
    } else {
      bool stopped = code == StatusCode::kDeadlineExceeded || code == StatusCode::kResourceExhausted;
      EXPECT_TRUE(stopped) << r.status().to_string() << "\n" << c.sql;
      // Stopped, not run to its end (which takes minutes or all memory). The
      // 1.5x-the-timeout figure is measured on an idle process by
      // tests/integration/bounded_work_test.cc; here several engines share the machine.
      EXPECT_LT(ms, kTimeoutMs * 5) << r.status().to_string() << "\n" << c.sql;
      counts.bounded += stopped && ms < kTimeoutMs * 5;
    }
    // One line for people and logs; no file's contents in it.
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("root:"), std::string::npos) << r.status().message();
  }
  // The connection is still usable and still read-only.
  auto after = db.execute("SELECT count(*) AS n FROM brands", {});
  EXPECT_TRUE(after.ok()) << after.status().to_string();
  return counts;
}

void report(const std::string& engine, const Counts& c, bool unchanged) {
  std::cout << "adversarial suite on " << engine << ": " << c.tried << " tried, " << c.refused << " refused, "
            << c.rejected << " rejected as malformed, " << c.bounded << " stopped at a bound, data "
            << (unchanged ? "unchanged" : "CHANGED") << "\n";
}

// The folder the cases try to write into; the four tests may run at once,
// so it is created, never emptied.
void fresh_scratch() {
  std::error_code ec;
  fs::create_directories(kScratch, ec);
  ASSERT_TRUE(fs::is_empty(kScratch, ec)) << kScratch << " holds files from an earlier run; remove them";
}

bool scratch_empty() {
  std::error_code ec;
  return fs::is_empty(kScratch, ec) || !fs::exists(kScratch, ec);
}

void run_on_file(const std::string& engine, const std::string& path) {
  fresh_scratch();
  std::string before = file_state(path);
  Counts counts;
  {
    auto db = Database::open(engine + "://" + path);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    counts = run_cases(**db, engine);
  }
  bool unchanged = file_state(path) == before && scratch_empty();
  EXPECT_EQ(file_state(path), before) << "the file or its folder changed";
  EXPECT_TRUE(scratch_empty()) << "a case wrote under " << kScratch;
  EXPECT_GE(counts.tried, 100);
  report(engine, counts, unchanged);
}

TEST(AdversarialCases, SqliteRefusesOrBoundsEveryCase) {
  run_on_file("sqlite", pg_env("T2SQL_TEST_SQLITE_DEMO"));
}

TEST(AdversarialCases, DuckdbRefusesOrBoundsEveryCase) {
  run_on_file("duckdb", pg_env("T2SQL_TEST_DUCKDB_DEMO"));
}

void run_on_postgres(const std::string& uri, OpenOptions open, const std::string& label) {
  fresh_scratch();
  std::string before = testing::pg_data_checksum();
  // A second session of the same role: the cases must not be able to end it.
  PGconn* bystander = PQconnectdb(uri.c_str());
  ASSERT_EQ(PQstatus(bystander), CONNECTION_OK) << PQerrorMessage(bystander);
  Counts counts;
  {
    auto db = Database::open(uri, open);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    counts = run_cases(**db, "postgresql");
  }
  PGresult* alive = PQexec(bystander, "SELECT 1");
  bool bystander_alive = PQresultStatus(alive) == PGRES_TUPLES_OK;
  PQclear(alive);
  PQfinish(bystander);
  EXPECT_TRUE(bystander_alive) << "a case ended another session of the role";
  std::string after = testing::pg_data_checksum();
  EXPECT_EQ(after, before);
  EXPECT_TRUE(scratch_empty()) << "a case wrote under " << kScratch;
  EXPECT_GE(counts.tried, 100);
  report(label, counts, after == before && bystander_alive && scratch_empty());
}

TEST(AdversarialCases, PostgresqlReaderRefusesOrBoundsEveryCase) {
  run_on_postgres(pg_env("T2SQL_TEST_PG_URI"), {}, "postgresql (SELECT-only role)");
}

TEST(AdversarialCases, PostgresqlPrivilegedRoleRefusesOrBoundsEveryCase) {
  // A role that may UPDATE, opened anyway: the guard and the read-only
  // session must hold on their own.
  run_on_postgres(pg_env("T2SQL_TEST_PG_WRITER_URI"), {.allow_privileged_role = true},
                  "postgresql (role that can write, --allow-privileged-role)");
}

}  // namespace
}  // namespace t2sql
