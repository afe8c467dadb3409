// For the engine tests only: the data-driven SQL cases of tests/cases/*.test
// and the adversarial SQL of tests/adversarial/*.test (see the README beside
// each), read once and shared by every engine's test program.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "t2sql/database.h"
#include "t2sql/value.h"

namespace t2sql::testing {

struct SqlCase {
  std::string where;  // file:line
  std::string name;
  std::string engine;  // "" for all
  // Engines that cannot run the case, with the reason ("unsupported
  // clickhouse <reason>" lines before "query"): their test checks that the
  // engine does fail it, so a mark cannot outlive the limitation.
  std::map<std::string, std::string> unsupported;
  std::string sql;
  bool rowsort = false;
  std::vector<std::vector<std::string>> expected;
};

inline std::string trim_case_text(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  size_t b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

inline std::vector<std::string> split_case_cells(const std::string& line) {
  std::vector<std::string> cells;
  size_t from = 0;
  while (true) {
    size_t bar = line.find(" | ", from);
    cells.push_back(trim_case_text(line.substr(from, bar == std::string::npos ? std::string::npos : bar - from)));
    if (bar == std::string::npos) break;
    from = bar + 3;
  }
  return cells;
}

inline std::vector<SqlCase> load_sql_cases() {
  std::vector<SqlCase> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(T2SQL_SOURCE_DIR) + "/tests/cases")) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line, engine;
    std::map<std::string, std::string> unsupported;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      line = trim_case_text(line);
      if (line.empty() || line[0] == '#') continue;
      if (line.rfind("engine ", 0) == 0) {
        engine = trim_case_text(line.substr(7));
        continue;
      }
      if (line.rfind("unsupported ", 0) == 0) {
        std::istringstream words(line.substr(12));
        std::string which, reason;
        words >> which;
        std::getline(words, reason);
        unsupported[which] = trim_case_text(reason);
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
      c.unsupported = std::move(unsupported);
      engine.clear();
      unsupported.clear();
      while (std::getline(in, line) && trim_case_text(line) != "----") {
        ++number;
        c.sql += line + "\n";
      }
      ++number;
      while (std::getline(in, line) && !trim_case_text(line).empty()) {
        ++number;
        c.expected.push_back(split_case_cells(line));
      }
      ++number;
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

inline bool case_cell_matches(const std::string& expected, const Value& actual) {
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

inline std::string render_case_row(const std::vector<Value>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) out += (i ? " | " : "") + (row[i].is_null() ? "NULL" : row[i].to_string());
  return out;
}

// Runs every case on `uri` (whose engine must be `engine`) and checks the rows.
// With T2SQL_CASES_PRINT=1 it prints each engine's rows in the file's format
// (for writing a new case; the printed rows must still be checked by hand).
inline void run_sql_cases_on(const std::string& engine, const std::string& uri) {
  auto db = Database::open(uri);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  ASSERT_EQ((*db)->engine(), engine);
  auto cases = load_sql_cases();
  ASSERT_GE(cases.size(), 15u);
  bool print = std::getenv("T2SQL_CASES_PRINT") != nullptr;
  int ran = 0, unsupported = 0;
  for (const auto& c : cases) {
    if (!c.engine.empty() && c.engine != engine) continue;
    ++ran;
    SCOPED_TRACE(c.where + " " + c.name + " on " + engine);
    auto result = (*db)->execute(c.sql, {.timeout_ms = 20000, .max_rows = 0});
    if (auto why = c.unsupported.find(engine); why != c.unsupported.end()) {
      // Marked as beyond this engine: it must still be, or the mark goes.
      EXPECT_FALSE(result.ok()) << "marked unsupported (" << why->second << ") but ran; remove the mark";
      ++unsupported;
      continue;
    }
    ASSERT_TRUE(result.ok()) << result.status().to_string() << "\n" << c.sql;
    if (print) {
      std::cout << "query " << c.name << (c.rowsort ? " rowsort" : "") << "\n" << c.sql << "----\n";
      for (const auto& row : result->rows) std::cout << render_case_row(row) << "\n";
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
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return render_case_row(result->rows[a]) < render_case_row(result->rows[b]);
      });
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
        EXPECT_TRUE(case_cell_matches(expected[i][col], row[col]))
            << "row " << i << " column " << result->columns[col] << ": expected '" << expected[i][col] << "', got '"
            << row[col].to_string() << "'";
      }
    }
  }
  EXPECT_GE(ran, 15);
  EXPECT_GE(ran - unsupported, ran / 2);
  std::cout << engine << ": " << ran - unsupported << " cases give the expected rows, " << unsupported
            << " marked unsupported fail as marked\n";
}

struct AdversarialCase {
  std::string where, expect, name, sql;
};

inline std::vector<AdversarialCase> load_adversarial_file(const std::filesystem::path& file) {
  std::vector<AdversarialCase> cases;
  std::ifstream in(file);
  std::string line;
  int number = 0;
  AdversarialCase* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (open) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) {
        open = nullptr;
      } else {
        open->sql += (open->sql.empty() ? "" : "\n") + line;
      }
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    AdversarialCase c;
    words >> c.expect >> c.name;
    if ((c.expect != "refuse" && c.expect != "reject" && c.expect != "bounded") || c.name.empty()) {
      ADD_FAILURE() << file << ":" << number << ": expected 'refuse|reject|bounded <name>', got '" << line << "'";
      continue;
    }
    c.where = file.filename().string() + ":" + std::to_string(number);
    cases.push_back(std::move(c));
    open = &cases.back();
  }
  for (const auto& c : cases) EXPECT_FALSE(c.sql.empty()) << c.where << " has no SQL";
  return cases;
}

// common.test, then <engine>.test.
inline std::vector<AdversarialCase> load_adversarial_cases(const std::string& engine) {
  std::string dir = std::string(T2SQL_SOURCE_DIR) + "/tests/adversarial/";
  auto cases = load_adversarial_file(dir + "common.test");
  auto own = load_adversarial_file(dir + engine + ".test");
  cases.insert(cases.end(), own.begin(), own.end());
  return cases;
}

}  // namespace t2sql::testing
