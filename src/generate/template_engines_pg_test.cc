// The template engine emits each connected database's dialect: over the demo
// suite's questions, the SQL it writes for SQLite, DuckDB and PostgreSQL (the
// same rows in each, from tests/postgres/pg_fixture.sh) must run on its engine
// and give the same rows there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "db/pg_test_env.h"
#include "eval/benchmark_suite.h"
#include "t2sql/database.h"
#include "t2sql/generator.h"

namespace t2sql {
namespace {

struct Engine {
  std::string name;
  std::unique_ptr<Database> db;
  std::unique_ptr<Generator> gen;
};

// Rows as sorted text, numbers to 6 significant digits: engines sum in
// different orders and type money differently (REAL vs DECIMAL).
std::vector<std::string> canonical(const ResultSet& rs) {
  std::vector<std::string> rows;
  for (const auto& row : rs.rows) {
    std::string line;
    for (const auto& v : row) {
      if (v.is_number() && v.type != ValueType::kBoolean) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g", v.as_double());
        line += buf;
      } else {
        line += v.is_null() ? "NULL" : v.to_string();
      }
      line += "|";
    }
    rows.push_back(line);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST(TemplateOnEveryEngine, DemoSuiteSqlRunsAndAgrees) {
  std::vector<Engine> engines;
  for (const auto& [name, uri] :
       {std::pair<std::string, std::string>{"sqlite", "sqlite://" + testing::pg_env("T2SQL_TEST_SQLITE_DEMO")},
        {"duckdb", "duckdb://" + testing::pg_env("T2SQL_TEST_DUCKDB_DEMO")},
        {"postgresql", testing::pg_env("T2SQL_TEST_PG_URI")}}) {
    auto db = Database::open(uri);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    auto catalog = (*db)->catalog({});
    ASSERT_TRUE(catalog.ok()) << catalog.status().to_string();
    // The same catalog content on every engine: SQLite files hold no
    // comments, so descriptions (which steer the template engine) go.
    for (auto& table : catalog->tables) {
      table.description.clear();
      for (auto& column : table.columns) column.description.clear();
    }
    auto gen = make_generator({.mode = "template"}, *catalog, db->get());
    ASSERT_TRUE(gen.ok()) << gen.status().to_string();
    engines.push_back({name, std::move(*db), std::move(*gen)});
  }
  auto suite = load_jsonl_suite(default_demo_suite_path(), {.demo_db_path = testing::pg_env("T2SQL_TEST_SQLITE_DEMO")});
  ASSERT_TRUE(suite.ok()) << suite.status().to_string();
  ASSERT_GT(suite->cases.size(), 50u);
  int answered_everywhere = 0, agreed = 0;
  for (const auto& c : suite->cases) {
    std::vector<std::vector<std::string>> results;
    std::vector<std::string> sqls;
    for (auto& e : engines) {
      auto out = e.gen->generate({.question = c.question});
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      if (!out->answered) break;
      sqls.push_back(out->sql);
      auto rows = e.db->execute(out->sql, {.timeout_ms = 20000, .max_rows = 0});
      // Whatever the template engine writes must run on the engine it wrote it for.
      EXPECT_TRUE(rows.ok()) << e.name << ": " << c.question << "\n  " << out->sql << "\n  "
                             << rows.status().to_string();
      if (!rows.ok()) break;
      results.push_back(canonical(*rows));
    }
    if (results.size() != engines.size()) continue;
    ++answered_everywhere;
    bool same = results[0] == results[1] && results[0] == results[2];
    agreed += same;
    EXPECT_TRUE(same) << c.question << "\n  sqlite:     " << sqls[0] << "\n  duckdb:     " << sqls[1]
                      << "\n  postgresql: " << sqls[2];
  }
  std::cout << answered_everywhere << " of " << suite->cases.size() << " questions answered on all three engines, "
            << agreed << " with the same rows everywhere\n";
  EXPECT_GT(answered_everywhere, static_cast<int>(suite->cases.size()) / 2);
}

}  // namespace
}  // namespace t2sql
