// The t2sql program as a user runs it: commands, formats, refusals, errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace t2sql::testing {
namespace {

namespace fs = std::filesystem;

TEST(Cli, HelpAtEveryLevel) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"sql", "--help"},
                                        {"schema", "--help"},
                                        {"demo", "--help"},
                                        {"demo", "init", "--help"},
                                        {"demo", "queries", "--help"},
                                        {"ask", "--help"},
                                        {"version", "--help"}}) {
    RunResult r = run_t2sql(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << args[0] << ": " << r.out;
  }
  RunResult none = run_t2sql({});
  EXPECT_NE(none.exit_code, 0);
  RunResult unknown = run_t2sql({"frobnicate"});
  EXPECT_NE(unknown.exit_code, 0);
}

TEST(Cli, VersionNamesLlamaCpp) {
  RunResult r = run_t2sql({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("t2sql 0."), std::string::npos);
  EXPECT_NE(r.out.find("llama.cpp"), std::string::npos);
}

TEST(Cli, DemoInitWritesWhereAsked) {
  std::string dir = temp_dir("demo-init");
  std::string path = dir + "/w.db";
  RunResult r = run_t2sql({"demo", "init", "--path", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(path));
  EXPECT_NE(r.out.find("sales"), std::string::npos);
  RunResult again = run_t2sql({"demo", "init", "--path", path});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("already exists"), std::string::npos);
  EXPECT_EQ(run_t2sql({"demo", "init", "--path", path, "--force"}).exit_code, 0);
}

TEST(Cli, DefaultDatabaseIsTheDemoInTheDataFolder) {
  RunResult r = run_t2sql({"sql", "SELECT count(*) AS n FROM brands", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "n\n15\n");
  RunResult q = run_t2sql({"demo", "queries"});
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("Top 5 brands by revenue"), std::string::npos);
}

TEST(Cli, SqlFormats) {
  std::string db = demo_db();
  std::string sql = "SELECT region, count(*) AS stores FROM stores GROUP BY region ORDER BY region";
  RunResult table = run_t2sql({"sql", sql, "--db", "sqlite://" + db});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("region   stores"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("(5 rows)"), std::string::npos);
  RunResult json = run_t2sql({"sql", sql, "--db", db, "--format", "json"});
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["rows"].size(), 5u);
  EXPECT_TRUE(j["rows"][0][1].is_number_integer());
  RunResult md = run_t2sql({"sql", sql, "--db", db, "--format", "markdown"});
  EXPECT_EQ(md.out.rfind("| region | stores |\n| --- | ---: |\n", 0), 0u) << md.out;  // numbers right-aligned
  RunResult capped = run_t2sql({"sql", "SELECT * FROM sales", "--db", db, "--format", "csv", "--max-rows", "7"});
  EXPECT_EQ(std::count(capped.out.begin(), capped.out.end(), '\n'), 8);
  RunResult bad = run_t2sql({"sql", sql, "--db", db, "--format", "xml"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("unknown format"), std::string::npos);
}

TEST(Cli, SchemaAsSqlAndJson) {
  std::string db = demo_db();
  RunResult sql = run_t2sql({"schema", "--db", db});
  ASSERT_EQ(sql.exit_code, 0);
  for (const char* t : {"stores", "brands", "products", "sales", "active_store"}) {
    EXPECT_NE(sql.out.find(std::string("CREATE TABLE ") + t + " ("), std::string::npos) << t;
  }
  EXPECT_NE(sql.out.find("FOREIGN KEY (brand_id) REFERENCES brands (brand_id)"), std::string::npos);
  RunResult json = run_t2sql({"schema", "--db", db, "--format", "json"});
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["tables"].size(), 5u);
  bool found_sales = false;
  for (const auto& t : j["tables"]) {
    if (t["name"] == "sales") {
      found_sales = true;
      EXPECT_GT(t["row_count"].get<int>(), 80000);
      EXPECT_FALSE(t["columns"][1]["samples"].empty());
    }
  }
  EXPECT_TRUE(found_sales);
}

TEST(Cli, RefusesEveryWritingStatementAndLeavesTheFileByteForByte) {
  std::string db = demo_db();
  std::string before = read_file(db);
  for (const char* sql : {"INSERT INTO brands VALUES (99, 'X')", "UPDATE sales SET amount = 0", "DELETE FROM sales",
                          "DROP TABLE sales", "CREATE TABLE x (a)", "ATTACH DATABASE '/tmp/t2sql-cli-attach.db' AS a",
                          "VACUUM INTO '/tmp/t2sql-cli-vacuum.db'", "PRAGMA journal_mode = DELETE",
                          "PRAGMA user_version = 9", "SELECT 1; DROP TABLE sales", "SELECT 1; SELECT 2"}) {
    RunResult r = run_t2sql({"sql", sql, "--db", db});
    EXPECT_EQ(r.exit_code, 1) << sql;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << sql << ": " << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << sql;
  }
  EXPECT_FALSE(fs::exists("/tmp/t2sql-cli-vacuum.db"));
  EXPECT_FALSE(fs::exists("/tmp/t2sql-cli-attach.db"));
  EXPECT_EQ(read_file(db), before);
}

TEST(Cli, RunawayQueryStopsWithinOneAndAHalfTimesItsTimeout) {
  std::string db = demo_db();
  std::string before = read_file(db);
  RunResult r = run_t2sql({"sql", "SELECT count(*) FROM sales a, sales b", "--db", db, "--timeout-ms", "1000"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("timeout"), std::string::npos) << r.err;
  EXPECT_LT(r.elapsed_ms, 1500);
  EXPECT_EQ(read_file(db), before);
}

TEST(Cli, BadDatabaseFiles) {
  std::string dir = temp_dir("bad-files");
  RunResult missing = run_t2sql({"sql", "SELECT 1", "--db", dir + "/missing.db"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/missing.db"));  // not created by opening

  std::ofstream(dir + "/notes.db") << "just some text";
  RunResult text = run_t2sql({"schema", "--db", dir + "/notes.db"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.err.find("not an SQLite database"), std::string::npos) << text.err;

  std::string good = read_file(demo_db());
  std::string broken = good.substr(0, 100) + std::string(good.size() - 100, '\x5a');
  std::ofstream(dir + "/corrupt.db", std::ios::binary) << broken;
  RunResult corrupt = run_t2sql({"sql", "SELECT count(*) FROM sales", "--db", dir + "/corrupt.db"});
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_EQ(corrupt.err.rfind("error: ", 0), 0u);
  EXPECT_EQ(read_file(dir + "/corrupt.db"), broken);

  RunResult scheme = run_t2sql({"sql", "SELECT 1", "--db", "oracle://x"});
  EXPECT_EQ(scheme.exit_code, 1);
  EXPECT_NE(scheme.err.find("unsupported database URI scheme"), std::string::npos);
}

}  // namespace
}  // namespace t2sql::testing
