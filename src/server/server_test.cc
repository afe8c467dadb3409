// The HTTP server on 127.0.0.1 over the real demo warehouse, asked by a real
// HTTP client. Generators are scripted here (the server's logic is under
// test); tests/integration/serve_test.cc runs `t2sql serve` with the real
// template engine.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "t2sql/demo.h"
#include "t2sql/server.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

using nlohmann::json;

const char* kTotal2023 =
    "SELECT ROUND(SUM(amount), 2) AS total_sales FROM sales WHERE strftime('%Y', sale_date) = '2023'";
const char* kTotal2024 =
    "SELECT ROUND(SUM(amount), 2) AS total_sales FROM sales WHERE strftime('%Y', sale_date) = '2024'";

class ScriptedGenerator : public Generator {
 public:
  ScriptedGenerator(std::string name, int delay_ms) : name_(std::move(name)), delay_ms_(delay_ms) {}
  std::string name() const override { return name_; }
  Result<GenerationResult> generate(const GenerationRequest& request) override {
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    GenerationResult r;
    r.engine = name_;
    const auto& q = request.question;
    if (q.find("2024") != std::string::npos)
      r.sql = kTotal2024;
    else if (q.find("2023") != std::string::npos)
      r.sql = kTotal2023;
    else if (q.find("region") != std::string::npos)
      r.sql = "SELECT region, COUNT(*) AS stores FROM stores GROUP BY region ORDER BY stores DESC";
    r.answered = !r.sql.empty();
    if (!r.answered) r.reason = "no script for this question";
    return r;
  }

 private:
  std::string name_;
  int delay_ms_;
};

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = t2sql::testing::own_temp_path("server_test_demo.db");
    ASSERT_TRUE(create_demo_warehouse(path_, true).ok());
  }
  void start(ServerOptions opt = {}) {
    opt.host = "127.0.0.1";
    opt.port = 0;
    opt.db_uri = path_;
    opt.worker_threads = 16;
    opt.make_generator = [](const GeneratorOptions& g, const Catalog&,
                            Database*) -> Result<std::unique_ptr<Generator>> {
      return std::unique_ptr<Generator>(new ScriptedGenerator(g.mode, g.mode == "llm" ? 600 : 0));
    };
    auto s = Server::create(opt);
    ASSERT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(20, 0);
    return c;
  }
  httplib::Result post(const std::string& path, const std::string& body, const httplib::Headers& headers = {}) {
    return client().Post(path.c_str(), headers, body, "application/json");
  }
  void expect_json_error(const httplib::Result& res, int status, const std::string& words) {
    ASSERT_TRUE(res) << "no response";
    EXPECT_EQ(res->status, status) << res->body;
    json body = json::parse(res->body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << res->body;
    ASSERT_TRUE(body.contains("error")) << res->body;
    EXPECT_NE(body["error"].get<std::string>().find(words), std::string::npos) << body["error"];
  }
  void expect_still_serving() {
    auto res = client().Get("/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  static std::string path_;
  std::unique_ptr<Server> server_;
};
std::string ServerTest::path_;

TEST_F(ServerTest, GenerateSqlReturnsSqlRowsChartAndMeta) {
  start();
  auto res = post("/generate-sql", R"({"query": "Stores by region", "mode": "template", "use_rag": false})");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  json body = json::parse(res->body);
  EXPECT_EQ(body["sql"], "SELECT region, COUNT(*) AS stores FROM stores GROUP BY region ORDER BY stores DESC");
  ASSERT_EQ(body["results"].size(), 5u);
  EXPECT_TRUE(body["results"][0].contains("region"));
  EXPECT_TRUE(body["results"][0]["stores"].is_number());
  EXPECT_EQ(body["chart"]["mark"]["type"], "bar");
  EXPECT_EQ(body["meta"]["model"], "template");
  EXPECT_EQ(body["meta"]["rag_used"], false);
  EXPECT_EQ(body["meta"]["stages"].size(), 9u);
  EXPECT_TRUE(body["meta"]["timings"].contains("generation"));
  EXPECT_TRUE(body["meta"]["timings"]["total_ms"].is_number());
  EXPECT_FALSE(body["session"].get<std::string>().empty());
  // The SQL in words, and how the page shows each column's numbers.
  EXPECT_EQ(body["explanation"], "Counts the rows from stores, per region, highest first.");
  ASSERT_EQ(body["column_formats"].size(), 2u);
  EXPECT_EQ(body["column_formats"][0]["kind"], "text");
  EXPECT_EQ(body["column_formats"][1]["kind"], "integer");
  EXPECT_EQ(body["column_formats"][1]["align"], "right");
}

TEST_F(ServerTest, UiModeNamesAndRagAreAccepted) {
  start();
  auto res = post("/generate-sql", R"({"query": "Stores by region", "mode": "Template", "use_rag": true,
                                        "instructions": "A region is where a store is."})");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["meta"]["rag_used"], true);
}

TEST_F(ServerTest, BadInputGetsAJsonErrorAndTheServerKeepsServing) {
  ServerOptions opt;
  opt.max_body_bytes = 64 * 1024;
  start(opt);
  expect_json_error(post("/generate-sql", "{\"query\": \"total sales"), 400, "not valid JSON");
  expect_json_error(post("/generate-sql", "[1, 2]"), 400, "JSON object");
  expect_json_error(post("/generate-sql", R"({"mode": "template"})"), 400, "missing field 'query'");
  expect_json_error(post("/generate-sql", R"({"query": 42})"), 400, "must be a string");
  expect_json_error(post("/generate-sql", R"({"query": "   "})"), 400, "empty");
  expect_json_error(post("/generate-sql", R"({"query": "total sales", "mode": "magic"})"), 400, "unknown mode 'magic'");
  expect_json_error(post("/generate-sql", R"({"query": "total sales", "use_rag": "yes"})"), 400, "use_rag");
  expect_json_error(post("/generate-sql", R"({"query": "total sales", "instructions": 7})"), 400,
                    "field 'instructions' must be a string");
  expect_json_error(
      post("/generate-sql", R"({"query": "total sales", "instructions": ")" + std::string(5000, 'a') + "\"}"), 400,
      "the instructions are too long");
  expect_json_error(post("/api/ask", R"({"nothing": true})"), 400, "missing field 'query'");
  expect_json_error(client().Get("/no/such/thing"), 404, "no such endpoint");
  expect_still_serving();

  // 10 MB: refused from its Content-Length, before the body is read.
  std::string big = "{\"query\": \"" + std::string(10 * 1024 * 1024, 'a') + "\"}";
  auto res = post("/generate-sql", big);
  if (res) {
    expect_json_error(res, 413, "too large");
  } else {
    // The server may close the connection while the client is still sending.
    EXPECT_TRUE(res.error() == httplib::Error::Write || res.error() == httplib::Error::Read)
        << httplib::to_string(res.error());
  }
  expect_still_serving();

  // A request to change data is refused, with the reason, and nothing runs.
  auto drop = post("/generate-sql", R"({"query": "drop the sales table"})");
  ASSERT_TRUE(drop);
  EXPECT_EQ(drop->status, 403);
  json body = json::parse(drop->body);
  EXPECT_EQ(body["answered"], false);
  EXPECT_EQ(body["intent"], "refused");
  EXPECT_EQ(body["sql"], "");
  EXPECT_FALSE(body["reason"].get<std::string>().empty());
  expect_still_serving();
  auto ok = post("/generate-sql", R"({"query": "total sales in 2023"})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, LargeBodyJustOverTheLimitGets413) {
  ServerOptions opt;
  opt.max_body_bytes = 1024;
  start(opt);
  expect_json_error(post("/generate-sql", "{\"query\": \"" + std::string(2000, 'a') + "\"}"), 413, "too large");
  expect_still_serving();
}

TEST_F(ServerTest, LlmModeWithoutAModelIsAClearError) {
  ServerOptions opt;
  start(opt);
  // This server has a generator factory, so llm is available: check the
  // message on one without.
  server_->stop();
  server_.reset();
  opt.host = "127.0.0.1";
  opt.port = 0;
  opt.db_uri = path_;
  auto s = Server::create(opt);
  ASSERT_TRUE(s.ok());
  server_ = std::move(*s);
  ASSERT_TRUE(server_->start().ok());
  expect_json_error(post("/generate-sql", R"({"query": "total sales", "mode": "Fine-Tuned"})"), 400, "needs a model");
}

TEST_F(ServerTest, AskStreamsOneEventPerStageThenTheResult) {
  start();
  std::string stream;
  auto res = client().Post("/api/ask", R"({"query": "What were total sales in 2023?"})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
  stream = res->body;
  size_t stages = 0;
  for (size_t pos = stream.find("event: stage\n"); pos != std::string::npos;
       pos = stream.find("event: stage\n", pos + 1))
    ++stages;
  EXPECT_EQ(stages, 9u);
  auto result_at = stream.find("event: result\ndata: ");
  ASSERT_NE(result_at, std::string::npos);
  EXPECT_GT(result_at, stream.rfind("event: stage\n"));
  std::string data = stream.substr(result_at + 20);
  data = data.substr(0, data.find("\n\n"));
  json body = json::parse(data);
  EXPECT_EQ(body["sql"], kTotal2023);
  EXPECT_EQ(body["status"], 200);
}

TEST_F(ServerTest, FollowUpsWithinASession) {
  start();
  auto first = post("/generate-sql", R"({"query": "What were total sales in 2023?"})");
  ASSERT_TRUE(first);
  std::string session = json::parse(first->body)["session"];
  auto second = post("/generate-sql", json{{"query", "and in 2024?"}, {"session", session}}.dump());
  ASSERT_TRUE(second);
  json body = json::parse(second->body);
  EXPECT_EQ(body["follow_up"], true);
  EXPECT_EQ(body["sql"], kTotal2024);
  // Without the session the same words mean nothing.
  auto alone = post("/generate-sql", R"({"query": "and in 2024?"})");
  EXPECT_EQ(json::parse(alone->body)["follow_up"], false);
  expect_json_error(post("/generate-sql", R"({"query": "x", "session": "bad id!"})"), 400, "session");
}

TEST_F(ServerTest, BearerTokenGuardsTheApi) {
  ServerOptions opt;
  opt.bearer_token = "s3cret-token";
  start(opt);
  expect_json_error(post("/generate-sql", R"({"query": "total sales in 2023"})"), 401, "bearer token");
  expect_json_error(post("/generate-sql", R"({"query": "total sales in 2023"})", {{"Authorization", "Bearer wrong"}}),
                    401, "bearer token");
  auto ok = post("/generate-sql", R"({"query": "total sales in 2023"})", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  expect_still_serving();  // /health stays open for probes
  auto health = json::parse(client().Get("/health")->body);
  EXPECT_EQ(health["auth"], true);
  EXPECT_EQ(client().Get("/metrics")->status, 401);
}

TEST_F(ServerTest, LlmQueueFullIsAClear503) {
  ServerOptions opt;
  opt.llm_slots = 1;
  opt.llm_queue = 0;
  start(opt);
  // The scripted llm takes 600 ms: the first request holds the only slot.
  auto slow = std::async(std::launch::async,
                         [&] { return post("/generate-sql", R"({"query": "total sales in 2023", "mode": "llm"})"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto busy = post("/generate-sql", R"({"query": "total sales in 2024", "mode": "llm"})");
  expect_json_error(busy, 503, "busy");
  EXPECT_EQ(busy->get_header_value("Retry-After"), "2");
  // Template mode is not held up by the LLM.
  auto t = post("/generate-sql", R"({"query": "total sales in 2024", "mode": "template"})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, 200);
  auto first = slow.get();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  auto metrics = client().Get("/metrics")->body;
  EXPECT_NE(metrics.find("t2sql_engine_busy_rejections_total{mode=\"llm\"} 1"), std::string::npos) << metrics;
}

TEST_F(ServerTest, TemplateModeAnswersInParallel) {
  start();
  std::vector<std::future<int>> calls;
  for (int i = 0; i < 12; ++i)
    calls.push_back(std::async(std::launch::async, [&, i] {
      auto r = post("/generate-sql", json{{"query", i % 2 ? "total sales in 2023" : "stores by region"}}.dump());
      return r ? r->status : -1;
    }));
  for (auto& c : calls) EXPECT_EQ(c.get(), 200);
}

TEST_F(ServerTest, SchemaHealthMetricsAndOpenApi) {
  start();
  auto schema = client().Get("/api/schema");
  ASSERT_TRUE(schema);
  json s = json::parse(schema->body);
  EXPECT_EQ(s["tables"].size(), 5u);
  EXPECT_EQ(s["examples"][0], demo_example_queries()[0].question);
  json health = json::parse(client().Get("/health")->body);
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["engine"], "sqlite");
  post("/generate-sql", R"({"query": "total sales in 2023"})");
  auto metrics = client().Get("/metrics");
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_NE(metrics->body.find("t2sql_http_requests_total{route=\"/generate-sql\",code=\"200\"} 1"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("t2sql_questions_total{mode=\"template\",outcome=\"answered\"} 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("t2sql_http_request_duration_seconds_count{route=\"/generate-sql\"} 1"),
            std::string::npos);
  json api = json::parse(client().Get("/openapi.json")->body);
  EXPECT_EQ(api["openapi"], "3.0.3");
  EXPECT_TRUE(api["paths"].contains("/generate-sql"));
  EXPECT_TRUE(api["paths"].contains("/api/ask"));
  // Every field of a question request is documented.
  const json& fields =
      api["paths"]["/generate-sql"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"];
  for (const char* f : {"query", "mode", "use_rag", "session", "instructions", "svg"}) {
    EXPECT_TRUE(fields.contains(f)) << f;
  }
}

TEST_F(ServerTest, ThePageAndItsChartLibrariesAreServedLocally) {
  start();
  auto page = client().Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Analyze"), std::string::npos);
  EXPECT_EQ(page->body.find("https://"), std::string::npos);  // nothing from a CDN
  EXPECT_EQ(client().Get("/app.js")->status, 200);
  auto vega = client().Get("/vendor/vega-embed.min.js");
  ASSERT_TRUE(vega);
  // Present when scripts/install.sh has unpacked the pinned npm tarballs.
  if (json::parse(client().Get("/health")->body)["charts"] == true) EXPECT_EQ(vega->status, 200);
}

// The answer cache: a repeated question is answered from it (meta.cached,
// a new session each time), a request with a session never is, and a change
// to the data empties it.
TEST_F(ServerTest, AnswerCacheServesRepeatsUntilTheDataChanges) {
  std::string copy = t2sql::testing::own_temp_path("server_test_cache.db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(copy + suffix);
  std::filesystem::copy_file(path_, copy);
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(copy.c_str(), &writer), SQLITE_OK);
  // Commits stay in the WAL while this connection is open. (With an empty
  // WAL the server would open the file immutable: commit one first.)
  ASSERT_EQ(sqlite3_exec(writer,
                         "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; "
                         "INSERT INTO stores (store_id, store_name, region, city, opened_on) "
                         "VALUES (900000, 'First', 'Yland', 'Y', '2024-01-01')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  ServerOptions opt;
  opt.host = "127.0.0.1";
  opt.port = 0;
  opt.db_uri = copy;
  opt.make_generator = [](const GeneratorOptions& g, const Catalog&, Database*) -> Result<std::unique_ptr<Generator>> {
    return std::unique_ptr<Generator>(new ScriptedGenerator(g.mode, 0));
  };
  auto s = Server::create(opt);
  ASSERT_TRUE(s.ok()) << s.status().message();
  server_ = std::move(*s);
  ASSERT_TRUE(server_->start().ok());
  auto ask = [&](const json& request) {
    auto res = post("/generate-sql", request.dump());
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    return res ? json::parse(res->body) : json();
  };
  auto regions = [](const json& body) {
    std::set<std::string> out;
    for (const auto& row : body["results"]) out.insert(row["region"].get<std::string>());
    return out;
  };
  json first = ask({{"query", "stores by region"}});
  json second = ask({{"query", "stores by region"}});
  EXPECT_EQ(first["meta"]["cached"], false);
  EXPECT_EQ(second["meta"]["cached"], true);
  EXPECT_NE(first["session"], second["session"]);
  EXPECT_EQ(first["rows"], second["rows"]);
  EXPECT_TRUE(regions(first).count("Yland")) << first["results"];
  EXPECT_EQ(first["sql"], second["sql"]);
  json with_session = ask({{"query", "stores by region"}, {"session", "s-1"}});
  EXPECT_EQ(with_session["meta"]["cached"], false);
  EXPECT_EQ(with_session["session"], "s-1");

  ASSERT_EQ(sqlite3_exec(writer,
                         "INSERT INTO stores (store_id, store_name, region, city, opened_on) "
                         "VALUES (900001, 'New', 'Zedland', 'Zed', '2024-01-01')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  json after_wal = ask({{"query", "stores by region"}});
  EXPECT_EQ(after_wal["meta"]["cached"], false);
  EXPECT_TRUE(regions(after_wal).count("Zedland")) << after_wal["results"];
  EXPECT_EQ(ask({{"query", "stores by region"}})["meta"]["cached"], true);

  // Copied into the file by a checkpoint, then a delete.
  ASSERT_EQ(sqlite3_exec(writer, "PRAGMA wal_checkpoint(PASSIVE); DELETE FROM stores WHERE store_id = 900001", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  json after_file = ask({{"query", "stores by region"}});
  EXPECT_EQ(after_file["meta"]["cached"], false);
  EXPECT_FALSE(regions(after_file).count("Zedland")) << after_file["results"];
  sqlite3_close(writer);

  auto metrics = client().Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("t2sql_answer_cache_lookups_total{result=\"hit\"} 2"), std::string::npos)
      << metrics->body;
  // Counted as questions like any other answer.
  EXPECT_NE(metrics->body.find("t2sql_questions_total{mode=\"template\",outcome=\"answered\"} 6"), std::string::npos);
  server_->stop();
  server_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(copy + suffix);
}

// Eight clients asking the same new question at once: one computes, the
// others get its answer.
TEST_F(ServerTest, AnswerCacheComputesAQuestionAskedAtOnceOnlyOnce) {
  static std::atomic<int> calls{0};
  class Counting : public ScriptedGenerator {
   public:
    Counting() : ScriptedGenerator("template", 300) {}
    Result<GenerationResult> generate(const GenerationRequest& request) override {
      ++calls;
      return ScriptedGenerator::generate(request);
    }
  };
  ServerOptions opt;
  opt.host = "127.0.0.1";
  opt.port = 0;
  opt.db_uri = path_;
  opt.make_generator = [](const GeneratorOptions&, const Catalog&, Database*) -> Result<std::unique_ptr<Generator>> {
    return std::unique_ptr<Generator>(new Counting());
  };
  auto s = Server::create(opt);
  ASSERT_TRUE(s.ok()) << s.status().message();
  server_ = std::move(*s);
  ASSERT_TRUE(server_->start().ok());
  std::vector<std::future<json>> answers;
  for (int i = 0; i < 8; ++i)
    answers.push_back(std::async(std::launch::async, [&] {
      auto r = post("/generate-sql", R"({"query": "total sales in 2024"})");
      return r && r->status == 200 ? json::parse(r->body) : json();
    }));
  int cached = 0;
  for (auto& a : answers) {
    json body = a.get();
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(body["sql"], kTotal2024);
    cached += body["meta"]["cached"] == true;
  }
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(cached, 7);
}

TEST_F(ServerTest, BindFailureIsAClearError) {
  start();
  ServerOptions opt;
  opt.host = "127.0.0.1";
  opt.port = server_->port();  // taken
  opt.db_uri = path_;
  auto other = Server::create(opt);
  ASSERT_TRUE(other.ok());
  Status s = (*other)->start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("cannot listen"), std::string::npos);
  EXPECT_FALSE(Server::create({.db_uri = "/no/such/file.db"}).ok());
}

}  // namespace
}  // namespace t2sql
