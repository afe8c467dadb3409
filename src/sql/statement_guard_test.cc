#include "sql/statement_guard.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(StatementGuard, AcceptsReadQueries) {
  EXPECT_TRUE(check_read_only_statement("SELECT 1").ok());
  EXPECT_TRUE(check_read_only_statement("  select a from t where b = 'x;y' ;  ").ok());
  EXPECT_TRUE(check_read_only_statement("WITH x AS (SELECT 1) SELECT * FROM x").ok());
  EXPECT_TRUE(check_read_only_statement("VALUES (1), (2)").ok());
  EXPECT_TRUE(check_read_only_statement("(SELECT 1) UNION (SELECT 2)").ok());
  EXPECT_TRUE(check_read_only_statement("SELECT 'delete from t' AS s -- drop table\n").ok());
  EXPECT_TRUE(check_read_only_statement("SELECT \"update\" FROM t").ok());
}

TEST(StatementGuard, RefusesWrites) {
  for (const char* sql :
       {"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t", "DROP TABLE t", "CREATE TABLE x (a)",
        "ATTACH 'x.db' AS x", "VACUUM INTO '/tmp/x.db'", "PRAGMA user_version = 3", "REPLACE INTO t VALUES (1)",
        "ALTER TABLE t ADD b", "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "SELECT * INTO t2 FROM t",
        "COPY t TO '/tmp/x'"}) {
    Status s = check_read_only_statement(sql);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << sql << " -> " << s.to_string();
  }
}

TEST(StatementGuard, RefusesSeveralStatementsAndJunk) {
  EXPECT_EQ(check_read_only_statement("SELECT 1; SELECT 2").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(check_read_only_statement("SELECT 1; DROP TABLE t").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(check_read_only_statement("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(check_read_only_statement(" ; ").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(check_read_only_statement("SELECT 'open").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(check_read_only_statement("EXPLAIN SELECT 1").code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace t2sql
