// For the engine tests only: the data-driven cases of tests/cases/*.test (SQL
// records and question records) and the adversarial SQL of
// tests/adversarial/*.test (see the README beside each), read once and shared
// by every engine's test program.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
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

// One record of a case file: "query" (SQL and its rows) or "question" (a
// question and its rows, or the abstention or refusal it must get).
struct CaseRecord {
  std::string kind;  // "query" or "question"
  std::string where, name, engine, database = "demo";
  std::map<std::string, std::string> unsupported;
  std::string text;  // the SQL, or the question (its lines joined by spaces)
  bool rowsort = false;
  std::string expect = "rows";  // "rows", "no rows", "abstain" or "refuse" (the last three: questions only)
  std::vector<std::vector<std::string>> expected;
};

inline std::vector<CaseRecord> load_case_records() {
  std::vector<CaseRecord> records;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(T2SQL_SOURCE_DIR) + "/tests/cases")) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line, engine, database = "demo";
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
      if (line.rfind("database ", 0) == 0) {
        database = trim_case_text(line.substr(9));
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
      CaseRecord c;
      std::istringstream words(line);
      words >> c.kind >> c.name;
      if ((c.kind != "query" && c.kind != "question") || c.name.empty()) {
        ADD_FAILURE() << file << ":" << number << ": expected 'query <name>' or 'question <name>', got '" << line
                      << "'";
        continue;
      }
      c.where = file.filename().string() + ":" + std::to_string(number);
      std::string flag;
      while (words >> flag) {
        if (flag == "rowsort") {
          c.rowsort = true;
        } else if (c.kind == "question" && (flag == "abstain" || flag == "refuse")) {
          c.expect = flag;
        } else {
          ADD_FAILURE() << c.where << ": unknown flag '" << flag << "'";
        }
      }
      c.engine = engine;
      c.database = c.kind == "question" ? database : "";
      c.unsupported = std::move(unsupported);
      engine.clear();
      database = "demo";
      unsupported.clear();
      // The SQL or the question, up to "----" (or, for an abstention or a
      // refusal, which has no rows, up to a blank line).
      bool rows = c.expect == "rows";
      while (std::getline(in, line)) {
        ++number;
        std::string t = trim_case_text(line);
        if (t == "----" || (!rows && t.empty())) break;
        if (c.kind == "query") {
          c.text += line + "\n";
        } else {
          c.text += (c.text.empty() ? "" : " ") + t;
        }
      }
      if (rows) {
        while (std::getline(in, line) && !trim_case_text(line).empty()) {
          ++number;
          if (c.kind == "question" && trim_case_text(line) == "(no rows)") {
            c.expect = "no rows";
          } else {
            c.expected.push_back(split_case_cells(line));
          }
        }
        ++number;
      }
      if (c.text.empty())
        ADD_FAILURE() << c.where << ": the record has no " << (c.kind == "query" ? "SQL" : "question");
      records.push_back(std::move(c));
    }
  }
  return records;
}

inline std::vector<SqlCase> load_sql_cases() {
  std::vector<SqlCase> cases;
  for (auto& r : load_case_records()) {
    if (r.kind != "query") continue;
    cases.push_back({.where = r.where,
                     .name = r.name,
                     .engine = r.engine,
                     .unsupported = r.unsupported,
                     .sql = r.text,
                     .rowsort = r.rowsort,
                     .expected = r.expected});
  }
  return cases;
}

// The question records, for the tests that ask them through the template
// engine and the pipeline.
inline std::vector<CaseRecord> load_question_cases() {
  std::vector<CaseRecord> cases;
  for (auto& r : load_case_records()) {
    if (r.kind == "question") cases.push_back(std::move(r));
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

// Whether `result` holds the `expected` rows (in order unless `rowsort`);
// if not, `why` says where they differ.
inline bool case_rows_match(const ResultSet& result, const std::vector<std::vector<std::string>>& expected_rows,
                            bool rowsort, std::string* why) {
  if (expected_rows.empty()) {
    *why = "the case has no expected rows";
    return false;
  }
  if (result.rows.size() != expected_rows.size()) {
    *why = std::to_string(result.rows.size()) + " rows, expected " + std::to_string(expected_rows.size());
    return false;
  }
  std::vector<size_t> order(result.rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto expected = expected_rows;
  if (rowsort) {
    // Multiset comparison: sort both sides by their rendered text.
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return render_case_row(result.rows[a]) < render_case_row(result.rows[b]); });
    auto joined = [](const std::vector<std::string>& row) {
      std::string out;
      for (size_t i = 0; i < row.size(); ++i) out += (i ? " | " : "") + row[i];
      return out;
    };
    std::sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) { return joined(a) < joined(b); });
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& row = result.rows[order[i]];
    if (row.size() != expected[i].size()) {
      *why = "row " + std::to_string(i) + " has " + std::to_string(row.size()) + " columns, expected " +
             std::to_string(expected[i].size());
      return false;
    }
    for (size_t col = 0; col < row.size(); ++col) {
      if (!case_cell_matches(expected[i][col], row[col])) {
        *why = "row " + std::to_string(i) + " column " + result.columns[col] + ": expected '" + expected[i][col] +
               "', got '" + row[col].to_string() + "'";
        return false;
      }
    }
  }
  return true;
}

inline void expect_case_rows(const ResultSet& result, const std::vector<std::vector<std::string>>& expected,
                             bool rowsort) {
  std::string why;
  EXPECT_TRUE(case_rows_match(result, expected, rowsort, &why)) << why;
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
    expect_case_rows(*result, c.expected, c.rowsort);
  }
  EXPECT_GE(ran, 15);
  EXPECT_GE(ran - unsupported, ran / 2);
  std::cout << engine << ": " << ran - unsupported << " cases give the expected rows, " << unsupported
            << " marked unsupported fail as marked\n";
}

// What asking a question record's question gave: an answer with rows, an
// abstention, or a refusal (a request to change data or leave the database).
struct QuestionOutcome {
  bool answered = false;
  bool refused = false;
  std::string reason;  // why not answered
  std::string sql;
  Result<ResultSet> rows = internal_error("the SQL was not run");
};

// Whether `got` is what the record expects; if not, `why` says how it differs.
inline bool question_outcome_matches(const CaseRecord& c, const QuestionOutcome& got, std::string* why) {
  if (c.expect == "refuse" || c.expect == "abstain") {
    bool refused = c.expect == "refuse";
    if (got.answered || got.refused != refused) {
      *why = std::string("expected ") + (refused ? "a refusal" : "an abstention") + ", got " +
             (got.answered  ? "an answer: " + got.sql
              : got.refused ? "a refusal"
                            : "an abstention") +
             (got.reason.empty() ? "" : " (" + got.reason + ")");
      return false;
    }
    return true;
  }
  if (!got.answered) {
    *why = std::string("expected rows, got ") + (got.refused ? "a refusal" : "an abstention") + ": " + got.reason;
    return false;
  }
  if (!got.rows.ok()) {
    *why = "the SQL failed: " + got.rows.status().to_string() + "\n  " + got.sql;
    return false;
  }
  if (c.expect == "no rows") {
    if (got.rows->rows.empty()) return true;
    *why = std::to_string(got.rows->rows.size()) + " rows, expected none\n  sql: " + got.sql;
    return false;
  }
  if (!case_rows_match(*got.rows, c.expected, c.rowsort, why)) {
    *why += "\n  sql: " + got.sql;
    return false;
  }
  return true;
}

// Checks the question records of `database` on `engine` with `ask`, which
// answers one question there. An "unsupported <engine>" mark must still
// fail, so that it cannot outlive the limitation. With T2SQL_CASES_PRINT=1 it
// prints each answer's rows in the file's format (to be checked by hand).
inline void run_question_cases_on(const std::string& engine, const std::string& database,
                                  const std::function<QuestionOutcome(const std::string&)>& ask) {
  auto cases = load_question_cases();
  bool print = std::getenv("T2SQL_CASES_PRINT") != nullptr;
  int ran = 0, unsupported = 0, passed = 0;
  for (const auto& c : cases) {
    if (c.database != database || (!c.engine.empty() && c.engine != engine)) continue;
    ++ran;
    SCOPED_TRACE(c.where + " " + c.name + " on " + engine);
    QuestionOutcome got = ask(c.text);
    std::string why;
    bool matches = question_outcome_matches(c, got, &why);
    if (auto mark = c.unsupported.find(engine); mark != c.unsupported.end()) {
      EXPECT_FALSE(matches) << "marked unsupported (" << mark->second << ") but passes; remove the mark";
      ++unsupported;
      continue;
    }
    if (print && got.answered && got.rows.ok()) {
      std::cout << "question " << c.name << (c.rowsort ? " rowsort" : "") << "\n" << c.text << "\n----\n";
      for (const auto& row : got.rows->rows) std::cout << render_case_row(row) << "\n";
      std::cout << "\n";
      continue;
    }
    EXPECT_TRUE(matches) << c.text << ": " << why;
    passed += matches;
  }
  EXPECT_GE(ran, 1) << "no question records for the " << database << " database";
  std::cout << engine << ": " << passed << " of " << ran - unsupported << " question records as expected, "
            << unsupported << " marked unsupported\n";
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
