// The HTTP backend against a real llama-server (built from the same llama.cpp
// source with -DT2SQL_LLAMA_TOOLS=ON) serving the tiny model on 127.0.0.1.
#include <cctype>
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "eval/grammar_coverage.h"
#include "llm/sql_grammar.h"
#include "llm/sql_scope_checker.h"
#include "testing/test_models.h"
#include "t2sql/llm_backend.h"

extern char** environ;

namespace t2sql {
namespace {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string server_binary() {
  return std::string(T2SQL_BINARY_DIR) + "/bin/llama-server";
}

class LlamaServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(server_binary())) return;
    model_ = testing::tiny_model();
    if (model_.empty()) return;
    port_ = free_port();
    std::string port = std::to_string(port_);
    std::vector<std::string> args = {server_binary(), "-m", model_, "--host", "127.0.0.1", "--port",    port, "-c",
                                     "1024",          "-t", "2",    "-np",    "1",         "--no-webui"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    std::string log = testing::model_dir() + "/llama-server.log";
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = 0;
    posix_spawn_file_actions_destroy(&fa);
    // Ready when /health answers 200 (the model is loaded), within 60 s.
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(std::chrono::milliseconds(200));
    for (int i = 0; pid_ && i < 300 && !ready_; ++i) {
      auto res = c.Get("/health");
      ready_ = res && res->status == 200;
      if (!ready_) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = 0;
    }
  }

  void SetUp() override {
    if (!std::filesystem::exists(server_binary())) {
      GTEST_SKIP() << "llama-server not built at " << server_binary()
                   << " (configure with -DT2SQL_LLAMA_TOOLS=ON; scripts/test.sh does)";
    }
    ASSERT_FALSE(model_.empty());
    ASSERT_TRUE(ready_) << "llama-server did not become ready; see " << testing::model_dir() << "/llama-server.log";
  }

  static std::string url() { return "http://127.0.0.1:" + std::to_string(port_); }

  static inline std::string model_;
  static inline pid_t pid_ = 0;
  static inline int port_ = 0;
  static inline bool ready_ = false;
};

const char* kPrompt = "### Context\nCREATE TABLE sales (amount REAL);\n\n### Question\nhow much?\n\n### Answer\n";

TEST_F(LlamaServerTest, CompletionMatchesTheInProcessBackend) {
  auto http = make_llm_backend({.url = url()});
  ASSERT_TRUE(http.ok()) << http.status().message();
  auto local = make_llm_backend({.model_path = model_, .threads = 2, .n_ctx = 1024});
  ASSERT_TRUE(local.ok()) << local.status().message();
  LlmRequest req{.prompt = kPrompt, .max_tokens = 8, .stop_at_statement_end = false};
  auto a = (*http)->complete(req);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_GT(a->prompt_tokens, 10);
  EXPECT_GT(a->completion_tokens, 0);
  EXPECT_FALSE(a->text.empty());
  // Same weights, same greedy decoding: the same first tokens.
  auto b = (*local)->complete(req);
  ASSERT_TRUE(b.ok());
  size_t common = 0;
  while (common < a->text.size() && common < b->text.size() && a->text[common] == b->text[common]) ++common;
  EXPECT_GE(common, std::min<size_t>(8, std::min(a->text.size(), b->text.size()))) << a->text << " | " << b->text;
}

TEST_F(LlamaServerTest, GrammarIsHonouredByTheServer) {
  auto http = make_llm_backend({.url = url()});
  ASSERT_TRUE(http.ok());
  const std::string ddl = "CREATE TABLE sales (amount REAL, day TEXT);";
  SqlConstraint constraint = build_sql_constraint(ddl, "sqlite");
  ASSERT_FALSE(constraint.gbnf.empty());
  auto out = (*http)->complete({.prompt = kPrompt, .grammar = constraint.gbnf, .max_tokens = 64});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_FALSE(out->text.empty());
  // Every character the server wrote is one that llama.cpp's own reading of
  // the grammar accepts. A random model may stop before the statement ends,
  // and the scope checker cannot run on a server: only the grammar is asked.
  auto checker = ConstraintChecker::make(ddl, "sqlite");
  ASSERT_TRUE(checker.ok()) << checker.status().message();
  ConstraintCheck c = checker->check(out->text);
  bool grammar_kept = c.ok || c.stage == "scope" || c.offset == out->text.size();
  EXPECT_TRUE(grammar_kept) << "refused at " << c.offset << " (" << c.stage << ": " << c.message
                            << "): " << out->text;
}

TEST_F(LlamaServerTest, ChatEndpointAnswers) {
  auto http = make_llm_backend({.url = url() + "/v1", .endpoint = "chat"});
  ASSERT_TRUE(http.ok());
  EXPECT_TRUE((*http)->uses_chat_messages());
  auto out = (*http)->complete(
      {.messages = {{"system", "Write SQL."}, {"user", "how much?"}}, .max_tokens = 4, .stop_at_statement_end = false});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_GT(out->completion_tokens, 0);
}

}  // namespace
}  // namespace t2sql
