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

#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "test_support.h"

extern char** environ;

namespace t2sql::testing {
namespace {

using nlohmann::json;

// Runs `t2sql serve --port 0 ...` and reads the port from its first line.
class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> extra) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args = {T2SQL_BINARY, "serve", "--port", "0", "--db", demo_db()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, T2SQL_BINARY, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    char line[512];
    if (out_ && fgets(line, sizeof line, out_)) {
      first_line_ = line;
      auto pos = first_line_.find("127.0.0.1:");
      if (pos != std::string::npos) port_ = std::atoi(first_line_.c_str() + pos + 10);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0 && !stopped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_) fclose(out_);
  }
  // SIGTERM, then the exit status.
  int stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    stopped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  int port() const { return port_; }
  const std::string& first_line() const { return first_line_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int port_ = 0;
  bool stopped_ = false;
  std::string first_line_;
};

TEST(ServeCommand, AnswersTheDesignExamplesAndSurvivesBadInput) {
  ServeProcess server({});
  ASSERT_GT(server.port(), 0) << server.first_line();
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(30, 0);
  auto db = Database::open(demo_db());
  for (const auto& q : demo_example_queries()) {
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
  RunResult r = run_t2sql({"serve", "--db", demo_db(), "--port", "70000"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
  RunResult m = run_t2sql({"serve", "--db", demo_db(), "--mode", "magic"});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_NE(m.err.find("unknown mode"), std::string::npos) << m.err;
  RunResult d = run_t2sql({"serve", "--db", "/no/such/file.db"});
  EXPECT_EQ(d.exit_code, 1);
}

}  // namespace
}  // namespace t2sql::testing
