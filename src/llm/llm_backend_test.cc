#include "t2sql/llm_backend.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace t2sql {
namespace {

namespace fs = std::filesystem;

class LlmBackendErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("t2sql_llm_errors_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  static std::string vocab_file() { return std::string(T2SQL_LLAMA_DIR) + "/models/ggml-vocab-gpt-2.gguf"; }

  fs::path dir_;
};

TEST_F(LlmBackendErrors, MissingModelIsNotFound) {
  auto b = make_llm_backend({.model_path = (dir_ / "nope.gguf").string()});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kNotFound);
  EXPECT_NE(b.status().message().find("nope.gguf"), std::string::npos);
  EXPECT_NE(b.status().message().find("no such file"), std::string::npos);
}

TEST_F(LlmBackendErrors, NonGgufAndEmptyFilesAreRefused) {
  for (const auto& [name, bytes, expect] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"model.bin", "PK\x03\x04 this is a zip", "not a GGUF file"}, {"empty.gguf", "", "empty file"}}) {
    auto b = make_llm_backend({.model_path = write(name, bytes)});
    ASSERT_FALSE(b.ok()) << name;
    EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(b.status().message().find(expect), std::string::npos) << b.status().message();
  }
}

TEST_F(LlmBackendErrors, TruncatedGgufIsRefusedWithAReason) {
  std::ifstream in(vocab_file(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 1000u);
  // Cut inside the vocabulary: t2sql's header check refuses it before
  // llama.cpp sees it, and says where.
  auto b = make_llm_backend({.model_path = write("cut.gguf", bytes.substr(0, bytes.size() / 2))});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(b.status().message().find("damaged GGUF header: "), std::string::npos) << b.status().message();
  EXPECT_NE(b.status().message().find("at byte"), std::string::npos) << b.status().message();
  EXPECT_EQ(b.status().message().find('\n'), std::string::npos) << "one line: " << b.status().message();
}

TEST_F(LlmBackendErrors, VocabularyWithoutWeightsIsRefused) {
  auto b = make_llm_backend({.model_path = vocab_file()});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(b.status().message().find("cannot load model"), std::string::npos) << b.status().message();
}

TEST_F(LlmBackendErrors, NeitherOrBothSourcesAreRefused) {
  EXPECT_EQ(make_llm_backend({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make_llm_backend({.model_path = "a.gguf", .url = "http://127.0.0.1:1"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(make_llm_backend({.url = "ftp://host"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make_llm_backend({.url = "127.0.0.1:8080"}).status().code(), StatusCode::kInvalidArgument);
}

// A port that nothing listens on: bound by the kernel's choice, then closed.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(LlmBackendErrors, UnreachableServerIsUnavailableAfterRetries) {
  std::string url = "http://127.0.0.1:" + std::to_string(free_port());
  auto b = make_llm_backend({.url = url, .timeout_connect_ms = 500, .retries = 1});
  ASSERT_TRUE(b.ok()) << b.status().message();
  auto out = (*b)->complete({.prompt = "SELECT"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(out.status().message().find(url), std::string::npos) << out.status().message();
}

TEST_F(LlmBackendErrors, ServerErrorsAreReportedWithTheirMessage) {
  httplib::Server server;
  int hits = 0;
  server.Post("/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 400;
    res.set_content(R"({"error":{"message":"grammar too large"}})", "application/json");
  });
  server.Post("/broken/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 503;
    res.set_content("loading model", "text/plain");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::string base = "http://127.0.0.1:" + std::to_string(port);

  auto refused = (*make_llm_backend({.url = base}))->complete({.prompt = "x"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("grammar too large"), std::string::npos);
  EXPECT_EQ(hits, 1);  // a 4xx is not retried

  hits = 0;
  auto busy = (*make_llm_backend({.url = base + "/broken", .retries = 2}))->complete({.prompt = "x"});
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(busy.status().message().find("503"), std::string::npos);
  EXPECT_EQ(hits, 3);  // first try + 2 retries
  server.stop();
  t.join();
}

TEST(LoraSpec, PathAndScale) {
  EXPECT_EQ(*parse_lora_spec("a.gguf"), std::make_pair(std::string("a.gguf"), 1.0f));
  EXPECT_EQ(*parse_lora_spec("/x/a.gguf:0.25"), std::make_pair(std::string("/x/a.gguf"), 0.25f));
  EXPECT_EQ(*parse_lora_spec("a.gguf:0"), std::make_pair(std::string("a.gguf"), 0.0f));
  EXPECT_EQ(parse_lora_spec("a.gguf:half").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_lora_spec("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace t2sql
