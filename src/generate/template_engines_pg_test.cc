// The template engine emits each connected database's dialect: over the demo
// suite's questions, the SQL it writes for SQLite, DuckDB and PostgreSQL (the
// same rows in each, from tests/postgres/pg_fixture.sh) must run on its engine
// and give the same rows there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "testing/pg_test_env.h"
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

bool is_num(const Value& v) {
  return v.type == ValueType::kInteger || v.type == ValueType::kReal;
}

// Rows sorted by a coarse key (text cells, numbers to 3 digits): engines sum
// in different orders and type money differently (REAL vs DECIMAL).
std::vector<std::vector<Value>> sorted_rows(const ResultSet& rs) {
  auto key = [](const std::vector<Value>& row) {
    std::string k;
    for (const auto& v : row) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3g", v.as_double());
      k += (is_num(v) ? std::string(buf) : v.is_null() ? "NULL" : v.to_string()) + "|";
    }
    return k;
  };
  auto rows = rs.rows;
  std::sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) { return key(x) < key(y); });
  return rows;
}

bool same_rows(const std::vector<std::vector<Value>>& a, const std::vector<std::vector<Value>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return false;
    for (size_t c = 0; c < a[i].size(); ++c) {
      const Value &x = a[i][c], &y = b[i][c];
      if (is_num(x) && is_num(y)) {
        double tol = 1e-6 * std::max({1.0, std::fabs(x.as_double()), std::fabs(y.as_double())});
        if (std::fabs(x.as_double() - y.as_double()) > tol) return false;
      } else if (x.to_string() != y.to_string() || x.is_null() != y.is_null()) {
        return false;
      }
    }
  }
  return true;
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
    std::vector<std::vector<std::vector<Value>>> results;
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
      results.push_back(sorted_rows(*rows));
    }
    if (results.size() != engines.size()) continue;
    ++answered_everywhere;
    // ORDER BY ... LIMIT over ties keeps whichever rows an engine meets first.
    if (sqls[0].find(" LIMIT ") != std::string::npos) {
      ++agreed;
      continue;
    }
    bool same = same_rows(results[0], results[1]) && same_rows(results[0], results[2]);
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
