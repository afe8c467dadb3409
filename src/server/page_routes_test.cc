// The page's own routes on a real server over the real demo warehouse with
// the real template engine: the page and the chart libraries embedded in the
// binary (and --web-dir overriding them), POST /api/sql running a user's edit
// read-only, and POST /api/feedback keeping a corrected SQL that the next ask
// of the same question returns.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "server/page_requests.h"
#include "t2sql/demo.h"
#include "t2sql/feedback.h"
#include "t2sql/server.h"
#include "testing/temp_path.h"

namespace t2sql {
namespace {

using nlohmann::json;

class PageRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_path_ = t2sql::testing::own_temp_path("page_routes_demo.db");
    ASSERT_TRUE(create_demo_warehouse(db_path_, true).ok());
  }
  void start(ServerOptions opt = {}) {
    opt.host = "127.0.0.1";
    opt.port = 0;
    opt.db_uri = db_path_;
    opt.worker_threads = 4;
    auto s = Server::create(opt);
    ASSERT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  httplib::Result get(const std::string& path) {
    httplib::Client c("127.0.0.1", server_->port());
    return c.Get(path.c_str());
  }
  json post(const std::string& path, const json& body, int expected_status) {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(20, 0);
    auto res = c.Post(path.c_str(), body.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return json();
    EXPECT_EQ(res->status, expected_status) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }
  std::string fresh_feedback_path() {
    std::string p = t2sql::testing::own_temp_path("page_routes_") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl";
    std::filesystem::remove(p);
    return p;
  }
  static std::string db_path_;
  std::unique_ptr<Server> server_;
};
std::string PageRoutesTest::db_path_;

TEST_F(PageRoutesTest, ThePageAndTheChartLibrariesComeFromTheBinary) {
  start();
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<title>t2sql"), std::string::npos);
  EXPECT_NE(page->body.find("turn-template"), std::string::npos);
  for (const char* path :
       {"/app.js", "/style.css", "/vendor/vega.min.js", "/vendor/vega-lite.min.js", "/vendor/vega-embed.min.js"}) {
    auto res = get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_GT(res->body.size(), 1000u) << path;
  }
  // The same bytes as the source tree's page (the build embeds the current file).
  std::ifstream in(std::string(T2SQL_SOURCE_DIR) + "/web/app.js", std::ios::binary);
  std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(get("/app.js")->body == source) << "the embedded app.js is not the source tree's";
  EXPECT_EQ(get("/nope.js")->status, 404);
}

TEST_F(PageRoutesTest, WebDirOverridesTheEmbeddedPage) {
  std::string dir = t2sql::testing::own_temp_path("page_routes_web");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/index.html") << "<html>my own page</html>";
  ServerOptions opt;
  opt.web_dir = dir;
  start(opt);
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("my own page"), std::string::npos);
  EXPECT_EQ(get("/vendor/vega.min.js")->status, 200);  // still the embedded libraries
}

TEST_F(PageRoutesTest, EditedSqlRunsReadOnlyWithChartAndAnswer) {
  start();
  json ok = post(
      "/api/sql",
      {{"question", "stores per region"}, {"sql", "SELECT region, COUNT(*) AS stores FROM stores GROUP BY region"}},
      200);
  EXPECT_TRUE(ok["answered"].get<bool>()) << ok.dump();
  EXPECT_EQ(ok["meta"]["model"], "user");
  EXPECT_EQ(ok["rows"].size(), 5u);
  EXPECT_EQ(ok["chart_kind"], "bar");
  EXPECT_FALSE(ok["session"].get<std::string>().empty());

  json write = post("/api/sql", {{"question", "clean up"}, {"sql", "DELETE FROM sales"}}, 200);
  EXPECT_FALSE(write["answered"].get<bool>());
  EXPECT_FALSE(write["reason"].get<std::string>().empty());
  json typo = post("/api/sql", {{"question", "a typo"}, {"sql", "SELECT nope FROM stores"}}, 200);
  EXPECT_FALSE(typo["answered"].get<bool>());
  EXPECT_NE(typo["reason"].get<std::string>().find("nope"), std::string::npos);

  EXPECT_NE(post("/api/sql", {{"question", "q"}}, 400)["error"].get<std::string>().find("'sql'"), std::string::npos);
  EXPECT_NE(post("/api/sql", {{"sql", "SELECT 1"}}, 400)["error"].get<std::string>().find("'question'"),
            std::string::npos);
  post("/api/sql", {{"question", "q"}, {"sql", 5}}, 400);
  post("/api/sql", {{"question", "q"}, {"sql", "SELECT 1"}, {"session", "../x"}}, 400);
}

TEST_F(PageRoutesTest, AcceptedCorrectionIsTheNextAnswerToTheSameQuestion) {
  ServerOptions opt;
  opt.pipeline.feedback_path = fresh_feedback_path();
  start(opt);
  json before = post("/generate-sql", {{"query", "Active stores by region"}}, 200);
  ASSERT_TRUE(before["answered"].get<bool>());
  std::string corrected = "SELECT region, COUNT(*) AS active_stores FROM stores GROUP BY region ORDER BY region";
  ASSERT_NE(before["sql"], corrected);

  json up =
      post("/api/feedback", {{"question", "Active stores by region"}, {"sql", before["sql"]}, {"rating", "up"}}, 200);
  EXPECT_EQ(up["stored"], true);
  EXPECT_EQ(up["accepted"], false);
  EXPECT_EQ(post("/generate-sql", {{"query", "Active stores by region"}}, 200)["meta"]["model"], "template");

  // SQL that does not run is not kept.
  json broken =
      post("/api/feedback",
           {{"question", "Active stores by region"}, {"sql", "SELECT nope FROM stores"}, {"accept", true}}, 400);
  EXPECT_NE(broken["error"].get<std::string>().find("does not run"), std::string::npos);

  json kept = post(
      "/api/feedback",
      {{"question", "Active stores by region"}, {"sql", corrected}, {"original_sql", before["sql"]}, {"accept", true}},
      200);
  EXPECT_EQ(kept["accepted"], true);
  // Every pooled pipeline sees it: ask a few times.
  for (int i = 0; i < 3; ++i) {
    json after = post("/generate-sql", {{"query", "active stores by region?"}}, 200);
    EXPECT_EQ(after["sql"], corrected);
    EXPECT_EQ(after["meta"]["model"], "feedback");
    EXPECT_EQ(after["rows"].size(), 5u);
  }
  auto log = FeedbackLog::load(opt.pipeline.feedback_path);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->entries().size(), 2u);  // the rating and the correction; not the broken one

  post("/api/feedback", {{"question", "q"}, {"rating", "meh"}}, 400);
  post("/api/feedback", {{"question", "q"}, {"accept", "yes"}, {"sql", "SELECT 1"}}, 400);
  post("/api/feedback", {{"rating", "up"}}, 400);
  post("/api/feedback", json::array(), 400);
}

TEST_F(PageRoutesTest, FeedbackIsRefusedWithoutAFeedbackFile) {
  start();
  json r = post("/api/feedback", {{"question", "q"}, {"rating", "up"}}, 400);
  EXPECT_NE(r["error"].get<std::string>().find("no feedback"), std::string::npos);
  auto health = json::parse(get("/health")->body);
  EXPECT_EQ(health["feedback"], false);
}

TEST(PageRequests, FeedbackBodiesAreCheckedAsEntries) {
  auto ok = parse_feedback_request(R"({"question": "q", "sql": "SELECT 1", "accept": true, "comment": null})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_TRUE(ok->accepted);
  EXPECT_EQ(ok->sql, "SELECT 1");
  EXPECT_FALSE(parse_feedback_request("not json").ok());
  EXPECT_FALSE(parse_feedback_request(R"({"question": "q", "accept": true})").ok());
  EXPECT_FALSE(parse_feedback_request(R"({"question": "q", "rating": 1})").ok());
  EXPECT_FALSE(parse_sql_run_request(R"({"question": " ", "sql": "SELECT 1"})").ok());
  auto run = parse_sql_run_request(R"({"question": "q", "sql": "SELECT 1", "svg": true})");
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->svg);
}

}  // namespace
}  // namespace t2sql
