// The command line's conventions: a wrong command line exits 2 naming what is
// wrong, every command's help has an example, SQL typos read as syntax
// errors, and ask explains its SQL and shows numbers as people read them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <set>

#include "test_support.h"

namespace t2sql::testing {
namespace {

using json = nlohmann::json;

TEST(CliConventions, InvalidOptionValuesExit2NamingTheOption) {
  struct Case {
    std::vector<std::string> args;
    std::string option;
  };
  std::string db = demo_db();
  const Case cases[] = {
      {{"ask", "total sales", "--db", db, "--max-rows", "-1"}, "--max-rows"},
      {{"ask", "total sales", "--db", db, "--timeout-ms", "-5"}, "--timeout-ms"},
      {{"ask", "total sales", "--db", db, "--mode", "magic"}, "--mode"},
      {{"ask", "total sales", "--db", db, "--max-repairs", "-2"}, "--max-repairs"},
      {{"sql", "SELECT 1", "--db", db, "--max-rows", "-1"}, "--max-rows"},
      {{"sql", "SELECT 1", "--db", db, "--timeout-ms", "-5"}, "--timeout-ms"},
      {{"sql", "SELECT 1", "--db", db, "--timeout-ms", "soon"}, "--timeout-ms"},
      {{"serve", "--db", db, "--max-rows", "-1"}, "--max-rows"},
      {{"serve", "--db", db, "--mode", "magic"}, "--mode"},
      {{"eval", "--suite", "demo", "--mode", "magic"}, "--mode"},
      {{"eval", "--suite", "demo", "--jobs", "0"}, "--jobs"},
  };
  for (const auto& c : cases) {
    RunResult r = run_t2sql(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << c.option << ": " << r.err;
    EXPECT_NE(r.err.find(c.option), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // Zero stays a valid "no limit".
  EXPECT_EQ(run_t2sql({"sql", "SELECT 1", "--db", db, "--max-rows", "0", "--timeout-ms", "0"}).exit_code, 0);
}

TEST(CliConventions, UnknownCommandIsNamed) {
  RunResult r = run_t2sql({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ask"), std::string::npos) << r.err;  // the commands are listed
  EXPECT_EQ(run_t2sql({}).exit_code, 2);
}

// The commands a help page lists under "SUBCOMMANDS".
std::vector<std::string> subcommands(const std::string& help) {
  std::vector<std::string> out;
  auto at = help.find("SUBCOMMANDS:");
  if (at == std::string::npos) at = help.find("Subcommands:");
  if (at == std::string::npos) return out;
  std::regex line_re("\n  ([a-z][a-z0-9-]*)");
  std::string rest = help.substr(at);
  for (auto it = std::sregex_iterator(rest.begin(), rest.end(), line_re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

TEST(CliConventions, EveryCommandsHelpHasAnExample) {
  RunResult top = run_t2sql({"--help"});
  ASSERT_EQ(top.exit_code, 0);
  auto commands = subcommands(top.out);
  ASSERT_GE(commands.size(), 10u) << top.out;
  std::set<std::string> seen;
  std::vector<std::vector<std::string>> todo;
  for (const auto& c : commands) todo.push_back({c});
  while (!todo.empty()) {
    auto path = todo.back();
    todo.pop_back();
    auto args = path;
    args.push_back("--help");
    RunResult r = run_t2sql(args);
    std::string name = path[0] + (path.size() > 1 ? " " + path[1] : "");
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_NE(r.out.find("Example:\n  t2sql "), std::string::npos) << name << " has no example:\n" << r.out;
    seen.insert(name);
    if (path.size() == 1)
      for (const auto& sub : subcommands(r.out)) todo.push_back({path[0], sub});
  }
  EXPECT_TRUE(seen.count("demo init")) << "nested commands are checked too";
}

TEST(CliConventions, DbHelpListsEveryUriForm) {
  RunResult r = run_t2sql({"sql", "--help"});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* form : {"sqlite://", "duckdb://", "postgresql://", "path/to/file.db", ".duckdb"})
    EXPECT_NE(r.out.find(form), std::string::npos) << form << " missing from:\n" << r.out;
}

TEST(CliConventions, SqlTyposAreSyntaxErrorsNotRefusals) {
  std::string db = demo_db();
  for (const char* sql : {"selec * from sales", "slect region from stores", "42"}) {
    RunResult r = run_t2sql({"sql", sql, "--db", db});
    EXPECT_EQ(r.exit_code, 1) << sql;
    EXPECT_NE(r.err.find("syntax error"), std::string::npos) << sql << ": " << r.err;
    EXPECT_EQ(r.err.find("refus"), std::string::npos) << sql << ": " << r.err;
    EXPECT_NE(r.err.find("near"), std::string::npos) << "SQLite's own message: " << r.err;
  }
  // A writing statement is still a refusal.
  RunResult write = run_t2sql({"sql", "DELETE FROM sales", "--db", db});
  EXPECT_EQ(write.exit_code, 1);
  EXPECT_NE(write.err.find("refusing"), std::string::npos) << write.err;
}

TEST(CliConventions, AskExplainsItsSqlInEveryFormat) {
  std::string db = demo_db();
  std::string q = "Top 5 brands by revenue";
  RunResult table = run_t2sql({"ask", q, "--db", db});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("What it does: Adds up"), std::string::npos) << table.out;
  RunResult md = run_t2sql({"ask", q, "--db", db, "--format", "markdown"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("_What it does:_ Adds up"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| ---: |"), std::string::npos) << "numbers right-aligned:\n" << md.out;
  RunResult csv = run_t2sql({"ask", q, "--db", db, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.err.find("-- Adds up"), std::string::npos) << csv.err;
  EXPECT_EQ(csv.out.find("Adds up"), std::string::npos) << "CSV stays rows only";
  RunResult js = run_t2sql({"ask", q, "--db", db, "--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  json j = json::parse(js.out);
  ASSERT_TRUE(j["explanation"].is_string());
  EXPECT_NE(j["explanation"].get<std::string>().find("top 5"), std::string::npos) << j["explanation"];
  ASSERT_EQ(j["column_formats"].size(), j["columns"].size());
  EXPECT_EQ(j["column_formats"][1]["align"], "right");
}

TEST(CliConventions, NumbersAreRoundedForPeopleAndWholeForPrograms) {
  std::string db = demo_db();
  std::string q = "What was the total revenue in 2024?";
  RunResult table = run_t2sql({"ask", q, "--db", db});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  // The answer line and the table: thousands separators and two decimals.
  std::regex shown("[0-9]{1,3}(,[0-9]{3})+\\.[0-9]{2}\\b");
  EXPECT_TRUE(std::regex_search(table.out, shown)) << table.out;
  std::regex noise("[0-9]+\\.[0-9]{5,}");
  EXPECT_FALSE(std::regex_search(table.out, noise)) << table.out;
  EXPECT_NE(table.out.find("Total revenue in 2024 was "), std::string::npos) << table.out;
  // CSV keeps the value the database returned.
  RunResult csv = run_t2sql({"ask", q, "--db", db, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  json j = json::parse(run_t2sql({"ask", q, "--db", db, "--format", "json"}).out);
  double exact = j["rows"][0][0].get<double>();
  EXPECT_NEAR(std::stod(csv.out.substr(csv.out.find('\n') + 1)), exact, 1e-6);
}

TEST(CliConventions, AbstentionSaysCannotAnswerOnce) {
  RunResult r = run_t2sql({"ask", "Which employee wears the tallest hat?", "--db", demo_db()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("cannot answer: cannot answer"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace t2sql::testing
