// The statement guard's function allow-list (the writing keywords are tested
// in statement_guard_test.cc and with the engines).
#include <gtest/gtest.h>

#include "sql/function_allow_list.h"
#include "sql/statement_guard.h"

namespace t2sql {
namespace {

constexpr Dialect::Engine kEngines[] = {Dialect::Engine::kSqlite, Dialect::Engine::kDuckDb, Dialect::Engine::kPostgres,
                                         Dialect::Engine::kClickHouse};

TEST(StatementGuardFunctions, RefusesDangerousCallsInAnySpelling) {
  for (Dialect::Engine e : kEngines) {
    for (const char* sql : {
             "SELECT pg_read_file('/etc/passwd')",
             "select PG_READ_FILE('/etc/passwd')",
             "SELECT pg_catalog.pg_read_file('x')",
             "SELECT \"pg_read_file\"('x')",
             "SELECT pg_ls_dir('.')",
             "SELECT lo_import('/etc/passwd')",
             "SELECT pg_terminate_backend(1)",
             "SELECT pg_cancel_backend (1)",
             "SELECT set_config('a', 'b', false)",
             "SELECT nextval('s')",
             "SELECT * FROM dblink('x', 'y') AS t(a int)",
             "SELECT * FROM read_csv('/etc/passwd')",
             "SELECT * FROM read_text('/etc/passwd')",
             "SELECT * FROM query('SELECT 1')",
             "SELECT load_extension('x')",
             "SELECT pg_sleep(1)",
             "SELECT randomblob(100000000)",
             "SELECT zeroblob(100000000)",
             "SELECT my_function(1)",
             "WITH a AS (SELECT query_to_xml('SELECT 1', true, true, '')) SELECT * FROM a",
         }) {
      Status s = check_read_only_statement(sql, e);
      EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << sql;
      EXPECT_NE(s.message().find("refusing to call"), std::string::npos) << s.message();
    }
  }
}

TEST(StatementGuardFunctions, AllowsOrdinaryFunctionsAndLookalikeNames) {
  for (Dialect::Engine e : kEngines) {
    for (const char* sql : {
             "SELECT count(*), lower(name), coalesce(x, 0), max(a), round(avg(b), 2) FROM t",
             "SELECT nextval FROM t",            // a column, not a call
             "SELECT 'pg_read_file(1)' AS s",    // a string
             "SELECT lo FROM t WHERE lo_x > 1",  // names, not calls
             "SELECT currval_note FROM t",
             "SELECT rank() OVER (ORDER BY a DESC) FROM t",
         }) {
      Status s = check_read_only_statement(sql, e);
      EXPECT_TRUE(s.ok()) << sql << " -> " << s.to_string();
    }
  }
  EXPECT_TRUE(
      check_read_only_statement("SELECT strftime('%Y', d), julianday(d) FROM t", Dialect::Engine::kSqlite).ok());
  EXPECT_TRUE(
      check_read_only_statement("SELECT date_trunc('month', d), x::numeric(10, 2) FROM t", Dialect::Engine::kPostgres)
          .ok());
  EXPECT_TRUE(
      check_read_only_statement("SELECT strftime(d, '%Y'), list_value(1, 2) FROM t", Dialect::Engine::kDuckDb).ok());
}

TEST(StatementGuardFunctions, ListsArePerEngine) {
  EXPECT_TRUE(is_allowed_function("strftime", Dialect::Engine::kSqlite));
  EXPECT_FALSE(is_allowed_function("strftime", Dialect::Engine::kPostgres));
  EXPECT_TRUE(is_allowed_function("glob", Dialect::Engine::kSqlite));   // SQLite's pattern match
  EXPECT_FALSE(is_allowed_function("glob", Dialect::Engine::kDuckDb));  // DuckDB's file listing
  EXPECT_FALSE(check_read_only_statement("SELECT * FROM glob('/etc/*')", Dialect::Engine::kDuckDb).ok());
  for (Dialect::Engine e : kEngines) EXPECT_GT(allowed_function_count(e), 60u);
}

}  // namespace
}  // namespace t2sql
