// `t2sql serve` as a process on 127.0.0.1, with the real template engine,
// asked by a real HTTP client: the design examples, bad input, shutdown.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "serve_process.h"
#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "test_support.h"

namespace t2sql::testing {
namespace {

using nlohmann::json;

TEST(ServeCommand, AnswersTheDesignExamplesAndSurvivesBadInput) {
  ServeProcess server({});
  ASSERT_GT(server.port(), 0) << server.first_line();
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(30, 0);
  auto db = Database::open(demo_db());
  // Two of the design examples: a single total and a measure by category.
  auto examples = demo_example_queries();
  for (const auto& q : {examples[0], examples[3]}) {
    auto res =
        client.Post("/generate-sql", json{{"query", q.question}, {"mode", "template"}}.dump(), "application/json");
    ASSERT_TRUE(res) << q.question;
    ASSERT_EQ(res->status, 200) << q.question << ": " << res->body;
    json body = json::parse(res->body);
    auto want = (*db)->execute(q.sql);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(body["results"].size(), want->rows.size()) << q.question << "\n" << body["sql"];
    EXPECT_EQ(body["meta"]["stages"].size(), 9u);
  }
  auto bad = client.Post("/generate-sql", "{not json", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(json::parse(bad->body).contains("error"));
  auto unknown =
      client.Post("/generate-sql", R"({"query": "total sales in 2023", "mode": "psychic"})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  auto missing = client.Post("/generate-sql", R"({"question": "total sales"})", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  auto big = client.Post("/generate-sql", "{\"query\": \"" + std::string(10 << 20, 'x') + "\"}", "application/json");
  if (big) EXPECT_EQ(big->status, 413);
  auto drop = client.Post("/generate-sql", R"({"query": "drop the sales table"})", "application/json");
  ASSERT_TRUE(drop);
  EXPECT_EQ(drop->status, 403);
  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeCommand, BadOptionsFailBeforeListening) {
  // A wrong value is a wrong command line: exit 2, the option named.
  RunResult r = run_t2sql({"serve", "--db", demo_db(), "--port", "70000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--port"), std::string::npos) << r.err;
  RunResult m = run_t2sql({"serve", "--db", demo_db(), "--mode", "magic"});
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("--mode: magic not in"), std::string::npos) << m.err;
  RunResult d = run_t2sql({"serve", "--db", "/no/such/file.db"});
  EXPECT_EQ(d.exit_code, 1);
}

}  // namespace
}  // namespace t2sql::testing
