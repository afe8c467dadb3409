// `t2sql serve` against clients that misbehave: slow headers (slowloris),
// idle keep-alive connections, too many connections from one address,
// oversized chunked bodies, foreign Host and Origin headers. Real sockets on
// 127.0.0.1 (127.0.0.2 plays a second client), small limits so that each
// case takes well under a second.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "raw_http.h"
#include "serve_process.h"
#include "test_support.h"

namespace t2sql::testing {
namespace {

std::string get(const std::string& path, const std::string& host = "127.0.0.1", const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n";
}

std::string post(const std::string& path, const std::string& body, const std::string& extra = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

std::string chunked(const std::string& body, size_t chunk) {
  std::string out;
  for (size_t i = 0; i < body.size(); i += chunk) {
    std::string part = body.substr(i, chunk);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    out += size + part + "\r\n";
  }
  return out + "0\r\n\r\n";
}

bool has_header(const std::string& answer, const std::string& line) {
  size_t head = answer.find("\r\n\r\n");
  return answer.substr(0, head).find(line) != std::string::npos;
}

// /health on a fresh connection, answered within `timeout_ms`.
int health(int port, const char* source = nullptr, int timeout_ms = 3000) {
  int fd = connect_local(port, source);
  if (fd < 0) return 0;
  send_all(fd, get("/health"));
  int status = status_of(read_answer(fd, timeout_ms));
  ::close(fd);
  return status;
}

TEST(ServeHardening, SlowHeadersHoldNoWorkerAndGet408) {
  ServeProcess server({"--threads", "2", "--header-timeout-ms", "600", "--max-connections-per-client", "300"});
  ASSERT_GT(server.port(), 0) << server.first_line();
  std::vector<int> slow;
  for (int i = 0; i < 100; ++i) {
    int fd = connect_local(server.port());
    ASSERT_GE(fd, 0);
    send_all(fd, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n");  // never finished
    slow.push_back(fd);
  }
  // Two workers, a hundred unfinished requests: /health still answers
  // (within health()'s 3 s; before the gate each unfinished one held a worker
  // for at least the 10 s read timeout).
  EXPECT_EQ(health(server.port()), 200);
  // The unfinished ones get 408 at their deadline.
  std::string late = read_answer(slow[0], 3000);
  EXPECT_EQ(status_of(late), 408) << late.substr(0, 200);
  EXPECT_TRUE(has_header(late, "Connection: close")) << late;
  for (int fd : slow) ::close(fd);
  EXPECT_TRUE(server.alive());
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeHardening, IdleKeepAliveConnectionsAreClosedAndHoldNoWorker) {
  ServeProcess server({"--threads", "2", "--idle-timeout-ms", "400", "--max-connections-per-client", "300"});
  ASSERT_GT(server.port(), 0) << server.first_line();
  std::vector<int> idle;
  for (int i = 0; i < 60; ++i) {
    int fd = connect_local(server.port());
    ASSERT_GE(fd, 0);
    if (i % 2 == 0) {  // half after one answered request, half before any
      send_all(fd, get("/health"));
      EXPECT_EQ(status_of(read_answer(fd, 2000)), 200);
    }
    idle.push_back(fd);
  }
  EXPECT_EQ(health(server.port()), 200);
  // The server closes them: a read sees the end of the stream.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  char byte;
  for (int fd : {idle[0], idle[1]}) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 1000), 1);
    EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);
  }
  for (int fd : idle) ::close(fd);
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeHardening, ConnectionCapsPerClientAndInTotal) {
  ServeProcess server({"--max-connections-per-client", "3", "--max-connections", "6"});
  ASSERT_GT(server.port(), 0) << server.first_line();
  std::vector<int> mine;
  for (int i = 0; i < 3; ++i) mine.push_back(connect_local(server.port()));
  int fourth = connect_local(server.port());
  send_all(fourth, get("/health"));
  std::string refused = read_answer(fourth, 2000);
  EXPECT_EQ(status_of(refused), 503) << refused;
  EXPECT_NE(refused.find("too many open connections from 127.0.0.1"), std::string::npos) << refused;
  ::close(fourth);
  // Another address is not held up by the first one's connections.
  EXPECT_EQ(health(server.port(), "127.0.0.2"), 200);
  std::vector<int> other;
  for (int i = 0; i < 3; ++i) other.push_back(connect_local(server.port(), "127.0.0.3"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int over = connect_local(server.port(), "127.0.0.4");
  std::string total = read_answer(over, 2000);
  EXPECT_EQ(status_of(total), 503) << total;
  EXPECT_NE(total.find("too many open connections"), std::string::npos) << total;
  ::close(over);
  for (int fd : mine) ::close(fd);
  for (int fd : other) ::close(fd);
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeHardening, BodyLimitCoversChunkedBodies) {
  ServeProcess server({"--max-body", "1000"});
  ASSERT_GT(server.port(), 0) << server.first_line();
  std::string big = "{\"query\": \"" + std::string(3000, 'a') + "\"}";
  std::string head =
      "POST /generate-sql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  std::string too_big = exchange(server.port(), head + chunked(big, 700));
  EXPECT_EQ(status_of(too_big), 413) << too_big.substr(0, 300);
  EXPECT_EQ(status_of(exchange(server.port(), post("/generate-sql", big))), 413);
  // Within the limit, chunked bodies are read and answered.
  std::string ok = exchange(server.port(), head + chunked(R"({"query": "total sales in 2023"})", 7));
  EXPECT_EQ(status_of(ok), 200) << ok.substr(0, 300);
  EXPECT_NE(ok.find("\"sql\""), std::string::npos);
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeHardening, ExpectContinuePipeliningAndKeepAlive) {
  ServeProcess server({});
  ASSERT_GT(server.port(), 0) << server.first_line();
  std::string body = R"({"query": "total sales in 2023"})";
  int fd = connect_local(server.port());
  send_all(fd, "POST /generate-sql HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n");
  std::string cont = read_answer(fd, 2000, false);
  EXPECT_EQ(cont, "HTTP/1.1 100 Continue\r\n\r\n");
  send_all(fd, body);
  std::string answer = read_answer(fd, 5000);
  EXPECT_EQ(status_of(answer), 200) << answer.substr(0, 200);
  EXPECT_EQ(answer.find("100 Continue"), std::string::npos);
  // Two requests in one write: two answers, in order, on the same connection.
  // The second asks to close, so that both answers are read to the end.
  send_all(fd, get("/health") + get("/openapi.json", "127.0.0.1", "Connection: close\r\n"));
  std::string both = read_answer(fd, 5000, false);
  size_t second = both.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos) << both.substr(0, 300);
  EXPECT_EQ(status_of(both), 200);
  EXPECT_NE(both.substr(0, second).find("\"status\":\"ok\""), std::string::npos) << both.substr(0, 300);
  EXPECT_NE(both.find("openapi", second), std::string::npos) << both.substr(second, 300);
  ::close(fd);
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeHardening, HostAndOriginAreChecked) {
  ServeProcess server({"--allowed-host", "proxy.example", "--cors-origin", "https://app.example"});
  ASSERT_GT(server.port(), 0) << server.first_line();
  std::string port = std::to_string(server.port());
  std::string q = R"({"query": "total sales in 2023"})";
  EXPECT_EQ(status_of(exchange(server.port(), get("/health", "evil.example"))), 403);
  EXPECT_EQ(status_of(exchange(server.port(), get("/health", "127.0.0.1:1"))), 403);
  EXPECT_EQ(status_of(exchange(server.port(), get("/health", "localhost:" + port))), 200);
  EXPECT_EQ(status_of(exchange(server.port(), get("/health", "proxy.example"))), 200);
  std::string rebinding = exchange(server.port(), get("/api/schema", "attacker.example:" + port));
  EXPECT_EQ(status_of(rebinding), 403);
  EXPECT_NE(rebinding.find("--allowed-host"), std::string::npos);
  // A drive-by POST from another site's page carries its Origin.
  std::string drive_by = exchange(server.port(), post("/generate-sql", q, "Origin: http://evil.example\r\n"));
  EXPECT_EQ(status_of(drive_by), 403) << drive_by.substr(0, 300);
  EXPECT_FALSE(has_header(drive_by, "Access-Control-Allow-Origin"));
  std::string same = exchange(server.port(), post("/generate-sql", q, "Origin: http://127.0.0.1:" + port + "\r\n"));
  EXPECT_EQ(status_of(same), 200) << same.substr(0, 300);
  EXPECT_FALSE(has_header(same, "Access-Control-Allow-Origin"));
  std::string listed = exchange(server.port(), post("/generate-sql", q, "Origin: https://app.example\r\n"));
  EXPECT_EQ(status_of(listed), 200);
  EXPECT_TRUE(has_header(listed, "Access-Control-Allow-Origin: https://app.example")) << listed.substr(0, 400);
  std::string preflight = exchange(server.port(),
                                   "OPTIONS /generate-sql HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: "
                                   "https://app.example\r\nAccess-Control-Request-Method: POST\r\n\r\n");
  EXPECT_EQ(status_of(preflight), 204);
  EXPECT_TRUE(has_header(preflight, "Access-Control-Allow-Headers: Content-Type, Authorization")) << preflight;
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeHardening, SecurityHeadersOnEveryAnswer) {
  ServeProcess server({"--max-body", "100"});
  ASSERT_GT(server.port(), 0) << server.first_line();
  for (const std::string& request :
       {get("/health"), get("/"), get("/no/such/page"), get("/%ff"), post("/generate-sql", std::string(200, 'x')),
        post("/generate-sql", "{bad"), std::string("BREW / HTTP/1.1\r\n\r\n")}) {
    std::string answer = exchange(server.port(), request);
    EXPECT_GT(status_of(answer), 0) << request.substr(0, 60);
    for (const char* h : {"X-Content-Type-Options: nosniff", "X-Frame-Options: DENY", "Content-Security-Policy: "})
      EXPECT_TRUE(has_header(answer, h)) << h << " missing for " << request.substr(0, 60) << "\n"
                                         << answer.substr(0, 400);
  }
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeHardening, BannerAndErrorsHidePasswords) {
  RunResult r = run_t2sql({"serve", "--port", "0", "--db", "postgresql://reader:Hunter2Secret@127.0.0.1:1/shop"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("Hunter2Secret"), std::string::npos) << r.err;
  RunResult q =
      run_t2sql({"serve", "--port", "0", "--db", "postgresql://127.0.0.1:1/shop?user=r&password=Hunter2Secret"});
  EXPECT_EQ(q.exit_code, 1);
  EXPECT_EQ(q.err.find("Hunter2Secret"), std::string::npos) << q.err;
  RunResult s = run_t2sql({"sql", "--db", "postgresql://reader:Hunter2/Secret@127.0.0.1:1/shop", "SELECT 1"});
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_EQ(s.err.find("Hunter2"), std::string::npos) << s.err;
  EXPECT_EQ(s.err.find("Secret"), std::string::npos) << s.err;
}

}  // namespace
}  // namespace t2sql::testing
