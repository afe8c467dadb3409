// Server: t2sql's HTTP API and web page over one database.
//
//   ServerOptions opt;
//   opt.db_uri = "sqlite:///data/shop.db";
//   auto server = Server::create(opt);
//   if (!server.ok() || !(*server)->start().ok()) return 1;
//   std::cout << "http://127.0.0.1:" << (*server)->port() << "/\n";
//   (*server)->wait();
//
// Endpoints: POST /generate-sql, POST /api/ask (server-sent events, one per
// stage), GET /api/schema, GET /health, GET /metrics (Prometheus text),
// GET /openapi.json, and the page at /. Template mode runs in parallel, one
// Pipeline (and so one Database connection) per busy worker; the LLM modes
// run on a bounded pool of pipelines and answer 503 when its queue is full.
// Handlers never throw; every error is a JSON body {"error": "..."}.
// Thread-safe: start/stop/wait may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "t2sql/pipeline.h"
#include "t2sql/status.h"

namespace t2sql {

struct ServerOptions {
  std::string host = "127.0.0.1";     // loopback unless asked otherwise
  int port = 8080;                    // 0: any free port (see Server::port())
  std::string db_uri;                 // required
  bool allow_privileged_role = false;  // see OpenOptions
  PipelineOptions pipeline;           // the default mode, limits and stages
  std::string web_dir;                // the page; empty: <source dir>/web
  std::string vendor_dir;             // unpacked npm tarballs (vega...); empty: the install cache
  std::string bearer_token;           // when set, /api/*, /generate-sql and /metrics need it
  size_t max_body_bytes = 64 * 1024;  // Content-Length or the sum of the chunks; larger: 413
  int worker_threads = 0;             // HTTP threads; 0: 64
  int llm_slots = 1;                  // LLM pipelines (contexts) working at once
  int llm_queue = 8;                  // LLM requests allowed to wait; more get 503
  int queue_timeout_ms = 30000;       // longest wait for a pipeline; then 503
  // Slow and idle clients: a request's header must arrive within
  // header_timeout_ms of its first byte and its body within body_timeout_ms
  // of the header (else 408); a keep-alive connection without a request is
  // closed after idle_timeout_ms. They wait without holding a worker.
  int header_timeout_ms = 10000;
  int body_timeout_ms = 30000;
  int idle_timeout_ms = 5000;
  int write_timeout_s = 30;
  size_t max_connections = 1000;           // open at once; more: 503
  size_t max_connections_per_client = 64;  // open at once from one address; more: 503
  // Host header values accepted besides the listening address (with loopback,
  // also localhost, 127.0.0.1 and [::1]); "name" accepts any port,
  // "name:port" only that one. Listening on 0.0.0.0 or :: with none given
  // accepts any Host. Others get 403 (DNS rebinding).
  std::vector<std::string> allowed_hosts;
  // Origins (e.g. "https://app.example.com", or "*") allowed to call the API
  // from a browser page of another site; none by default: a request with a
  // foreign Origin header gets 403 and no CORS headers are sent.
  std::vector<std::string> cors_origins;
  // Template answers kept for questions asked again without a session,
  // emptied whenever the database file changes (src/server/answer_cache.h);
  // 0 entries: off. Only for databases that are a local file.
  size_t answer_cache_entries = 1000;
  size_t answer_cache_bytes = 64 << 20;
  // How generators are made; make_generator() when empty. Tests and
  // embedders may supply their own.
  GeneratorFactory make_generator;
};

class Server {
 public:
  // Opens the database once to check it and read its catalog.
  static Result<std::unique_ptr<Server>> create(const ServerOptions& options);
  ~Server();

  // Binds host:port and serves on background threads. kUnavailable when the
  // address cannot be bound.
  Status start();
  int port() const;
  void stop();
  void wait();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace t2sql
