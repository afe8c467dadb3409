// Nothing a user supplies may abort t2sql: the commands and every HTTP route
// get generated and mutated input (invalid UTF-8, stray bytes, wrong types,
// malformed files and requests) and must answer with an exit code of 0, 1 or
// 2 and a message, or an HTTP status with a JSON error, and keep serving.
// The mutations come from a fixed seed, so a failure reproduces.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "raw_http.h"
#include "serve_process.h"
#include "t2sql/demo.h"
#include "test_support.h"

namespace t2sql::testing {
namespace {

using nlohmann::json;

constexpr unsigned kSeed = 16;

// Byte-level mutations of a text: flips, inserted high bytes (half of a
// UTF-8 sequence, or none), deletions, a duplicated stretch. Never a NUL,
// which argv cannot carry.
std::string mutate(const std::string& text, std::mt19937& rng) {
  std::string s = text;
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0: s.insert(at, 1, static_cast<char>(0x80 + rng() % 0x80)); break;
      case 1: s.insert(at, "\xff"); break;
      case 2:
        if (at < s.size()) s[at] = static_cast<char>(1 + rng() % 255);
        break;
      case 3:
        if (at < s.size()) s.erase(at, 1 + rng() % 3);
        break;
      default: s.insert(at, s.substr(0, std::min<size_t>(s.size(), 1 + rng() % 12))); break;
    }
  }
  return s;
}

// A user's mistake gets a message; only a crash (a signal, 134 from an abort
// through the shell) or a silent failure fails the test.
void expect_clean_exit(const RunResult& r, const std::string& what) {
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2) << what << ": exit " << r.exit_code << "\n"
                                                                        << r.err.substr(0, 400);
  if (r.exit_code == 1) EXPECT_NE(r.err.find("error"), std::string::npos) << what << ": " << r.err.substr(0, 400);
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << what << ": " << r.err.substr(0, 400);
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& content) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(CrashFreedom, AskInEveryFormatOnMutatedQuestions) {
  std::mt19937 rng(kSeed);
  std::vector<std::string> questions = {"sales by region \xff",
                                        "total sales in 2023\xc3",
                                        "\xe2\x82",
                                        std::string(3000, 'x'),
                                        "' OR 1=1 --",
                                        "\"\"\"",
                                        "top 5 brands by revenue \xed\xa0\x80"};
  auto examples = demo_example_queries();
  for (int i = 0; i < 6; ++i) questions.push_back(mutate(examples[rng() % examples.size()].question, rng));
  const char* formats[] = {"table", "json", "csv", "markdown"};
  for (size_t i = 0; i < questions.size(); ++i) {
    const char* format = formats[i % 4];
    RunResult r = run_t2sql({"ask", "--db", demo_db(), "-f", format, questions[i]});
    expect_clean_exit(r, std::string("ask -f ") + format + " question " + std::to_string(i));
    if (std::string(format) == "json" && r.exit_code != 2) {
      json j = json::parse(r.out, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << "question " << i << ": " << r.out.substr(0, 300);
    }
  }
  // The reproduction, in every format.
  for (const char* format : formats) {
    RunResult r = run_t2sql({"ask", "--db", demo_db(), "-f", format, "sales by region \xff"});
    expect_clean_exit(r, std::string("ask -f ") + format + " with \\xff");
  }
}

TEST(CrashFreedom, AskWithABadSessionFile) {
  std::string dir = temp_dir("crash-session");
  RunResult folder = run_t2sql({"ask", "--db", demo_db(), "total sales in 2023", "--session", dir});
  EXPECT_EQ(folder.exit_code, 1);
  EXPECT_NE(folder.err.find("is a folder"), std::string::npos) << folder.err;
  for (const std::string& content :
       {std::string("{\"turns\": [{\"question\": 5}]}"), std::string("\xff\xfe{"), std::string("[1,2"),
        std::string("{\"turns\": [1]}"), std::string("{\"turns\": [{\"sql\": {\"a\": 1}}]}")}) {
    std::string path = write_file(dir, "s.json", content);
    RunResult r = run_t2sql({"ask", "--db", demo_db(), "total sales in 2023", "--session", path});
    expect_clean_exit(r, "--session holding " + content);
    EXPECT_EQ(r.exit_code, 1) << content;
  }
}

TEST(CrashFreedom, SqlSchemaAndRetrieveOnBadInput) {
  std::mt19937 rng(kSeed + 1);
  std::string dir = temp_dir("crash-files");
  std::vector<std::string> statements = {
      "SELECT '\xff'", "SELECT 1 /* \xc3", "SELECT \"unterminated", "SELECT 99999999999999999999999999", "",
      ";;;",           "SELECT x'zz'"};
  for (int i = 0; i < 4; ++i) statements.push_back(mutate("SELECT region, SUM(amount) FROM sales GROUP BY 1", rng));
  for (size_t i = 0; i < statements.size(); ++i) {
    const char* format = i % 2 ? "json" : "table";
    expect_clean_exit(run_t2sql({"sql", "--db", demo_db(), "-f", format, statements[i]}),
                      "sql statement " + std::to_string(i));
  }
  std::string junk = write_file(dir, "junk.db", std::string("SQLite format 3\0\xff\xff\x01\x02", 20) + "garbage");
  std::string empty = write_file(dir, "empty.db", "");
  std::string text = write_file(dir, "text.duckdb", "not a database\n");
  for (const std::string& db : {dir, junk, empty, text, std::string("sqlite://"), std::string("duckdb://" + dir),
                                std::string("postgresql://u:p@[::1"), std::string("\xff://x"), dir + "/none.db"}) {
    expect_clean_exit(run_t2sql({"schema", "--db", db}), "schema --db " + db);
    expect_clean_exit(run_t2sql({"schema", "--db", db, "-f", "json"}), "schema -f json --db " + db);
  }
  for (const std::string& q :
       {std::string("sales \xff by region"), mutate("average price per brand", rng), std::string(2000, '\xc3')}) {
    expect_clean_exit(run_t2sql({"retrieve", "--db", demo_db(), q}), "retrieve " + q.substr(0, 40));
    expect_clean_exit(run_t2sql({"retrieve", "--db", demo_db(), "-f", "json", q}), "retrieve -f json");
  }
}

TEST(CrashFreedom, EvalOnMalformedSuites) {
  std::string dir = temp_dir("crash-suites");
  std::vector<std::pair<std::string, std::string>> jsonl = {
      {"truncated.jsonl", "{\"db\": \"demo\", \"question\": \"total sales\", \"sql\": \"SELECT 1\"}\n{\"db\": \"de"},
      {"types.jsonl", "{\"db\": 5, \"question\": [\"a\"], \"sql\": {\"x\": 1}}\n"},
      {"utf8.jsonl", "{\"db\": \"demo\", \"question\": \"total \xff sales\", \"sql\": \"SELECT '\xc3'\"}\n"},
      {"binary.jsonl", std::string("\x00\x01\x02\xff\xfe", 5)},
      {"empty.jsonl", ""},
      {"deep.jsonl", std::string(5000, '[') + "\n"},
      {"missing-db.jsonl", "{\"db\": \"no/such.db\", \"question\": \"q\", \"sql\": \"SELECT 1\"}\n"}};
  for (const auto& [name, content] : jsonl) {
    std::string path = write_file(dir, name, content);
    expect_clean_exit(run_t2sql({"eval", "--suite", "jsonl", "--data", path, "--db", demo_db(), "-q"}),
                      "eval jsonl " + name);
  }
  std::string spider = temp_dir("crash-spider");
  write_file(spider, "dev.json", "[{\"db_id\": 1, \"question\": \"q\", \"query\": \"SELECT 1\"}, \"x\"]");
  expect_clean_exit(run_t2sql({"eval", "--suite", "spider", "--data", spider, "-q"}), "eval spider bad types");
  write_file(spider, "dev.json", "[{\"db_id\": \"x\", \"question\": \"q\", \"query\": \"SELECT 1\", \"sql\": [1]}]");
  expect_clean_exit(run_t2sql({"eval", "--suite", "spider", "--data", spider, "-q"}), "eval spider sql array");
  std::string defog = write_file(dir, "defog.csv", "db_name,query,question\n\"unterminated,\xff\n,,\n");
  expect_clean_exit(run_t2sql({"eval", "--suite", "defog", "--data", defog, "-q"}), "eval defog csv");
  expect_clean_exit(run_t2sql({"eval", "--suite", "jsonl", "--data", dir, "-q"}), "eval jsonl folder");
}

// Every route with mutated bodies, paths, methods and raw malformed requests;
// the server must answer each (or close) and still serve /health.
TEST(CrashFreedom, EveryRouteOnMutatedRequests) {
  ServeProcess server({"--max-body", "200000"});
  ASSERT_GT(server.port(), 0) << server.first_line();
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(20, 0);
  std::mt19937 rng(kSeed + 2);

  std::vector<std::string> paths = {"/%ff",
                                    "/%c3",
                                    "/%00",
                                    "/..%2f..%2fetc%2fpasswd",
                                    "/api/%ff%fe",
                                    "/generate-sql%ff",
                                    "/vendor/%e2%82",
                                    "/" + std::string(6000, 'a'),
                                    "/index.html?%ff=%fe"};
  for (int i = 0; i < 12; ++i) {
    std::string p = "/";
    for (int k = 0; k < 6; ++k) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02x", static_cast<unsigned>(rng() % 256));
      p += buf;
    }
    paths.push_back(p);
  }
  for (const auto& p : paths) {
    for (const char* method : {"GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD"}) {
      std::string answer =
          exchange(server.port(), std::string(method) + " " + p +
                                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      EXPECT_GT(status_of(answer), 0) << method << " " << p;
    }
  }
  ASSERT_TRUE(server.alive()) << "the server died on a path";

  std::vector<std::string> bodies;
  for (const auto& q : demo_example_queries())
    bodies.push_back(json{{"query", q.question}, {"mode", "template"}, {"svg", true}}.dump());
  std::vector<std::string> cases = {"{\"query\": \"sales by region \xff\"}",
                                    "{\"query\": \"total\", \"mode\": \"\xff\"}",
                                    "{\"query\": \"total\", \"session\": \"\xc3\"}",
                                    "{\"query\": \"total\", \"instructions\": \"\xe2\x82\"}",
                                    "{\"query\": 5}",
                                    "{\"query\": null, \"mode\": []}",
                                    "{\"query\": \"total\", \"use_rag\": \"yes\", \"svg\": 3}",
                                    "[]",
                                    "\"just a string\"",
                                    std::string(60000, '[') + std::string(60000, ']'),
                                    "{\"query\": \"" + std::string(100000, 'a') + "\"}"};
  for (int i = 0; i < 60; ++i) cases.push_back(mutate(bodies[rng() % bodies.size()], rng));
  for (size_t i = 0; i < cases.size(); ++i) {
    for (const char* route : {"/generate-sql", "/api/ask"}) {
      auto res = client.Post(route, cases[i], "application/json");
      ASSERT_TRUE(res) << route << " case " << i << ": " << httplib::to_string(res.error());
      EXPECT_TRUE(res->status == 200 || (res->status >= 400 && res->status < 500) || res->status == 503)
          << route << " case " << i << ": " << res->status << " " << res->body.substr(0, 200);
      if (std::string(route) == "/generate-sql" || res->status != 200)
        EXPECT_FALSE(json::parse(res->body, nullptr, false).is_discarded()) << route << " case " << i;
    }
  }
  ASSERT_TRUE(server.alive()) << "the server died on a body";

  std::vector<std::string> raw = {
      "\xff\xfe\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "GET\r\n\r\n",
      "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
      "GET / HTTP/1.1\r\nX: " + std::string(100000, 'x') + "\r\n\r\n",
      "POST /generate-sql HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "POST /generate-sql HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
      "POST /generate-sql HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST /generate-sql HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
      "POST /generate-sql HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
      "POST /generate-sql HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
      "POST /generate-sql HTTP/1.1\r\n\r\n",
      std::string("GET /\0health HTTP/1.1\r\n\r\n", 26),
      "GET /health HTTP/1.1\r\nHost: \xff\r\n\r\n",
      "GET /health HTTP/1.1\r\nOrigin: \xff\r\nHost: 127.0.0.1\r\n\r\n"};
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string answer = exchange(server.port(), raw[i], 3000);
    EXPECT_GT(status_of(answer), 0) << "raw request " << i << " got no answer: " << answer.substr(0, 100);
    EXPECT_NE(answer.find("X-Content-Type-Options: nosniff"), std::string::npos) << "raw request " << i;
  }
  ASSERT_TRUE(server.alive()) << "the server died on a raw request";
  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace t2sql::testing
