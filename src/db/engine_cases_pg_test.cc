// Runs the data-driven SQL cases of tests/cases/*.test on the demo warehouse
// in SQLite, DuckDB and PostgreSQL: every engine must give the expected rows.
// With T2SQL_CASES_PRINT=1 it prints each engine's rows in the file's format
// (for writing a new case; the printed rows must still be checked by hand).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "db/pg_test_env.h"
#include "t2sql/database.h"

namespace t2sql {
namespace {

struct SqlCase {
  std::string where;  // file:line
  std::string name;
  std::string engine;  // "" for all
  std::string sql;
  bool rowsort = false;
  std::vector<std::vector<std::string>> expected;
};

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  size_t b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  size_t from = 0;
  while (true) {
    size_t bar = line.find(" | ", from);
    cells.push_back(trim(line.substr(from, bar == std::string::npos ? std::string::npos : bar - from)));
    if (bar == std::string::npos) break;
    from = bar + 3;
  }
  return cells;
}

std::vector<SqlCase> load_cases() {
  std::vector<SqlCase> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(T2SQL_SOURCE_DIR) + "/tests/cases")) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line, engine;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      line = trim(line);
      if (line.empty() || line[0] == '#') continue;
      if (line.rfind("engine ", 0) == 0) {
        engine = trim(line.substr(7));
        continue;
      }
      if (line.rfind("query ", 0) != 0) {
        ADD_FAILURE() << file << ":" << number << ": expected 'query <name>', got '" << line << "'";
        continue;
      }
      SqlCase c;
      c.where = file.filename().string() + ":" + std::to_string(number);
      std::istringstream words(line.substr(6));
      words >> c.name;
      std::string flag;
      while (words >> flag) c.rowsort = c.rowsort || flag == "rowsort";
      c.engine = engine;
      engine.clear();
      while (std::getline(in, line) && trim(line) != "----") {
        ++number;
        c.sql += line + "\n";
      }
      ++number;
      while (std::getline(in, line) && !trim(line).empty()) {
        ++number;
        c.expected.push_back(split_cells(line));
      }
      ++number;
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

bool cell_matches(const std::string& expected, const Value& actual) {
  if (expected == "NULL") return actual.is_null();
  if (actual.is_null()) return false;
  if (actual.is_number()) {
    char* end = nullptr;
    double want = std::strtod(expected.c_str(), &end);
    if (end == expected.c_str() || *end != '\0') return false;
    double got = actual.as_double();
    return std::fabs(want - got) <= 1e-9 * std::max({1.0, std::fabs(want), std::fabs(got)});
  }
  return actual.to_string() == expected;
}

std::string render(const std::vector<Value>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) out += (i ? " | " : "") + (row[i].is_null() ? "NULL" : row[i].to_string());
  return out;
}

void run_cases_on(const std::string& engine, const std::string& uri) {
  auto db = Database::open(uri);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  ASSERT_EQ((*db)->engine(), engine);
  auto cases = load_cases();
  ASSERT_GE(cases.size(), 15u);
  bool print = std::getenv("T2SQL_CASES_PRINT") != nullptr;
  int ran = 0;
  for (const auto& c : cases) {
    if (!c.engine.empty() && c.engine != engine) continue;
    ++ran;
    SCOPED_TRACE(c.where + " " + c.name + " on " + engine);
    auto result = (*db)->execute(c.sql, {.timeout_ms = 20000, .max_rows = 0});
    ASSERT_TRUE(result.ok()) << result.status().to_string() << "\n" << c.sql;
    if (print) {
      std::cout << "query " << c.name << (c.rowsort ? " rowsort" : "") << "\n" << c.sql << "----\n";
      for (const auto& row : result->rows) std::cout << render(row) << "\n";
      std::cout << "\n";
      continue;
    }
    EXPECT_FALSE(c.expected.empty()) << "the case has no expected rows";
    ASSERT_EQ(result->rows.size(), c.expected.size());
    std::vector<size_t> order(result->rows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto expected = c.expected;
    if (c.rowsort) {
      // Multiset comparison: sort both sides by their rendered text.
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return render(result->rows[a]) < render(result->rows[b]); });
      auto joined = [](const std::vector<std::string>& row) {
        std::string out;
        for (size_t i = 0; i < row.size(); ++i) out += (i ? " | " : "") + row[i];
        return out;
      };
      std::sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) { return joined(a) < joined(b); });
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      const auto& row = result->rows[order[i]];
      ASSERT_EQ(row.size(), expected[i].size()) << "row " << i;
      for (size_t col = 0; col < row.size(); ++col) {
        EXPECT_TRUE(cell_matches(expected[i][col], row[col]))
            << "row " << i << " column " << result->columns[col] << ": expected '" << expected[i][col] << "', got '"
            << row[col].to_string() << "'";
      }
    }
  }
  EXPECT_GE(ran, 15);
}

TEST(EngineCases, SqliteGivesTheExpectedRows) {
  run_cases_on("sqlite", "sqlite://" + testing::pg_env("T2SQL_TEST_SQLITE_DEMO"));
}

TEST(EngineCases, DuckdbGivesTheExpectedRows) {
  run_cases_on("duckdb", "duckdb://" + testing::pg_env("T2SQL_TEST_DUCKDB_DEMO"));
}

TEST(EngineCases, PostgresqlGivesTheExpectedRows) {
  run_cases_on("postgresql", testing::pg_env("T2SQL_TEST_PG_URI"));
}

}  // namespace
}  // namespace t2sql
