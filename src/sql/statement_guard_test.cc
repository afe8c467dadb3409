#include "sql/statement_guard.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

constexpr Dialect::Engine kEngines[] = {Dialect::Engine::kSqlite, Dialect::Engine::kDuckDb, Dialect::Engine::kPostgres,
                                         Dialect::Engine::kClickHouse};

TEST(StatementGuard, AcceptsReadQueries) {
  for (Dialect::Engine e : kEngines) {
    for (const char* sql :
         {"SELECT 1", "  select a from t where b = 'x;y' ;  ", "WITH x AS (SELECT 1) SELECT * FROM x",
          "VALUES (1), (2)", "(SELECT 1) UNION (SELECT 2)", "SELECT 'delete from t' AS s -- drop table\n",
          "SELECT \"update\" FROM t",
          "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
          "WITH a(x) AS (SELECT 1), b(y, z) AS NOT MATERIALIZED (SELECT 2, 3) SELECT * FROM a, b",
          "SELECT CAST(a AS DECIMAL(12, 2)), count(*) OVER (PARTITION BY b) FROM t",
          "SELECT a FROM t WHERE a IN (1, 2) AND EXISTS (SELECT 1) AND NOT (a > 3)",
          "SELECT substring(a FROM 2 FOR 3), coalesce(b, 0) FROM t", "SELECT sum(x) FILTER (WHERE x > 0) FROM t"}) {
      Status s = check_read_only_statement(sql, e);
      EXPECT_TRUE(s.ok()) << sql << " -> " << s.to_string();
    }
  }
}

TEST(StatementGuard, RefusesWrites) {
  for (Dialect::Engine e : kEngines) {
    for (const char* sql :
         {"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t", "DROP TABLE t", "CREATE TABLE x (a)",
          "ATTACH 'x.db' AS x", "VACUUM INTO '/tmp/x.db'", "PRAGMA user_version = 3", "REPLACE INTO t VALUES (1)",
          "ALTER TABLE t ADD b", "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "SELECT * INTO t2 FROM t",
          "COPY t TO '/tmp/x'", "SELECT * FROM t FOR UPDATE", "SELECT * FROM t FOR SHARE",
          "SELECT * FROM t FOR NO KEY UPDATE", "SELECT * FROM t FOR KEY SHARE"}) {
      Status s = check_read_only_statement(sql, e);
      EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << sql << " -> " << s.to_string();
    }
  }
}

TEST(StatementGuard, RefusesSeveralStatementsAndJunk) {
  for (Dialect::Engine e : kEngines) {
    EXPECT_EQ(check_read_only_statement("SELECT 1; SELECT 2", e).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(check_read_only_statement("SELECT 1; DROP TABLE t", e).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(check_read_only_statement("", e).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(check_read_only_statement(" ; ", e).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(check_read_only_statement("SELECT 'open", e).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(check_read_only_statement(std::string("SELECT 1\0; DROP TABLE t", 23), e).code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(check_read_only_statement("EXPLAIN SELECT 1", e).code(), StatusCode::kPermissionDenied);
  }
}

// The reproductions: each hid pg_read_file from a lexer that did not
// know PostgreSQL's quoting.
TEST(StatementGuard, PostgresQuotingTricksAreSeenThrough) {
  for (const char* sql : {
           "SELECT ARRAY[pg_read_file('/etc/passwd')]",
           "SELECT U&\"pg\\005fread\\005ffile\"('/etc/passwd')",
           "SELECT U&\"pg!005fread!005ffile\" UESCAPE '!' ('/etc/passwd')",
           "SELECT U&\"pg!005fread!005ffile\" /* c */ UESCAPE /* c */ '!' ('/etc/passwd')",
           "SELECT /* /* */ ' */ pg_read_file('/etc/passwd') --'",
           "SELECT $$'$$, pg_read_file('/etc/passwd'), $$'$$",
           "SELECT $a$'$a$, pg_read_file('/etc/passwd'), $a$'$a$",
           "SELECT E'\\'', pg_read_file('/etc/passwd') --'",
           "SELECT e'\\\\\\'', pg_read_file('/etc/passwd') --'",
           "SELECT * FROM ts_stat('SELECT to_tsvector(pg_read_file(''/etc/passwd''))')",
           "SELECT lo_export(1, '/tmp/x')",
           "SELECT dblink_exec('dbname=x', 'COPY t TO PROGRAM ''id''')",
           "SELECT /* /* */ ' */ pg_advisory_lock(1) --'",
           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
           "SELECT pg_logical_emit_message(true, 'x', repeat('x', 1000000))",
           "SELECT pg_catalog.pg_read_file('/etc/passwd')",
           "SELECT \"pg_catalog\".\"pg_read_file\"('/etc/passwd')",
           "SELECT public.lower('x')",
           "SELECT \"LOWER\"('x')",
           "SELECT pg_sleep(10)",
           "SELECT 1pg_read_file('/etc/passwd')",
           "SELECT U&\"\\00zz\"('x')",
       }) {
    Status s = check_read_only_statement(sql, Dialect::Engine::kPostgres);
    EXPECT_FALSE(s.ok()) << sql;
  }
  // The same text is harmless where the quoting rules make it a string.
  EXPECT_TRUE(check_read_only_statement("SELECT $$pg_read_file('/etc/passwd')$$", Dialect::Engine::kPostgres).ok());
  EXPECT_TRUE(check_read_only_statement("SELECT E'\\' pg_read_file(1)'", Dialect::Engine::kPostgres).ok());
  EXPECT_TRUE(
      check_read_only_statement("SELECT pg_catalog.lower(U&\"\\0061\") FROM t", Dialect::Engine::kPostgres).ok());
}

TEST(StatementGuard, SqliteQuotingIsSqlites) {
  // SQLite has no backslash escapes: E'\' is a name E and the string '\'.
  EXPECT_FALSE(check_read_only_statement("SELECT E'\\', load_extension('x') --'", Dialect::Engine::kSqlite).ok());
  EXPECT_TRUE(check_read_only_statement("SELECT E'\\', load_extension('x') --'", Dialect::Engine::kPostgres).ok());
  EXPECT_TRUE(check_read_only_statement("SELECT [load_extension(1)] FROM t", Dialect::Engine::kSqlite).ok());
  EXPECT_FALSE(check_read_only_statement("SELECT [a], load_extension(1) FROM t", Dialect::Engine::kSqlite).ok());
  // Comments do not nest: the first */ ends it.
  EXPECT_FALSE(
      check_read_only_statement("SELECT /* /* */ fts3_tokenizer('simple') /* */", Dialect::Engine::kSqlite).ok());
  EXPECT_FALSE(check_read_only_statement("SELECT fts3_tokenizer('simple', x'41')", Dialect::Engine::kSqlite).ok());
  EXPECT_FALSE(check_read_only_statement("SELECT \"load_extension\"('x')", Dialect::Engine::kSqlite).ok());
  EXPECT_FALSE(check_read_only_statement("SELECT `zeroblob`(10)", Dialect::Engine::kSqlite).ok());
}

}  // namespace
}  // namespace t2sql
