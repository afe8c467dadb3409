// The MCP server's protocol handling on a real SQLite file: the handshake and
// version negotiation, JSON-RPC errors, notifications, tool errors and the
// stdio framing. (tests/mcp/mcp_client_test.mjs drives it with the official
// TypeScript SDK.)
#include "t2sql/mcp_server.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <random>
#include <sstream>

#include "t2sql/pipeline.h"
#include "testing/scratch_sqlite.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class McpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("t2sql_mcp_" + std::to_string(::getpid()) + ".db")).string();
    fs::remove(path_);
    ASSERT_EQ(testing::write_sqlite(
                  path_,
                  "CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT, population INTEGER);"
                  "INSERT INTO city VALUES (1, 'Oslo', 700000), (2, 'Bergen', 290000), (3, 'Tromso', 77000);"),
              "");
    auto database = Database::open(path_);
    ASSERT_TRUE(database.ok()) << database.status().to_string();
    auto pipeline = Pipeline::create(std::move(*database), {});
    ASSERT_TRUE(pipeline.ok()) << pipeline.status().to_string();
    auto server = McpServer::create(std::move(*pipeline), {.exec = {.timeout_ms = 1000, .max_rows = 2}});
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
  }
  void TearDown() override {
    server_.reset();
    fs::remove(path_);
  }

  json call(const json& message) {
    std::string reply = server_->handle(message.dump());
    return reply.empty() ? json() : json::parse(reply);
  }
  json request(const std::string& method, const json& params = json::object()) {
    return call({{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}});
  }
  void initialize() {
    json r = request("initialize", {{"protocolVersion", "2025-11-25"},
                                    {"capabilities", json::object()},
                                    {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    ASSERT_TRUE(r.contains("result")) << r.dump();
    call({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }
  json tool(const std::string& name, const json& args) {
    json r = request("tools/call", {{"name", name}, {"arguments", args}});
    EXPECT_TRUE(r.contains("result")) << r.dump();
    return r["result"];
  }

  std::string path_;
  std::unique_ptr<McpServer> server_;
  int id_ = 0;
};

TEST_F(McpServerTest, NegotiatesTheProtocolVersion) {
  json r = request("initialize", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}});
  EXPECT_EQ(r["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(r["result"]["serverInfo"]["name"], "t2sql");
  EXPECT_TRUE(r["result"]["capabilities"].contains("tools"));
  EXPECT_TRUE(r["result"]["capabilities"].contains("resources"));
  json future = request("initialize", {{"protocolVersion", "2099-01-01"}, {"capabilities", json::object()}});
  EXPECT_EQ(future["result"]["protocolVersion"], McpServer::protocol_version());
}

TEST_F(McpServerTest, ProtocolMistakesAreJsonRpcErrors) {
  EXPECT_EQ(request("tools/list")["error"]["code"], -32600) << "tools/list before initialize";
  EXPECT_EQ(request("ping")["result"], json::object()) << "ping is allowed at any time";
  initialize();
  EXPECT_EQ(json::parse(server_->handle("{not json"))["error"]["code"], -32700);
  EXPECT_EQ(json::parse(server_->handle("[]"))["error"]["code"], -32600);
  EXPECT_EQ(call({{"jsonrpc", "1.0"}, {"id", 1}, {"method", "ping"}})["error"]["code"], -32600);
  EXPECT_EQ(call({{"jsonrpc", "2.0"}, {"id", json::array()}, {"method", "ping"}})["error"]["code"], -32600);
  EXPECT_EQ(request("no/such/method")["error"]["code"], -32601);
  EXPECT_EQ(request("tools/call", {{"name", "drop_everything"}})["error"]["code"], -32602);
  EXPECT_EQ(request("tools/call", json::object())["error"]["code"], -32602);
  EXPECT_EQ(request("resources/read", {{"uri", "t2sql://tables/none"}})["error"]["code"], -32002);
  // Notifications and a client's responses get no reply.
  EXPECT_EQ(server_->handle(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})"), "");
  EXPECT_EQ(server_->handle(R"({"jsonrpc":"2.0","id":7,"result":{}})"), "");
  // The id comes back as sent, a string included.
  json r = call({{"jsonrpc", "2.0"}, {"id", "abc"}, {"method", "ping"}});
  EXPECT_EQ(r["id"], "abc");
}

TEST_F(McpServerTest, ToolsAnswerAndRefuseWithReasons) {
  initialize();
  json tools = request("tools/list")["result"]["tools"];
  ASSERT_EQ(tools.size(), 4u);
  for (const auto& t : tools) EXPECT_EQ(t["inputSchema"]["type"], "object") << t["name"];

  json listed = tool("list_tables", json::object());
  EXPECT_EQ(listed["isError"], false);
  EXPECT_EQ(listed["structuredContent"]["tables"][0]["name"], "city");
  EXPECT_EQ(listed["structuredContent"]["tables"][0]["row_count"], 3);

  json rows = tool("run_sql", {{"sql", "SELECT name FROM city ORDER BY population DESC"}});
  EXPECT_EQ(rows["isError"], false);
  EXPECT_EQ(rows["structuredContent"]["rows"], json::parse(R"([["Oslo"],["Bergen"]])")) << "the row cap of 2";
  EXPECT_EQ(rows["structuredContent"]["truncated"], true);
  json one = tool("run_sql", {{"sql", "SELECT name FROM city ORDER BY id"}, {"max_rows", 1}});
  EXPECT_EQ(one["structuredContent"]["rows"].size(), 1u);
  EXPECT_EQ(tool("run_sql", {{"sql", "SELECT 1"}, {"max_rows", 0}})["isError"], true);

  json write = tool("run_sql", {{"sql", "WITH x AS (SELECT 1) INSERT INTO city SELECT 9, 'X', 1 FROM x"}});
  EXPECT_EQ(write["isError"], true);
  EXPECT_EQ(write["content"][0]["text"].get<std::string>().rfind("permission denied: ", 0), 0u) << write.dump();
  json two = tool("run_sql", {{"sql", "SELECT 1; DELETE FROM city"}});
  EXPECT_EQ(two["isError"], true);
  EXPECT_EQ(tool("run_sql", json::object())["isError"], true);
  EXPECT_EQ(tool("describe_table", {{"table", "nowhere"}})["isError"], true);
  EXPECT_EQ(tool("describe_table", {{"table", "CITY"}})["structuredContent"]["columns"].size(), 3u);

  json asked = tool("ask", {{"question", "delete every city"}});
  EXPECT_EQ(asked["isError"], true);
  EXPECT_NE(asked["content"][0]["text"].get<std::string>().find("refused"), std::string::npos) << asked.dump();
  EXPECT_EQ(tool("run_sql", {{"sql", "SELECT count(*) FROM city"}})["structuredContent"]["rows"][0][0], 3);
}

TEST_F(McpServerTest, ResourcesHoldTheSchema) {
  initialize();
  json list = request("resources/list")["result"]["resources"];
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[2]["uri"], "t2sql://tables/city");
  json ddl = request("resources/read", {{"uri", "t2sql://tables/city"}})["result"]["contents"][0];
  EXPECT_NE(ddl["text"].get<std::string>().find("CREATE TABLE"), std::string::npos);
  json schema = request("resources/read", {{"uri", "t2sql://schema"}})["result"]["contents"][0];
  EXPECT_EQ(json::parse(schema["text"].get<std::string>())["tables"].size(), 1u);
}

TEST_F(McpServerTest, StdioFramesOneMessageALineAndSkipsOversizedOnes) {
  auto small = Database::open(path_);
  ASSERT_TRUE(small.ok());
  auto pipeline = Pipeline::create(std::move(*small), {});
  ASSERT_TRUE(pipeline.ok());
  auto server = McpServer::create(std::move(*pipeline), {.max_message_bytes = 200});
  ASSERT_TRUE(server.ok());
  std::istringstream in(R"({"jsonrpc":"2.0","id":1,"method":"ping"})"
                        "\r\n\n" +
                        std::string(1000, 'x') + "\n" + R"({"jsonrpc":"2.0","method":"notifications/initialized"})" +
                        "\n" + R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  std::ostringstream out;
  (*server)->serve_stdio(in, out);
  std::vector<json> replies;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) replies.push_back(json::parse(line));
  ASSERT_EQ(replies.size(), 3u) << out.str();
  EXPECT_EQ(replies[0]["id"], 1);
  EXPECT_EQ(replies[1]["error"]["code"], -32600) << "the oversized line";
  EXPECT_EQ(replies[2]["id"], 2) << "the last line without a newline";
}

TEST_F(McpServerTest, MangledMessagesGetJsonAnswersNeverACrash) {
  initialize();
  const std::vector<std::string> seeds = {
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_sql","arguments":{"sql":"SELECT 1"}}})",
      R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"t2sql://tables/city"}})",
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"describe_table","arguments":{"table":"city"}}})",
      R"({"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})"};
  std::mt19937 rng(5);
  const std::string alphabet = std::string("{}[]\\\":,0123456789-truefalsn \\abc") + "\xff" + std::string(1, '\0');
  for (int i = 0; i < 3000; ++i) {
    std::string m = seeds[rng() % seeds.size()];
    for (int k = 1 + static_cast<int>(rng() % 4); k > 0 && !m.empty(); --k) {
      size_t at = rng() % m.size();
      switch (rng() % 3) {
        case 0: m[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: m.erase(at, 1 + rng() % 8); break;
        default: m.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    std::string reply = server_->handle(m);
    if (reply.empty()) continue;
    json r = json::parse(reply, nullptr, false);
    ASSERT_FALSE(r.is_discarded()) << m << " -> " << reply;
    ASSERT_TRUE(r.contains("result") || r.contains("error")) << m << " -> " << reply;
  }
}

}  // namespace
}  // namespace t2sql
