#include "eval/benchmark_suite.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace t2sql {
namespace {

namespace fs = std::filesystem;

std::string shared_data() {
  const char* env = std::getenv("T2SQL_SHARED_DIR");
  return (env && *env ? std::string(env) : std::string(T2SQL_SOURCE_DIR) + "/../shared") + "/data";
}

std::string temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("t2sql_suite_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(ExpandGoldAlternativesTest, NoBracesIsTheQueryItself) {
  EXPECT_EQ(expand_gold_alternatives("SELECT a FROM t"), std::vector<std::string>{"SELECT a FROM t"});
}

TEST(ExpandGoldAlternativesTest, EachNonEmptySubsetSinglesFirst) {
  auto out = expand_gold_alternatives("SELECT {id, name}, x FROM t");
  EXPECT_EQ(out,
            (std::vector<std::string>{"SELECT id, x FROM t", "SELECT name, x FROM t", "SELECT id, name, x FROM t"}));
}

TEST(ExpandGoldAlternativesTest, EmptyBracesRepeatThePreviousChoice) {
  auto out = expand_gold_alternatives("SELECT {m.mid, m.name}, SUM(w) FROM m GROUP BY {}, m.category");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "SELECT m.mid, SUM(w) FROM m GROUP BY m.mid, m.category");
  EXPECT_EQ(out[1], "SELECT m.name, SUM(w) FROM m GROUP BY m.name, m.category");
  EXPECT_EQ(out[2], "SELECT m.mid, m.name, SUM(w) FROM m GROUP BY m.mid, m.name, m.category");
}

TEST(ExpandGoldAlternativesTest, BracesInsideStringsStayAndTheCountIsCapped) {
  EXPECT_EQ(expand_gold_alternatives("SELECT a FROM t WHERE b = '{x, y}'").size(), 1u);
  auto many = expand_gold_alternatives("SELECT {a, b, c, d}, {e, f, g, h} FROM t", 10);
  EXPECT_EQ(many.size(), 10u);
}

TEST(SplitSqlStatementsTest, SemicolonsOutsideStringsSplit) {
  EXPECT_EQ(split_sql_statements("SELECT 1;SELECT ';' ; "), (std::vector<std::string>{"SELECT 1", "SELECT ';'"}));
  EXPECT_EQ(split_sql_statements("SELECT 1"), std::vector<std::string>{"SELECT 1"});
}

TEST(ParseCsvTest, QuotedFieldsCommasNewlinesAndDoubledQuotes) {
  auto rows = parse_csv("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\nthere\"\r\n2,,z\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1][1], "x, y");
  EXPECT_EQ((*rows)[1][2], "say \"hi\"\nthere");
  EXPECT_EQ((*rows)[2], (std::vector<std::string>{"2", "", "z"}));
  EXPECT_FALSE(parse_csv("a\n\"open").ok());
}

TEST(SpiderSuiteTest, LoadsTheSharedDevSet) {
  std::string dir = shared_data() + "/spider-dev-open";
  if (!fs::exists(dir + "/dev.json")) GTEST_SKIP() << "no shared Spider data";
  auto suite = load_spider_suite(dir);
  ASSERT_TRUE(suite.ok()) << suite.status().message();
  EXPECT_EQ(suite->cases.size(), 543u);
  EXPECT_TRUE(suite->skipped.empty());
  const EvalCase& first = suite->cases.front();
  EXPECT_EQ(first.db_id, "concert_singer");
  EXPECT_EQ(first.question, "How many singers do we have?");
  EXPECT_EQ(first.gold_sql, "SELECT count(*) FROM singer");
  EXPECT_EQ(first.hardness, "easy");
  EXPECT_TRUE(first.db_uri.ends_with("/database/concert_singer/concert_singer.sqlite")) << first.db_uri;
  EXPECT_TRUE(fs::exists(first.db_uri.substr(9)));
}

TEST(SpiderSuiteTest, BadInputIsAClearError) {
  EXPECT_EQ(load_spider_suite("/nonexistent/spider").status().code(), StatusCode::kNotFound);
  std::string dir = temp_dir("spider_bad");
  write(dir + "/dev.json", "{\"not\": \"a list\"}");
  auto bad = load_spider_suite(dir);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  write(dir + "/dev.json", "[{\"db_id\": \"x\"}]");
  EXPECT_NE(load_spider_suite(dir).status().message().find("entry 0"), std::string::npos);
  // A question whose database is missing is skipped, with the reason.
  write(dir + "/dev.json", "[{\"db_id\": \"x\", \"question\": \"q\", \"query\": \"SELECT 1\"}]");
  auto skipped = load_spider_suite(dir);
  ASSERT_TRUE(skipped.ok());
  EXPECT_TRUE(skipped->cases.empty());
  ASSERT_EQ(skipped->skipped.size(), 1u);
  fs::remove_all(dir);
}

TEST(DefogSuiteTest, LoadsTheSharedQuestionFiles) {
  std::string dir = shared_data() + "/defog";
  if (!fs::exists(dir + "/questions")) GTEST_SKIP() << "no shared defog data";
  auto suite = load_defog_suite(dir);
  ASSERT_TRUE(suite.ok()) << suite.status().message();
  // 40 basic + 64 advanced questions; those whose database has no SQLite file
  // are skipped with a reason unless a URI template is given.
  EXPECT_EQ(suite->cases.size() + suite->skipped.size(), 104u);
  auto with_uri = load_defog_suite(dir, {.defog_db_uri_template = "postgresql://127.0.0.1/{db}"});
  ASSERT_TRUE(with_uri.ok());
  ASSERT_EQ(with_uri->cases.size(), 104u);
  bool categories = false;
  for (const auto& c : with_uri->cases) {
    categories |= c.category == "basic_left_join";
    EXPECT_FALSE(c.gold_alternatives.empty());
    if (!fs::exists(dir + "/sqlite/" + c.db_id + ".sqlite")) {
      EXPECT_EQ(c.db_uri, "postgresql://127.0.0.1/" + c.db_id);
    }
  }
  EXPECT_TRUE(categories);
  // The advanced questions carry their instructions.
  auto advanced =
      load_defog_suite(dir + "/questions/instruct_advanced_sqlite.csv", {.defog_db_uri_template = "x://{db}"});
  ASSERT_TRUE(advanced.ok());
  EXPECT_EQ(advanced->cases.size(), 64u);
  EXPECT_FALSE(advanced->cases[0].instructions.empty());
}

TEST(DefogSuiteTest, ExpandsAlternativesFromTheCsv) {
  std::string dir = temp_dir("defog");
  fs::create_directories(dir + "/questions");
  fs::create_directories(dir + "/sqlite");
  write(dir + "/sqlite/shop.sqlite", "");
  write(dir + "/sqlite/other.db", "");
  write(dir + "/questions/mine_sqlite.csv",
        "db_name,query_category,query,question\n"
        "shop,group_by,\"SELECT {id, name}, COUNT(*) FROM t GROUP BY {}\",Count per item?\n"
        "other,x,SELECT a FROM t;SELECT b FROM t;,Either?\n");
  auto suite = load_defog_suite(dir, {.defog_db_uri_template = dir + "/sqlite/../sqlite/{db}.db"});
  ASSERT_TRUE(suite.ok()) << suite.status().message();
  ASSERT_EQ(suite->cases.size(), 2u);
  // ';'-separated gold queries are alternatives; a plain path becomes a canonical sqlite:// URI.
  EXPECT_EQ(suite->cases[1].gold_alternatives, (std::vector<std::string>{"SELECT a FROM t", "SELECT b FROM t"}));
  EXPECT_EQ(suite->cases[1].db_uri, "sqlite://" + dir + "/sqlite/other.db");
  EXPECT_EQ(suite->cases[0].gold_alternatives.size(), 3u);
  EXPECT_EQ(suite->cases[0].gold_alternatives[1], "SELECT name, COUNT(*) FROM t GROUP BY name");
  EXPECT_EQ(suite->cases[0].category, "group_by");
  write(dir + "/questions/mine_sqlite.csv", "db_name,question\nshop,q\n");
  EXPECT_NE(load_defog_suite(dir).status().message().find("'query' column"), std::string::npos);
  fs::remove_all(dir);
}

TEST(JsonlSuiteTest, ResolvesDatabasesAndReportsBadLines) {
  std::string dir = temp_dir("jsonl");
  write(dir + "/shop.db", "");
  write(dir + "/suite.jsonl",
        "{\"db\": \"shop.db\", \"question\": \"How many?\", \"sql\": \"SELECT count(*) FROM t\", \"category\": "
        "\"count\"}\n\n"
        "{\"db\": \"demo\", \"question\": \"Total?\", \"sql\": \"SELECT SUM(amount) FROM sales\", "
        "\"instructions\": \" Total means the sum of amount. \"}\n");
  auto suite = load_jsonl_suite(dir + "/suite.jsonl", {.demo_db_path = dir + "/demo.db"});
  ASSERT_TRUE(suite.ok()) << suite.status().message();
  ASSERT_EQ(suite->cases.size(), 2u);
  EXPECT_EQ(suite->name, "suite");
  EXPECT_EQ(suite->cases[0].db_uri, "sqlite://" + dir + "/shop.db");
  EXPECT_EQ(suite->cases[0].category, "count");
  EXPECT_EQ(suite->cases[0].id, "suite:1");
  EXPECT_EQ(suite->cases[1].db_id, "demo");
  EXPECT_EQ(suite->cases[1].db_uri, "sqlite://" + dir + "/demo.db");
  EXPECT_EQ(suite->cases[0].instructions, "");
  EXPECT_EQ(suite->cases[1].instructions, "Total means the sum of amount.");

  write(dir + "/bad.jsonl", "{\"db\": \"shop.db\", \"question\": \"q\", \"sql\": \"SELECT 1\"}\nnot json\n");
  auto bad = load_jsonl_suite(dir + "/bad.jsonl");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().message();
  write(dir + "/bad.jsonl", "{\"db\": \"missing.db\", \"question\": \"q\", \"sql\": \"SELECT 1\"}\n");
  EXPECT_EQ(load_jsonl_suite(dir + "/bad.jsonl").status().code(), StatusCode::kNotFound);
  write(dir + "/bad.jsonl", "{\"db\": \"shop.db\", \"question\": \"\", \"sql\": \"SELECT 1\"}\n");
  EXPECT_NE(load_jsonl_suite(dir + "/bad.jsonl").status().message().find("\"question\""), std::string::npos);
  write(dir + "/empty.jsonl", "\n");
  EXPECT_EQ(load_jsonl_suite(dir + "/empty.jsonl").status().code(), StatusCode::kInvalidArgument);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace t2sql
