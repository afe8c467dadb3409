// `t2sql model pull` against a local stand-in for the Hugging Face Hub on
// 127.0.0.1: the Hub's URL layout (/OWNER/REPO/resolve/REVISION/FILE, a 302 to
// the file's storage with X-Linked-Etag, X-Linked-Size and X-Repo-Commit,
// /api/models/OWNER/REPO/revision/REVISION), serving a tiny GGUF made by
// `t2sql model init`, with range requests, a download that breaks off, a wrong
// checksum, 404 and 401.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "testing/test_models.h"
#include "t2sql/model_hub.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", md[i]);
    hex += b;
  }
  return hex;
}

// The stand-in Hub. The file's storage answers on "localhost", the API on
// "127.0.0.1": two hosts, as the Hub and its CDN are.
class FakeHub {
 public:
  explicit FakeHub(std::string body, std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>(),
                   std::string scheme = "http")
      : body_(std::move(body)),
        published_sha_(sha256_hex(body_)),
        server_(std::move(server)),
        scheme_(std::move(scheme)) {
    server_->Get(
        R"(/([^/]+)/([^/]+)/resolve/([^/]+)/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard lock(mutex_);
          std::string repo = req.matches[1].str() + "/" + req.matches[2].str();
          if (repo == "owner/private-GGUF" && req.get_header_value("Authorization") != "Bearer secret-token") {
            res.status = 401;
            res.set_header("X-Error-Code", "GatedRepo");
            res.set_content("{\"error\":\"Access to this repository is restricted\"}", "application/json");
            return;
          }
          if (repo != "owner/tiny-GGUF" && repo != "owner/private-GGUF") {
            res.status = 404;
            res.set_header("X-Error-Code", "RepoNotFound");
            return;
          }
          if (req.matches[4].str() != "tiny.gguf") {
            res.status = 404;
            res.set_header("X-Error-Code", "EntryNotFound");
            res.set_header("X-Error-Message", "Entry not found");
            return;
          }
          res.status = 302;
          res.set_header("X-Linked-Etag", "\"" + published_sha_ + "\"");
          res.set_header("ETag", "\"" + published_sha_ + "\"");
          res.set_header("X-Linked-Size", std::to_string(body_.size()));
          res.set_header("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
          res.set_header("Location", scheme_ + "://localhost:" + std::to_string(port_) + "/lfs/" + published_sha_);
        });
    server_->Get("/api/models/owner/tiny-GGUF/revision/main", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"id":"owner/tiny-GGUF","siblings":[{"rfilename":"README.md"},{"rfilename":"tiny.gguf"}]})",
                      "application/json");
    });
    server_->Get(R"(/lfs/([0-9a-f]+))", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        ranges_.push_back(req.get_header_value("Range"));
        if (!req.get_header_value("Authorization").empty()) token_leaked_ = true;
        ++lfs_gets_;
      }
      bool cut = cuts_left_.fetch_sub(1) > 0;
      res.set_content_provider(
          body_.size(), "application/octet-stream", [this, cut](size_t offset, size_t length, httplib::DataSink& sink) {
            // A cut transfer stops in the middle of the file, the connection dropped.
            size_t n = cut ? std::min(length, body_.size() / 2 - std::min(offset, body_.size() / 2)) : length;
            if (n > 0) sink.write(body_.data() + offset, n);
            return !cut;
          });
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeHub() {
    server_->stop();
    thread_.join();
  }
  std::string endpoint() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }
  void publish_sha(std::string sha) { published_sha_ = std::move(sha); }
  void cut_next(int n) { cuts_left_ = n; }
  std::vector<std::string> ranges() {
    std::lock_guard lock(mutex_);
    return ranges_;
  }
  int lfs_gets() {
    std::lock_guard lock(mutex_);
    return lfs_gets_;
  }
  bool token_leaked() {
    std::lock_guard lock(mutex_);
    return token_leaked_;
  }
  const std::string& body() const { return body_; }

 private:
  std::string body_, published_sha_;
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<std::string> ranges_;  // guarded by mutex_
  int lfs_gets_ = 0;                 // guarded by mutex_
  bool token_leaked_ = false;        // guarded by mutex_
  std::atomic<int> cuts_left_{0};
};

// A self-signed certificate for 127.0.0.1 and localhost (its own CA), as PEM files.
bool write_self_signed(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (!key || !cert) return false;
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("t2sql test hub"), -1, -1,
                             0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) return false;
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  bool ok = X509_sign(cert, key, EVP_sha256()) > 0;
  FILE* c = std::fopen(cert_path.c_str(), "w");
  FILE* k = std::fopen(key_path.c_str(), "w");
  ok = ok && c && k && PEM_write_X509(c, cert) && PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
  if (c) std::fclose(c);
  if (k) std::fclose(k);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

class ModelPullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = testing::tiny_model("hub", "--vocab gpt-2 --n-embd 32 --n-layer 1 --n-head 2 --seed 11");
    ASSERT_FALSE(model_.empty());
    hub_ = std::make_unique<FakeHub>(read_all(model_));
    cache_ = (fs::temp_directory_path() / ("t2sql_pull_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                 .string();
    fs::remove_all(cache_);
    ::setenv("HF_TOKEN_PATH", "/nonexistent/t2sql-test-token", 1);  // never a real token of the machine
    ::unsetenv("HF_TOKEN");
  }
  void TearDown() override { fs::remove_all(cache_); }

  PullOptions options(const std::string& spec) {
    return {.spec = spec, .endpoint = hub_->endpoint(), .cache_dir = cache_, .quiet = true, .timeout_s = 5};
  }

  std::string model_;
  std::unique_ptr<FakeHub> hub_;
  std::string cache_;
};

TEST_F(ModelPullTest, PullsVerifiesAndCachesUnderItsName) {
  auto r = pull_model(options("owner/tiny-GGUF:tiny.gguf"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->downloaded);
  EXPECT_EQ(r->model.name, "tiny");
  EXPECT_EQ(r->model.path, cache_ + "/tiny.gguf");
  EXPECT_EQ(read_all(r->model.path), hub_->body());
  EXPECT_EQ(r->model.sha256, sha256_hex(hub_->body()));
  EXPECT_EQ(r->model.commit, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_FALSE(fs::exists(cache_ + "/tiny.gguf.part"));

  auto listed = list_cached_models(cache_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].repo, "owner/tiny-GGUF");
  EXPECT_EQ(listed[0].sha256, r->model.sha256);
  EXPECT_EQ(resolve_cached_model("tiny", cache_), r->model.path);
  EXPECT_EQ(resolve_cached_model("tiny.gguf", cache_), r->model.path);
  EXPECT_FALSE(resolve_cached_model("other", cache_).has_value());

  // Pulled again: the cache holds the same file, nothing is downloaded.
  int gets = hub_->lfs_gets();
  auto again = pull_model(options("owner/tiny-GGUF:tiny.gguf"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->downloaded);
  EXPECT_EQ(hub_->lfs_gets(), gets);
}

TEST_F(ModelPullTest, ARepositoryWithOneGgufNeedsNoFileName) {
  auto r = pull_model(options("owner/tiny-GGUF"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->model.file, "tiny.gguf");
}

TEST_F(ModelPullTest, ABrokenOffDownloadResumesWithARangeRequest) {
  hub_->cut_next(1);
  auto r = pull_model(options("owner/tiny-GGUF:tiny.gguf"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(read_all(r->model.path), hub_->body());
  auto ranges = hub_->ranges();
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], "");
  EXPECT_EQ(ranges[1], "bytes=" + std::to_string(hub_->body().size() / 2) + "-");
}

TEST_F(ModelPullTest, APartLeftByAnEarlierRunIsContinued) {
  // Every try of the first run breaks off: it fails and keeps the part.
  hub_->cut_next(3);
  auto first = pull_model(options("owner/tiny-GGUF:tiny.gguf"));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(first.status().message().find("run the command again to resume"), std::string::npos);
  int64_t half = static_cast<int64_t>(hub_->body().size() / 2);
  EXPECT_EQ(static_cast<int64_t>(fs::file_size(cache_ + "/tiny.gguf.part")), half);
  EXPECT_FALSE(fs::exists(cache_ + "/tiny.gguf"));

  auto second = pull_model(options("owner/tiny-GGUF:tiny.gguf"));
  ASSERT_TRUE(second.ok()) << second.status().to_string();
  EXPECT_EQ(second->resumed_from, half);
  EXPECT_EQ(hub_->ranges().back(), "bytes=" + std::to_string(half) + "-");
  EXPECT_EQ(read_all(second->model.path), hub_->body());
}

TEST_F(ModelPullTest, AWrongChecksumLeavesNothingBehind) {
  hub_->publish_sha(std::string(64, 'a'));
  auto r = pull_model(options("owner/tiny-GGUF:tiny.gguf"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("checksum mismatch"), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(cache_ + "/tiny.gguf"));
  EXPECT_FALSE(fs::exists(cache_ + "/tiny.gguf.part"));
  EXPECT_TRUE(list_cached_models(cache_).empty());
}

TEST_F(ModelPullTest, AMissingFileOrRepositoryIsNotFound) {
  auto file = pull_model(options("owner/tiny-GGUF:nope.gguf"));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find("HTTP 404 EntryNotFound"), std::string::npos) << file.status().message();
  auto repo = pull_model(options("owner/none-GGUF:tiny.gguf"));
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(list_cached_models(cache_).empty());
}

TEST_F(ModelPullTest, APrivateRepositoryNeedsTheTokenWhichStaysWithTheHub) {
  auto refused = pull_model(options("owner/private-GGUF:tiny.gguf"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("HTTP 401"), std::string::npos);
  EXPECT_NE(refused.status().message().find("HF_TOKEN"), std::string::npos);

  PullOptions o = options("owner/private-GGUF:tiny.gguf");
  o.token = "secret-token";
  auto r = pull_model(o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(read_all(r->model.path), hub_->body());
  EXPECT_FALSE(hub_->token_leaked()) << "the token went to the storage host";
}

TEST_F(ModelPullTest, BadSpecsAreRefusedBeforeAnyRequest) {
  for (const char* spec : {"no-such-preset", "a/b/c:x.gguf", "owner/tiny-GGUF:", "owner/tiny-GGUF:../x.gguf",
                           "owner/tiny-GGUF:notes.txt", "owner/tiny-GGUF:model-00001-of-00002.gguf"}) {
    auto r = pull_model(options(spec));
    ASSERT_FALSE(r.ok()) << spec;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << spec << ": " << r.status().message();
  }
  EXPECT_EQ(hub_->lfs_gets(), 0);
}

TEST_F(ModelPullTest, HttpsChecksTheHubsCertificate) {
  // cpp-httplib (Debian's, built with OpenSSL) checks the certificate against
  // the system's store; SSL_CERT_FILE names another, as OpenSSL's own tools read it.
  fs::create_directories(cache_);
  std::string cert = cache_ + "/hub.pem", key = cache_ + "/hub.key";
  ASSERT_TRUE(write_self_signed(cert, key));
  auto server = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
  ASSERT_TRUE(server->is_valid());
  FakeHub secure(read_all(model_), std::move(server), "https");
  PullOptions o = options("owner/tiny-GGUF:tiny.gguf");
  o.endpoint = secure.endpoint();
  o.cache_dir = cache_ + "/models";

  ::unsetenv("SSL_CERT_FILE");
  auto untrusted = pull_model(o);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(untrusted.status().message().find("SSL"), std::string::npos) << untrusted.status().message();
  EXPECT_EQ(secure.lfs_gets(), 0);

  ::setenv("SSL_CERT_FILE", cert.c_str(), 1);
  auto trusted = pull_model(o);
  ::unsetenv("SSL_CERT_FILE");
  ASSERT_TRUE(trusted.ok()) << trusted.status().to_string();
  EXPECT_EQ(read_all(trusted->model.path), secure.body());
}

// The command as a user runs it: HF_ENDPOINT, HF_TOKEN and XDG_CACHE_HOME
// from the environment, then `--model NAME` from the cache.
std::pair<int, std::string> run(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  int rc = p ? pclose(p) : -1;
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

TEST_F(ModelPullTest, TheCommandHonoursTheEnvironmentAndAsksWithTheCachedName) {
  std::string env = "env -u HF_TOKEN HF_TOKEN_PATH=/nonexistent HF_ENDPOINT=" + hub_->endpoint() +
                    " XDG_CACHE_HOME=" + cache_ + " XDG_DATA_HOME=" + cache_ + "/data ";
  std::string bin = T2SQL_BINARY;
  auto refused = run(env + bin + " model pull owner/private-GGUF:tiny.gguf --quiet");
  EXPECT_EQ(refused.first, 1) << refused.second;
  EXPECT_NE(refused.second.find("HF_TOKEN"), std::string::npos) << refused.second;

  auto pulled = run(env + "HF_TOKEN=secret-token " + bin + " model pull owner/private-GGUF:tiny.gguf --name tiny-sql");
  ASSERT_EQ(pulled.first, 0) << pulled.second;
  EXPECT_NE(pulled.second.find("pulled tiny-sql"), std::string::npos) << pulled.second;
  EXPECT_EQ(read_all(cache_ + "/t2sql/models/tiny-sql.gguf"), hub_->body());

  auto listed = run(env + bin + " model list");
  EXPECT_EQ(listed.first, 0);
  EXPECT_NE(listed.second.find("tiny-sql"), std::string::npos) << listed.second;
  EXPECT_NE(listed.second.find("owner/private-GGUF:tiny.gguf@main"), std::string::npos) << listed.second;

  // --model NAME loads the cached file: the model runs (it is untrained, so
  // the answer may be refused), where an unknown name is a missing file.
  auto known = run(env + bin + " ask --mode llm --model tiny-sql --max-tokens 8 --format json \"how many stores\"");
  EXPECT_EQ(known.second.find("tiny-sql'"), std::string::npos) << known.second;
  EXPECT_NE(known.second.find("tiny-sql.gguf"), std::string::npos) << known.second;  // the engine: llama:tiny-sql.gguf
  auto prompt = run(env + bin + " prompt --model tiny-sql \"how many stores\"");
  EXPECT_EQ(prompt.first, 0) << prompt.second;
  auto unknown = run(env + bin + " ask --mode llm --model no-such-model --max-tokens 8 \"how many stores\"");
  EXPECT_EQ(unknown.first, 1);
  EXPECT_NE(unknown.second.find("no-such-model"), std::string::npos) << unknown.second;
}

}  // namespace
}  // namespace t2sql
