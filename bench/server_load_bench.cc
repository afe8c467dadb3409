// Load test of the HTTP API: N concurrent clients POST /generate-sql in
// template mode for a fixed time against a server on 127.0.0.1, then the
// throughput, latency percentiles and error count are printed. Not part of
// the test suite (it takes as long as it is told to).
//
//   build/server_load_bench [--clients 32] [--seconds 30] [--url http://127.0.0.1:8080]
//
// Without --url it starts its own server in-process on a free port over the
// demo warehouse. Exits 1 when any request failed.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "t2sql/demo.h"
#include "t2sql/server.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int clients = 32;
  double seconds = 30;
  std::string url;  // "http://127.0.0.1:8080"
};

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (k == "--clients")
      a.clients = std::atoi(v.c_str());
    else if (k == "--seconds")
      a.seconds = std::atof(v.c_str());
    else if (k == "--url")
      a.url = v;
    else
      return false;
  }
  return a.clients > 0 && a.seconds > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse(argc, argv, args)) {
    std::fprintf(stderr, "usage: server_load_bench [--clients N] [--seconds S] [--url http://127.0.0.1:PORT]\n");
    return 2;
  }
  std::unique_ptr<t2sql::Server> server;
  std::string host = "127.0.0.1";
  int port = 0;
  if (args.url.empty()) {
    std::string dir = (std::filesystem::temp_directory_path() / "t2sql-load-bench").string();
    std::filesystem::create_directories(dir);
    auto made = t2sql::create_demo_warehouse(dir + "/demo.db", true);
    if (!made.ok()) {
      std::fprintf(stderr, "error: %s\n", made.status().message().c_str());
      return 1;
    }
    t2sql::ServerOptions opt;
    opt.db_uri = dir + "/demo.db";
    opt.port = 0;
    auto s = t2sql::Server::create(opt);
    if (!s.ok() || !(*s)->start().ok()) {
      std::fprintf(stderr, "error: cannot start the server\n");
      return 1;
    }
    server = std::move(*s);
    port = server->port();
  } else {
    auto colon = args.url.rfind(':');
    auto slashes = args.url.find("//");
    if (colon == std::string::npos || slashes == std::string::npos) {
      std::fprintf(stderr, "error: --url must look like http://127.0.0.1:8080\n");
      return 2;
    }
    host = args.url.substr(slashes + 2, colon - slashes - 2);
    port = std::atoi(args.url.c_str() + colon + 1);
    if (host != "127.0.0.1" && host != "localhost" && host != "::1") {
      std::fprintf(stderr, "error: the load test only targets this machine (127.0.0.1, localhost)\n");
      return 2;
    }
  }

  std::vector<std::string> bodies;
  for (const auto& q : t2sql::demo_example_queries())
    bodies.push_back(nlohmann::json{{"query", q.question}, {"mode", "template"}}.dump());

  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::mutex mu;
  std::vector<double> latencies_ms;  // guarded by mu
  std::string first_error;           // guarded by mu
  auto worker = [&](int id) {
    httplib::Client client(host, port);
    client.set_keep_alive(true);
    client.set_read_timeout(30, 0);
    std::vector<double> mine;
    size_t i = static_cast<size_t>(id);
    while (!stop.load(std::memory_order_relaxed)) {
      auto start = Clock::now();
      auto res = client.Post("/generate-sql", bodies[i++ % bodies.size()], "application/json");
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (!res || res->status != 200) {
        ++errors;
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.empty())
          first_error = res ? "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200)
                            : "transport: " + httplib::to_string(res.error());
        continue;
      }
      mine.push_back(ms);
    }
    std::lock_guard<std::mutex> lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
  };
  std::printf("load: %d clients for %.0f s against http://%s:%d/generate-sql (template mode)\n", args.clients,
              args.seconds, host.c_str(), port);
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < args.clients; ++c) threads.emplace_back(worker, c);
  std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();

  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    size_t idx = static_cast<size_t>(p * static_cast<double>(latencies_ms.size() - 1));
    return latencies_ms[idx];
  };
  std::printf("requests: %zu ok, %ld errors in %.1f s\n", latencies_ms.size(), errors.load(), elapsed);
  std::printf("throughput: %.1f requests/s\n", static_cast<double>(latencies_ms.size()) / elapsed);
  std::printf("latency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", pct(0.50), pct(0.95), pct(0.99),
              latencies_ms.empty() ? 0.0 : latencies_ms.back());
  if (errors > 0) std::printf("first error: %s\n", first_error.c_str());
  if (server) server->stop();
  return errors == 0 && !latencies_ms.empty() ? 0 : 1;
}
