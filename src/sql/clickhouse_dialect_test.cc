// ClickHouse's reading of SQL: the dialect's pieces, the lexer's backslash
// escapes, and the statement guard's ClickHouse rules and allow-list.
#include <gtest/gtest.h>

#include "sql/dialect.h"
#include "sql/function_allow_list.h"
#include "sql/sql_lexer.h"
#include "sql/statement_guard.h"

namespace t2sql {
namespace {

constexpr auto kCh = Dialect::Engine::kClickHouse;

TEST(ClickhouseDialect, Pieces) {
  Dialect d = Dialect::for_engine("clickhouse");
  EXPECT_EQ(d.engine(), kCh);
  EXPECT_EQ(d.engine_name(), "clickhouse");
  EXPECT_EQ(d.quote_identifier("sale_date"), "sale_date");
  EXPECT_EQ(d.quote_identifier("petType"), "petType");  // case-sensitive names need no quotes
  EXPECT_EQ(d.quote_identifier("order"), "`order`");
  EXPECT_EQ(d.quote_identifier("a`b\\c"), "`a\\`b\\\\c`");
  EXPECT_EQ(d.string_literal("Levi's \\"), "'Levi\\'s \\\\'");
  EXPECT_EQ(d.year_of("d"), "formatDateTime(toDate(d), '%Y')");
  EXPECT_EQ(d.year_month_of("d"), "formatDateTime(toDate(d), '%Y-%m')");
  EXPECT_EQ(d.quarter_of("d"), "toQuarter(toDate(d))");
  EXPECT_EQ(d.weekday_of("d"), "(toDayOfWeek(toDate(d)) % 7)");
  EXPECT_EQ(d.date_literal(2023, 1, 31), "toDate('2023-01-31')");
  EXPECT_EQ(d.date_from_text("'2023-01-31'"), "toDate('2023-01-31')");
  EXPECT_EQ(d.current_date(), "today()");
  EXPECT_EQ(d.like_ignore_case("x", "'%a%'"), "lowerUTF8(x) LIKE lowerUTF8('%a%')");
  EXPECT_EQ(d.limit(5), " LIMIT 5");
  // The other engines keep their forms.
  EXPECT_EQ(Dialect::for_engine("duckdb").date_from_text("'2023-01-31'"), "DATE '2023-01-31'");
  EXPECT_EQ(Dialect::for_engine("sqlite").date_from_text("'2023-01-31'"), "'2023-01-31'");
}

TEST(ClickhouseLexer, BackslashEscapesInStringsAndNames) {
  auto lexed = lex_sql("SELECT 'a\\'' , `b\\`c` , \"d\", [1, 2] -- x", kCh);
  ASSERT_TRUE(lexed.error.empty()) << lexed.error;
  ASSERT_GE(lexed.tokens.size(), 8u);
  EXPECT_EQ(lexed.tokens[1].kind, SqlTokenKind::kString);
  EXPECT_EQ(lexed.tokens[1].text, "'a\\''");
  EXPECT_EQ(lexed.tokens[3].kind, SqlTokenKind::kQuotedName);
  EXPECT_EQ(lexed.tokens[3].value, "b`c");
  EXPECT_EQ(lexed.tokens[5].value, "d");
  EXPECT_TRUE(lexed.tokens[7].is_punct('['));  // an array, not a quoted name
  // SQLite reads the same text differently: the escape is no escape there.
  auto sqlite = lex_sql("SELECT 'a\\' , x", Dialect::Engine::kSqlite);
  ASSERT_GE(sqlite.tokens.size(), 2u);
  EXPECT_EQ(sqlite.tokens[1].text, "'a\\'");
  EXPECT_FALSE(lex_sql("SELECT 'a\\' , x", kCh).error.empty());  // unterminated there
  // Flat comments, as in ClickHouse 18.16.
  EXPECT_EQ(lex_sql("SELECT /* /* */ 1", kCh).tokens.size(), 2u);
  EXPECT_FALSE(lex_sql("SELECT 'a\\'", kCh).error.empty());
}

TEST(ClickhouseGuard, AcceptsClickhouseQueries) {
  for (const char* sql :
       {"SELECT toYear(sale_date) AS y, sum(amount) FROM sales GROUP BY y ORDER BY y LIMIT 5",
        "SELECT formatDateTime(toDate(d), '%Y-%m'), countIf(x > 1), uniqExact(s) FROM t",
        "SELECT a FROM t PREWHERE (b > 1) WHERE c GLOBAL IN (SELECT c FROM u)",
        "SELECT CAST(x AS Nullable(String)), toDecimal64(y, 2), multiIf(a, 1, 2), if(b, 1, 0) FROM t",
        "SELECT quantile(0.5)(x), argMax(a, b) FROM t", "SELECT * FROM system.tables",
        "SELECT 'it\\'s; DROP TABLE t' AS s", "SELECT `order`, lowerUTF8(name) LIKE lowerUTF8('%a%') FROM t",
        "WITH 2 AS k SELECT k * x FROM t", "SELECT has([1, 2], x) FROM t",
        "SELECT name, value FROM system.settings WHERE changed"}) {
    Status s = check_read_only_statement(sql, kCh);
    EXPECT_TRUE(s.ok()) << sql << " -> " << s.to_string();
  }
}

TEST(ClickhouseGuard, RefusesWritesSettingsFormatsAndOtherFunctions) {
  for (const char* sql : {"SELECT * FROM t SETTINGS readonly = 0", "SELECT * FROM t FORMAT Native",
                          "SELECT * FROM t INTO OUTFILE '/tmp/x'", "OPTIMIZE TABLE t FINAL", "KILL QUERY WHERE 1",
                          "SELECT sleep(3)", "SELECT sleepEachRow(1) FROM t", "SELECT * FROM numbers(10)",
                          "SELECT * FROM file('/etc/passwd', 'TSV', 'x String')", "SELECT * FROM remote('h', db.t)",
                          "SELECT dictGetString('d', 'a', toUInt64(1))", "SELECT range(100000000)",
                          "SELECT 'a\\'' , sleep(3) -- '", "SELECT 1 AS `a\\`` , sleep(3) -- `", "SELECT [sleep(3)]",
                          "ALTER TABLE t DELETE WHERE 1", "SELECT db.sleep(1)"}) {
    Status s = check_read_only_statement(sql, kCh);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << sql << " -> " << s.to_string();
  }
  // The same text under SQLite's reading hides the call in a string.
  EXPECT_TRUE(check_read_only_statement("SELECT 'a\\'' , sleep(3) -- '", Dialect::Engine::kSqlite).ok());
  EXPECT_GT(allowed_function_count(kCh), 200u);
  EXPECT_TRUE(is_allowed_function("toyear", kCh));
  EXPECT_FALSE(is_allowed_function("sleep", kCh));
  EXPECT_FALSE(is_allowed_function("toyear", Dialect::Engine::kSqlite));
}

// Whatever the text, quoted as a literal and as a name it stays one token each.
TEST(ClickhouseDialect, QuotedTextStaysOneToken) {
  Dialect d = Dialect::for_engine("clickhouse");
  for (const char* text : {"it's", "a\\", "\\'", "''", "`", "x` , sleep(3) -- ", "\\\\'\n", "/* ", "-- x", "\t\\N"}) {
    std::string sql = "SELECT " + d.string_literal(text) + " AS " + d.quote_identifier(text);
    auto lexed = lex_sql(sql, kCh);
    ASSERT_TRUE(lexed.error.empty()) << sql << ": " << lexed.error;
    ASSERT_EQ(lexed.tokens.size(), 4u) << sql;
    EXPECT_EQ(lexed.tokens[1].kind, SqlTokenKind::kString) << sql;
    EXPECT_EQ(lexed.tokens[3].kind, SqlTokenKind::kQuotedName) << sql;
    EXPECT_EQ(lexed.tokens[3].value, text) << sql;
    EXPECT_TRUE(check_read_only_statement(sql, kCh).ok()) << sql;
  }
}

}  // namespace
}  // namespace t2sql
