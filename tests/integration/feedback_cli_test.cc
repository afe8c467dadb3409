// Feedback from the command line as a user gives it: `t2sql feedback` keeps a
// corrected SQL, `t2sql ask` returns it the next time the same question is
// asked, `gen-data --include-feedback` trains on it; and `t2sql serve` from a
// copy of the binary in another folder serves the page it carries.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "serve_process.h"
#include "test_support.h"

namespace t2sql::testing {
namespace {

using nlohmann::json;

const char* kQuestion = "Active stores by region";
const char* kCorrected = "SELECT region, COUNT(*) AS active_stores FROM stores GROUP BY region ORDER BY region";

TEST(FeedbackCommand, CorrectedAnswerIsReturnedByTheNextAsk) {
  std::string dir = temp_dir("feedback_cli");
  std::string file = dir + "/feedback.jsonl";
  std::vector<std::string> db = {"--db", demo_db(), "--feedback-file", file};
  auto ask = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"ask", kQuestion, "--format", "json"};
    args.insert(args.end(), db.begin(), db.end());
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = run_t2sql(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  };
  json before = ask({});
  ASSERT_EQ(before["engine"], "template");
  ASSERT_NE(before["sql"], kCorrected);

  std::vector<std::string> keep = {"feedback", kQuestion, "--sql", kCorrected, "--accept"};
  keep.insert(keep.end(), db.begin(), db.end());
  RunResult kept = run_t2sql(keep);
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_NE(kept.out.find("the SQL runs: 5 rows"), std::string::npos) << kept.out;

  json after = ask({});
  EXPECT_EQ(after["sql"], kCorrected);
  EXPECT_EQ(after["engine"], "feedback");
  EXPECT_EQ(after["rows"].size(), 5u);
  EXPECT_EQ(ask({"--no-feedback"})["engine"], "template");

  std::vector<std::string> list = {"feedback", "--list", "--format", "json"};
  list.insert(list.end(), db.begin(), db.end());
  RunResult listed = run_t2sql(list);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  json l = json::parse(listed.out);
  ASSERT_EQ(l["accepted"].size(), 1u);
  EXPECT_EQ(l["accepted"][0]["sql"], kCorrected);

  // gen-data trains on it, in the training split.
  std::vector<std::string> gen = {"gen-data", "--out", dir + "/data", "--include-feedback", "--max-per-shape", "2"};
  gen.insert(gen.end(), db.begin(), db.end());
  RunResult g = run_t2sql(gen);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_NE(g.out.find("1 accepted answers from feedback"), std::string::npos) << g.out;
  std::string train = read_file(dir + "/data/train.jsonl");
  EXPECT_NE(train.find(std::string("\"answer\":\"") + kCorrected + ";\""), std::string::npos);
  EXPECT_EQ(read_file(dir + "/data/valid.jsonl").find(kCorrected), std::string::npos);
}

TEST(FeedbackCommand, BadFeedbackIsRefusedWithTheReason) {
  std::string file = temp_dir("feedback_cli_bad") + "/feedback.jsonl";
  std::vector<std::string> db = {"--db", demo_db(), "--feedback-file", file};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), db.begin(), db.end());
    return run_t2sql(args);
  };
  RunResult broken = run({"feedback", kQuestion, "--sql", "SELECT nope FROM stores", "--accept"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("does not run"), std::string::npos) << broken.err;
  RunResult write = run({"feedback", kQuestion, "--sql", "DELETE FROM sales", "--accept"});
  EXPECT_EQ(write.exit_code, 1) << write.err;
  EXPECT_EQ(run({"feedback"}).exit_code, 2);
  EXPECT_EQ(run({"feedback", kQuestion}).exit_code, 2);  // neither a rating nor an accepted SQL
  EXPECT_EQ(run({"feedback", kQuestion, "--rating", "meh"}).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(file));
  RunResult up = run({"feedback", kQuestion, "--rating", "up"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(std::filesystem::exists(file));
}

TEST(ServeCommand, AMovedBinaryServesThePageItCarries) {
  std::string dir = temp_dir("moved_binary");
  std::string copy = dir + "/t2sql";
  std::filesystem::copy_file(T2SQL_BINARY, copy);
  std::filesystem::permissions(copy, std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  ServeProcess server({}, true, copy);
  ASSERT_GT(server.port(), 0) << server.first_line();
  httplib::Client client("127.0.0.1", server.port());
  for (const char* path :
       {"/", "/app.js", "/style.css", "/vendor/vega.min.js", "/vendor/vega-lite.min.js", "/vendor/vega-embed.min.js"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path << ": " << res->body.substr(0, 200);
  }
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace t2sql::testing
