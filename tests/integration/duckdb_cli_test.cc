// The t2sql program on a DuckDB file: the demo built with --engine duckdb,
// queries, schema, refusals with the file byte-for-byte unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "test_support.h"

namespace t2sql::testing {
namespace {

namespace fs = std::filesystem;

TEST(DuckdbCli, DemoInitQueriesSchemaAndRefusals) {
  std::string dir = temp_dir("duckdb-cli");
  std::string path = dir + "/demo.duckdb";
  RunResult made = run_t2sql({"demo", "init", "--engine", "duckdb", "--path", path});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("102277 sales"), std::string::npos) << made.out;
  std::string bytes = read_file(path);

  RunResult q = run_t2sql({"sql", "SELECT count(*) AS n FROM brands", "--db", "duckdb://" + path, "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "n\n15\n");
  // A plain path ending in .duckdb is DuckDB too.
  RunResult by_path = run_t2sql({"sql", "SELECT max(sale_date) AS d FROM sales", "--db", path, "--format", "csv"});
  ASSERT_EQ(by_path.exit_code, 0) << by_path.err;
  EXPECT_EQ(by_path.out, "d\n2024-12-31\n");

  RunResult demo = run_t2sql({"demo", "queries", "--db", "duckdb://" + path});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  EXPECT_NE(demo.out.find("2024"), std::string::npos);

  RunResult schema = run_t2sql({"schema", "--db", "duckdb://" + path});
  ASSERT_EQ(schema.exit_code, 0) << schema.err;
  EXPECT_NE(schema.out.find("CREATE TABLE sales"), std::string::npos);
  EXPECT_NE(schema.out.find("REFERENCES stores"), std::string::npos);

  for (const char* sql : {"DELETE FROM sales", "DROP TABLE sales", "CREATE TABLE x (a INT)",
                          "COPY sales TO '/tmp/t2sql-cli-copy.csv'", "SELECT 1; DELETE FROM sales"}) {
    RunResult r = run_t2sql({"sql", sql, "--db", "duckdb://" + path});
    EXPECT_NE(r.exit_code, 0) << sql;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << sql << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
  // A typo is DuckDB's syntax error, not a refusal.
  RunResult typo = run_t2sql({"sql", "selec * from sales", "--db", "duckdb://" + path});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("syntax error"), std::string::npos) << typo.err;
  EXPECT_EQ(typo.err.find("refus"), std::string::npos) << typo.err;
  RunResult slow = run_t2sql({"sql", "SELECT count(*) FROM sales a, sales b WHERE a.amount + b.amount < 0", "--db",
                              "duckdb://" + path, "--timeout-ms", "500"});
  EXPECT_NE(slow.exit_code, 0);
  EXPECT_NE(slow.err.find("timeout"), std::string::npos) << slow.err;
  EXPECT_EQ(read_file(path), bytes);
  EXPECT_FALSE(fs::exists(path + ".wal"));
}

TEST(DuckdbCli, BadInput) {
  std::string dir = temp_dir("duckdb-cli-bad");
  RunResult missing = run_t2sql({"sql", "SELECT 1", "--db", "duckdb://" + dir + "/none.duckdb"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  RunResult engine = run_t2sql({"demo", "init", "--engine", "oracle", "--path", dir + "/x"});
  EXPECT_NE(engine.exit_code, 0);
  RunResult no_uri = run_t2sql({"demo", "init", "--engine", "postgresql"});
  EXPECT_NE(no_uri.exit_code, 0);
  EXPECT_NE(no_uri.err.find("--path"), std::string::npos) << no_uri.err;
  RunResult scheme = run_t2sql({"sql", "SELECT 1", "--db", "mysql://u:secret@h/db"});
  EXPECT_NE(scheme.exit_code, 0);
  EXPECT_EQ(scheme.err.find("secret"), std::string::npos) << scheme.err;
}

}  // namespace
}  // namespace t2sql::testing
