// The HTTP layer over Pipelines: request parsing and limits, the pools per
// mode, sessions, server-sent events, metrics and the static page. Built on
// Debian's compiled cpp-httplib; every handler catches, so nothing throws
// past it.
#include <httplib.h>
#include <sys/resource.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "format/json_text.h"
#include "schema/wordnet.h"
#include "server/answer_body.h"
#include "server/answer_cache.h"
#include "server/ask_request.h"
#include "server/connection_gate.h"
#include "server/openapi_spec.h"
#include "server/page_requests.h"
#include "server/pipeline_pool.h"
#include "server/server_metrics.h"
#include "server/web_assets.h"
#include "t2sql/chart.h"
#include "t2sql/feedback.h"
#include "t2sql/mcp_server.h"
#include "t2sql/server.h"
#include "t2sql/version.h"

namespace t2sql {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxSessions = 1000;

// The page's chart libraries, unpacked by scripts/install.sh from the npm
// tarballs pinned in scripts/deps.sh.
struct VendorFile {
  const char* url;
  const char* path;  // under the npm cache folder
};
constexpr VendorFile kVendorFiles[] = {
    {"/vendor/vega.min.js", "vega-5.33.1/package/build/vega.min.js"},
    {"/vendor/vega-lite.min.js", "vega-lite-5.23.0/package/build/vega-lite.min.js"},
    {"/vendor/vega-embed.min.js", "vega-embed-6.29.0/package/build/vega-embed.min.js"},
};

std::string default_vendor_dir() {
  if (const char* d = std::getenv("T2SQL_CACHE_DIR"); d && *d) return std::string(d) + "/npm";
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/t2sql/npm";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/t2sql/npm";
  return "";
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json error_body(const std::string& message) {
  return json{{"error", message}};
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(json_text(body), "application/json");
}

int status_for(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted: return 503;
    case StatusCode::kDeadlineExceeded: return 503;
    default: return 500;
  }
}

// Comparing every byte keeps the time independent of where a guess differs.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Sent with every answer, the gate's included. The page loads its scripts
// and styles from this server only; vega compiles chart expressions with
// Function() ('unsafe-eval') and vega-embed adds a <style> ('unsafe-inline').
const httplib::Headers& security_headers() {
  static const httplib::Headers headers = {
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'"}};
  return headers;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "name:port", "[v6]:port" or "name" -> name (lower case, brackets kept) and
// port ("" when absent).
std::pair<std::string, std::string> split_host(const std::string& value) {
  std::string v = lower(value);
  size_t colon = v.rfind(':');
  size_t bracket = v.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) return {v, ""};
  return {v.substr(0, colon), v.substr(colon + 1)};
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" || host == "[::1]";
}

bool is_wildcard_host(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
}

// cpp-httplib's server with the ConnectionGate in front: its accept loop
// hands each socket to the gate (through a task queue that runs the hand-over
// at once) instead of giving it a worker for its whole life, and the gate's
// workers answer complete requests with cpp-httplib's own request handling.
class GatedHttpServer : public httplib::Server {
 public:
  void set_gate(ConnectionGate* gate) { gate_ = gate; }
  bool serve_buffered(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
    return process_request(stream, close_connection, connection_closed, nullptr);
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    gate_->admit(sock);
    return true;
  }
  ConnectionGate* gate_ = nullptr;
};

class InlineTaskQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::string catalog_json;  // /api/schema, computed once
  std::string engine;
  size_t table_count = 0;
  std::map<std::string, std::unique_ptr<PipelinePool>> pools;  // by canonical mode; fixed after create()
  std::map<std::string, std::string> vendor;                   // url -> content; fixed after create()
  ServerMetrics metrics;
  std::unique_ptr<AnswerCache> answer_cache;
  std::thread warm_up;  // loads what the first question would wait for; joined by stop()
  GatedHttpServer http;
  std::unique_ptr<ConnectionGate> gate;
  std::thread thread;
  std::mutex join_mu;  // one joiner at a time (wait() and stop() may race)
  std::atomic<int> port{0};
  std::atomic<bool> started{false};
  socket_t listen_socket = -1;  // set while binding, before the serving thread starts

  std::once_flag mcp_once;         // /mcp's server is made on its first request
  std::unique_ptr<McpServer> mcp;  // set once under mcp_once; serializes its own calls
  Status mcp_status;               // why it could not be made

  std::mutex sessions_mu;
  std::unordered_map<std::string, Session> sessions;  // guarded by sessions_mu
  std::deque<std::string> session_order;              // guarded by sessions_mu; oldest first
  std::mt19937_64 rng{std::random_device{}()};        // guarded by sessions_mu
  std::mutex feedback_mu;                             // one append to the feedback file at a time

  bool mode_available(const std::string& mode) const {
    if (mode == "template") return true;
    const auto& g = options.pipeline.generator;
    return !g.model_path.empty() || !g.llm_url.empty() || options.make_generator || g.mode == mode;
  }

  std::string new_session_id() {
    std::lock_guard<std::mutex> lock(sessions_mu);
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    return buf;
  }
  Session load_session(const std::string& id) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    auto it = sessions.find(id);
    return it == sessions.end() ? Session{} : it->second;
  }
  void store_session(const std::string& id, Session s) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    if (!sessions.count(id)) {
      session_order.push_back(id);
      while (session_order.size() > kMaxSessions) {
        sessions.erase(session_order.front());
        session_order.pop_front();
      }
    }
    sessions[id] = std::move(s);
  }

  // Parses and checks a question request; on a problem, fills `res` with a
  // 400 and returns nullopt.
  std::optional<AskRequest> parse_ask(const httplib::Request& req, httplib::Response& res) {
    auto r = parse_ask_request(req.body, options.pipeline.generator.mode);
    if (!r.ok()) {
      send_json(res, 400, error_body(r.status().message()));
      return std::nullopt;
    }
    if (!mode_available(r->mode)) {
      send_json(
          res, 400,
          error_body("mode '" + r->mode + "' needs a model: start t2sql serve with --model PATH or --llm-url URL"));
      return std::nullopt;
    }
    return std::move(*r);
  }

  // Takes a pipeline for the mode, or answers 503/500 in `res`.
  std::optional<PipelinePool::Lease> lease_for(const std::string& mode, httplib::Response& res) {
    auto& pool = pools.at(mode);
    auto lease = pool->acquire(std::chrono::milliseconds(options.queue_timeout_ms));
    if (!lease.ok()) {
      int code = status_for(lease.status());
      if (code == 503) {
        metrics.count_rejection(mode);
        res.set_header("Retry-After", "2");
      }
      send_json(res, code, error_body(lease.status().message()));
      return std::nullopt;
    }
    return std::move(*lease);
  }

  // The /generate-sql body, shared with the SSE stream's final event.
  AnswerBody response_body(const AskResult& r, const std::string& mode, const std::string& model, bool svg,
                           bool cached) {
    return write_answer_body(r, {.mode = mode, .model = model, .svg = svg, .cached = cached});
  }

  // A result that is the same whenever this question is asked of this data:
  // no broken component and no stage that failed (a query that timed out or
  // met a lock may succeed next time).
  static bool worth_caching(const AskResult& r) {
    if (!r.error.ok()) return false;
    for (const auto& s : r.stages)
      if (s.status == "failed") return false;
    return true;
  }

  int http_status(const AskResult& r) {
    if (!r.error.ok()) return status_for(r.error);
    if (r.intent == Intent::kRefused) return 403;
    return 200;
  }

  std::string outcome(const AskResult& r) {
    if (!r.error.ok()) return "failed";
    if (r.intent == Intent::kRefused) return "refused";
    return r.answered ? "answered" : "abstained";
  }

  void handle_generate(const httplib::Request& req, httplib::Response& res) {
    auto ask = parse_ask(req, res);
    if (!ask) return;
    // Template answers to a request without a session are the same for
    // everyone until the data changes (AnswerCache).
    bool cacheable = answer_cache->enabled() && ask->session.empty() && ask->mode == "template";
    std::string cache_key;
    AnswerCache::Identity data_now;
    std::optional<AnswerCache::Flight> flight;  // this request computes the answer others wait for
    if (cacheable) {
      cache_key = AnswerCache::key(ask->query, ask->mode, ask->use_rag.value_or(options.pipeline.use_rag),
                                   ask->instructions, ask->svg);
      data_now = answer_cache->begin();
      auto hit = answer_cache->find(cache_key, data_now);
      if (!hit) {
        if (answer_cache->lead(cache_key))
          flight.emplace(answer_cache.get(), cache_key);
        else
          hit = answer_cache->wait(cache_key, data_now, std::chrono::milliseconds(options.queue_timeout_ms));
      }
      if (hit) {
        std::string session_id = new_session_id();
        store_session(session_id, std::move(hit->session));
        metrics.count_question(ask->mode, hit->outcome);
        res.status = hit->status;
        res.set_content(hit->body.with_session(session_id), "application/json");
        return;
      }
    }
    auto lease = lease_for(ask->mode, res);
    if (!lease) return;
    std::string session_id = ask->session.empty() ? new_session_id() : ask->session;
    Session session = load_session(session_id);
    AskOptions ao;
    ao.use_rag = ask->use_rag;
    ao.candidates = ask->candidates;
    ao.instructions = ask->instructions;
    AskResult r = (*lease)->ask(ask->query, &session, ao);
    std::string model = (*lease)->generator_name();
    lease.reset();  // back to the pool before the response is written
    if (cacheable && worth_caching(r)) {
      answer_cache->insert(cache_key,
                           {response_body(r, ask->mode, model, ask->svg, true), http_status(r), outcome(r), session},
                           data_now);
    }
    store_session(session_id, std::move(session));
    metrics.count_question(ask->mode, outcome(r));
    res.status = http_status(r);
    res.set_content(response_body(r, ask->mode, model, ask->svg, false).with_session(session_id), "application/json");
  }

  void handle_ask_stream(const httplib::Request& req, httplib::Response& res) {
    auto ask = parse_ask(req, res);
    if (!ask) return;
    auto lease = lease_for(ask->mode, res);
    if (!lease) return;
    struct StreamState {
      AskRequest ask;
      std::optional<PipelinePool::Lease> lease;
      std::string session_id;
    };
    auto state = std::make_shared<StreamState>();
    state->ask = *ask;
    state->lease.emplace(std::move(*lease));
    state->session_id = ask->session.empty() ? new_session_id() : ask->session;
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider("text/event-stream", [this, state](size_t, httplib::DataSink& sink) {
      auto send = [&sink](const std::string& event, const std::string& data) {
        std::string frame = "event: " + event + "\ndata: " + data + "\n\n";
        return sink.write(frame.data(), frame.size());
      };
      try {
        Session session = load_session(state->session_id);
        AskOptions ao;
        ao.use_rag = state->ask.use_rag;
        ao.candidates = state->ask.candidates;
        ao.instructions = state->ask.instructions;
        ao.on_stage = [&](const StageRecord& s) { send("stage", stage_record_to_json(s)); };
        AskResult r = (*state->lease)->ask(state->ask.query, &session, ao);
        std::string model = (*state->lease)->generator_name();
        state->lease.reset();
        store_session(state->session_id, std::move(session));
        metrics.count_question(state->ask.mode, outcome(r));
        json body = json::parse(
            response_body(r, state->ask.mode, model, state->ask.svg, false).with_session(state->session_id));
        body["status"] = http_status(r);
        send("result", json_text(body));
      } catch (const std::exception& e) {
        send("error", json_text(error_body(std::string("internal error: ") + e.what())));
      }
      sink.done();
      return true;
    });
  }

  // POST /api/sql: a user's edit of an answer's SQL, run as an answer is
  // (guard, validation, timeout, row cap, chart, answer) on a template pipeline.
  void handle_sql(const httplib::Request& req, httplib::Response& res) {
    auto run = parse_sql_run_request(req.body);
    if (!run.ok()) return send_json(res, 400, error_body(run.status().message()));
    auto lease = lease_for("template", res);
    if (!lease) return;
    std::string session_id = run->session.empty() ? new_session_id() : run->session;
    Session session = load_session(session_id);
    AskOptions ao;
    ao.sql = run->sql;
    AskResult r = (*lease)->ask(run->question, &session, ao);
    lease.reset();
    store_session(session_id, std::move(session));
    res.status = http_status(r);
    res.set_content(response_body(r, "sql", "user", run->svg, false).with_session(session_id), "application/json");
  }

  // POST /api/feedback: a rating, or a corrected SQL kept as the question's
  // answer (it must run first), appended to the feedback file.
  void handle_feedback(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = options.pipeline.feedback_path;
    if (path.empty()) return send_json(res, 400, error_body("this server keeps no feedback (no feedback file)"));
    auto entry = parse_feedback_request(req.body);
    if (!entry.ok()) return send_json(res, 400, error_body(entry.status().message()));
    if (entry->accepted) {
      auto lease = lease_for("template", res);
      if (!lease) return;
      AskOptions ao;
      ao.sql = entry->sql;
      AskResult r = (*lease)->ask(entry->question, nullptr, ao);
      if (!r.answered)
        return send_json(res, 400, error_body("the SQL was not stored: it does not run (" + r.reason + ")"));
    }
    Status stored;
    {
      std::lock_guard<std::mutex> lock(feedback_mu);
      stored = FeedbackLog::append(path, *entry);
    }
    if (!stored.ok()) return send_json(res, status_for(stored), error_body(stored.message()));
    send_json(res, 200, json{{"stored", true}, {"accepted", entry->accepted}, {"rating", entry->rating}});
  }

  // The Host header must name this server (DNS rebinding: a page of another
  // site whose name resolves to 127.0.0.1 would otherwise reach the API).
  bool host_allowed(const std::string& value) const {
    if (value.empty()) return true;  // HTTP/1.0 clients may send none
    auto [name, port] = split_host(value);
    for (const auto& a : options.allowed_hosts) {
      auto [allowed_name, allowed_port] = split_host(a);
      if (name == allowed_name && (allowed_port.empty() || allowed_port == port)) return true;
    }
    std::string listen = lower(options.host);
    if (is_wildcard_host(listen)) return options.allowed_hosts.empty();
    if (!port.empty() && port != std::to_string(this->port.load())) return false;
    if (name == listen || name == "[" + listen + "]") return true;
    return is_loopback_host(listen) && is_loopback_host(name);
  }

  // A browser names the page's origin on cross-site requests: allowed when
  // it is this server itself or one of --cors-origin.
  bool origin_allowed(const std::string& origin, const std::string& host) const {
    for (const auto& o : options.cors_origins)
      if (o == "*" || lower(o) == lower(origin)) return true;
    auto scheme = origin.find("://");
    if (scheme == std::string::npos || lower(origin.substr(0, scheme)) != "http") return false;
    auto [origin_name, origin_port] = split_host(origin.substr(scheme + 3));
    if (origin_port.empty()) origin_port = "80";
    // The request reached this port, whether or not its Host says so.
    auto [host_name, host_port] = split_host(host);
    if (host_port.empty()) host_port = std::to_string(port.load());
    return origin_name == host_name && origin_port == host_port;
  }

  bool cors_listed(const std::string& origin) const {
    for (const auto& o : options.cors_origins)
      if (o == "*" || lower(o) == lower(origin)) return true;
    return false;
  }

  // Host, Origin, CORS preflight and the bearer token, before any route.
  httplib::Server::HandlerResponse check_request(const httplib::Request& req, httplib::Response& res) {
    // The logger counts what stops here, except on the routes that count
    // their own answers.
    auto refused_on_timed_route = [&] {
      if (req.path == "/generate-sql" || req.path == "/api/ask" || req.path == "/api/sql" ||
          req.path == "/api/feedback")
        metrics.count_request(req.path, 403);
    };
    std::string host = req.get_header_value("Host");
    if (!host_allowed(host)) {
      refused_on_timed_route();
      send_json(res, 403,
                error_body("Host '" + host +
                           "' is not an address of this server (start t2sql serve with "
                           "--allowed-host NAME to accept it)"));
      return httplib::Server::HandlerResponse::Handled;
    }
    std::string origin = req.get_header_value("Origin");
    if (!origin.empty() && !origin_allowed(origin, host)) {
      refused_on_timed_route();
      send_json(res, 403,
                error_body("cross-origin request from '" + origin +
                           "' refused (start t2sql serve with --cors-origin ORIGIN to allow it)"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!origin.empty() && cors_listed(origin)) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
    if (req.method == "OPTIONS") {
      res.status = 204;
      res.set_header("Allow", "GET, POST, OPTIONS");
      if (!origin.empty() && cors_listed(origin)) {
        res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        res.set_header("Access-Control-Allow-Headers", "Content-Type, Authorization");
        res.set_header("Access-Control-Max-Age", "600");
      }
      return httplib::Server::HandlerResponse::Handled;
    }
    if (options.bearer_token.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string& p = req.path;
    bool guarded = p.rfind("/api/", 0) == 0 || p == "/generate-sql" || p == "/metrics" || p == "/mcp";
    if (!guarded) return httplib::Server::HandlerResponse::Unhandled;
    std::string auth = req.get_header_value("Authorization");
    if (same_secret(auth, "Bearer " + options.bearer_token)) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    send_json(res, 401, error_body("missing or wrong bearer token (send 'Authorization: Bearer <token>')"));
    return httplib::Server::HandlerResponse::Handled;
  }

  void describe_error(const httplib::Request& req, httplib::Response& res) {
    std::string message;
    if (res.status == 413)
      message = "the request body is too large (limit " + std::to_string(options.max_body_bytes) + " bytes)";
    else if (res.status == 404)
      message = "no such endpoint: " + req.method + " " + req.path;
    else if (res.status == 405)
      message = "method " + req.method + " is not allowed on " + req.path;
    else
      message = "the request failed with HTTP status " + std::to_string(res.status);
    send_json(res, res.status, error_body(message));
  }

  // MCP's streamable HTTP transport, stateless: each POST is one JSON-RPC
  // message answered with application/json (202 for notifications); no SSE
  // stream, so GET and DELETE are 405.
  void handle_mcp(const httplib::Request& req, httplib::Response& res) {
    std::string version = req.get_header_value("MCP-Protocol-Version");
    if (!version.empty() && !McpServer::supports_version(version)) {
      send_json(res, 400, error_body("unsupported MCP-Protocol-Version '" + version + "'"));
      return;
    }
    std::call_once(mcp_once, [this] {
      auto conn = Database::open(options.db_uri, {.allow_privileged_role = options.allow_privileged_role});
      if (!conn.ok()) {
        mcp_status = conn.status();
        return;
      }
      GeneratorFactory factory = options.make_generator ? options.make_generator : GeneratorFactory(make_generator);
      auto pipeline = Pipeline::create(std::move(*conn), options.pipeline, factory);
      if (!pipeline.ok()) {
        mcp_status = pipeline.status();
        return;
      }
      auto server = McpServer::create(std::move(*pipeline), {.exec = options.pipeline.exec});
      if (server.ok()) {
        mcp = std::move(*server);
      } else {
        mcp_status = server.status();
      }
    });
    if (!mcp) {
      send_json(res, 503, error_body("the MCP server cannot start: " + mcp_status.message()));
      return;
    }
    std::string reply = mcp->handle(req.body);
    if (reply.empty()) {
      res.status = 202;
      return;
    }
    res.status = 200;
    res.set_content(reply, "application/json");
  }

  void install_routes() {
    auto timed = [this](const std::string& route, auto handler) {
      return [this, route, handler](const httplib::Request& req, httplib::Response& res) {
        auto start = Clock::now();
        metrics.add_inflight(1);
        try {
          handler(req, res);
        } catch (const std::exception& e) {
          send_json(res, 500, error_body(std::string("internal error: ") + e.what()));
        } catch (...) {
          send_json(res, 500, error_body("internal error"));
        }
        metrics.add_inflight(-1);
        metrics.observe_latency(route, std::chrono::duration<double>(Clock::now() - start).count());
        // Counted here, before the response leaves, so that a client's next
        // request already sees it in /metrics.
        metrics.count_request(route, res.status);
      };
    };
    http.Post("/generate-sql",
              timed("/generate-sql", [this](const auto& req, auto& res) { handle_generate(req, res); }));
    http.Post("/api/ask", timed("/api/ask", [this](const auto& req, auto& res) { handle_ask_stream(req, res); }));
    http.Post("/api/sql", timed("/api/sql", [this](const auto& req, auto& res) { handle_sql(req, res); }));
    http.Post("/api/feedback",
              timed("/api/feedback", [this](const auto& req, auto& res) { handle_feedback(req, res); }));
    http.Post("/mcp", timed("/mcp", [this](const auto& req, auto& res) { handle_mcp(req, res); }));
    auto mcp_no_stream = [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "POST");
      send_json(res, 405, error_body("/mcp offers no event stream and no sessions: POST JSON-RPC messages"));
    };
    http.Get("/mcp", mcp_no_stream);
    http.Delete("/mcp", mcp_no_stream);
    http.Get("/api/schema", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(catalog_json, "application/json");
    });
    http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      json modes = json::array();
      for (const char* m : {"template", "llm", "ensemble"})
        if (mode_available(m)) modes.push_back(m);
      send_json(res, 200,
                json{{"status", "ok"},
                     {"version", t2sql_version()},
                     {"engine", engine},
                     {"tables", table_count},
                     {"default_mode", options.pipeline.generator.mode},
                     {"modes", modes},
                     {"rag_default", options.pipeline.use_rag},
                     {"auth", !options.bearer_token.empty()},
                     {"charts", vendor.size() == std::size(kVendorFiles)},
                     {"feedback", !options.pipeline.feedback_path.empty()}});
    });
    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      std::string text = metrics.render();
      text +=
          "# HELP t2sql_answer_cache_lookups_total Template answers looked up in the answer cache.\n"
          "# TYPE t2sql_answer_cache_lookups_total counter\n"
          "t2sql_answer_cache_lookups_total{result=\"hit\"} " +
          std::to_string(answer_cache->hits()) +
          "\n"
          "t2sql_answer_cache_lookups_total{result=\"miss\"} " +
          std::to_string(answer_cache->misses()) +
          "\n"
          "# HELP t2sql_answer_cache_entries Answers held by the answer cache.\n"
          "# TYPE t2sql_answer_cache_entries gauge\n"
          "t2sql_answer_cache_entries " +
          std::to_string(answer_cache->entries()) + "\n";
      res.set_content(text, "text/plain; version=0.0.4");
    });
    std::string openapi = openapi_spec_json(t2sql_version());
    http.Get("/openapi.json", [openapi](const httplib::Request&, httplib::Response& res) {
      res.set_content(openapi, "application/json");
    });
    for (const auto& [url, content] : vendor) {
      const std::string* body = &content;
      http.Get(url, [body](const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", "max-age=86400");
        res.set_content(*body, "application/javascript");
      });
    }
    // The page: --web-dir's folder, else the files embedded at build time.
    std::string web = options.web_dir;
    if (web.empty()) {
      for (const auto& asset : embedded_web_assets()) {
        if (std::string_view(asset.url).rfind("/vendor/", 0) == 0) continue;
        http.Get(asset.url, [&asset](const httplib::Request&, httplib::Response& res) {
          res.set_content(asset.body.data(), asset.body.size(), asset.content_type);
        });
      }
    } else if (!std::filesystem::exists(web + "/index.html")) {
      http.Get("/", [web](const httplib::Request&, httplib::Response& res) {
        send_json(res, 500, error_body("the page's files are not in '" + web + "'; start with --web-dir DIR"));
      });
    } else {
      http.set_mount_point("/", web);
    }

    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      try {
        return check_request(req, res);
      } catch (const std::exception& e) {
        send_json(res, 500, error_body(std::string("internal error: ") + e.what()));
        return httplib::Server::HandlerResponse::Handled;
      }
    });
    // cpp-httplib calls this outside its own try block: it must not throw
    // (the path may hold any bytes; json_text replaces invalid UTF-8).
    http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      try {
        describe_error(req, res);
      } catch (...) {
        res.set_content("{\"error\": \"internal error\"}", "application/json");
      }
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      send_json(res, 500, error_body("internal error: " + what));
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      static const std::set<std::string> kRoutes = {"/generate-sql", "/api/ask",      "/api/schema", "/health",
                                                    "/metrics",      "/openapi.json", "/api/sql",    "/api/feedback"};
      // The timed routes count their own answers; here only what never
      // reached their handler (a missing token, a body over the limit).
      bool timed = req.path == "/generate-sql" || req.path == "/api/ask" || req.path == "/api/sql" ||
                   req.path == "/api/feedback";
      if (timed && res.status != 401 && res.status != 413) return;
      std::string route = kRoutes.count(req.path)              ? req.path
                          : req.path.rfind("/vendor/", 0) == 0 ? "/vendor"
                                                               : "static";
      metrics.count_request(route, res.status);
    });
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  stop();
}

Result<std::unique_ptr<Server>> Server::create(const ServerOptions& options) {
  if (options.db_uri.empty()) return invalid_argument("no database given to serve");
  if (options.port < 0 || options.port > 65535)
    return invalid_argument("port " + std::to_string(options.port) + " is out of range (0-65535)");
  if (Status s = Pipeline::check_stage_names(options.pipeline.disabled_stages); !s.ok()) return s;
  if (!canonical_mode(options.pipeline.generator.mode))
    return invalid_argument("unknown mode '" + options.pipeline.generator.mode + "' (modes: template, llm, ensemble)");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.pipeline.generator.mode = *canonical_mode(options.pipeline.generator.mode);
  if (impl->options.worker_threads <= 0) impl->options.worker_threads = 64;

  auto db = Database::open(options.db_uri, {.allow_privileged_role = options.allow_privileged_role});
  if (!db.ok()) return db.status();
  auto catalog = (*db)->catalog();
  if (!catalog.ok()) return catalog.status();
  impl->engine = (*db)->engine();
  impl->table_count = catalog->tables.size();
  json schema = json::parse(catalog->to_json());
  schema["examples"] = example_questions(*catalog, 8);
  impl->catalog_json = json_text(schema);
  impl->answer_cache = std::make_unique<AnswerCache>(db_file_of(options.db_uri), options.answer_cache_entries,
                                                     options.answer_cache_bytes);

  // The chart libraries: --vendor-dir's, else the embedded ones, else the
  // install cache's (a build that did not find them to embed).
  if (impl->options.vendor_dir.empty()) {
    for (const auto& asset : embedded_web_assets())
      if (std::string_view(asset.url).rfind("/vendor/", 0) == 0) impl->vendor[asset.url] = std::string(asset.body);
  }
  if (impl->vendor.empty()) {
    std::string dir = impl->options.vendor_dir.empty() ? default_vendor_dir() : impl->options.vendor_dir;
    for (const auto& f : kVendorFiles) {
      std::string content = read_whole_file(dir + "/" + f.path);
      if (!content.empty()) impl->vendor[f.url] = std::move(content);
    }
  }

  Impl* p = impl.get();
  for (const std::string mode : {"template", "llm", "ensemble"}) {
    bool llm = mode != "template";
    size_t slots =
        llm ? static_cast<size_t>(std::max(1, options.llm_slots)) : static_cast<size_t>(impl->options.worker_threads);
    size_t waiting = llm ? static_cast<size_t>(std::max(0, options.llm_queue))
                         : static_cast<size_t>(impl->options.worker_threads) * 4;
    impl->pools[mode] =
        std::make_unique<PipelinePool>(mode, slots, waiting, [p, mode]() -> Result<std::unique_ptr<Pipeline>> {
          auto conn = Database::open(p->options.db_uri, {.allow_privileged_role = p->options.allow_privileged_role});
          if (!conn.ok()) return conn.status();
          PipelineOptions po = p->options.pipeline;
          po.generator.mode = mode;
          GeneratorFactory factory =
              p->options.make_generator ? p->options.make_generator : GeneratorFactory(make_generator);
          return Pipeline::create(std::move(*conn), po, factory);
        });
  }

  ConnectionGateOptions gate;
  gate.worker_threads = impl->options.worker_threads;
  gate.max_connections = options.max_connections;
  gate.max_connections_per_client = options.max_connections_per_client;
  gate.max_body_bytes = options.max_body_bytes;
  gate.header_timeout_ms = std::max(1, options.header_timeout_ms);
  gate.body_timeout_ms = std::max(1, options.body_timeout_ms);
  gate.idle_timeout_ms = std::max(1, options.idle_timeout_ms);
  gate.write_timeout_ms = std::max(1, options.write_timeout_s) * 1000;
  for (const auto& [name, value] : security_headers()) gate.extra_headers += name + ": " + value + "\r\n";
  impl->gate = std::make_unique<ConnectionGate>(
      gate,
      [raw = impl.get()](httplib::Stream& stream, bool close_connection, bool& connection_closed) {
        return raw->http.serve_buffered(stream, close_connection, connection_closed);
      },
      [raw = impl.get()](int status, const std::string&) { raw->metrics.count_request("connection", status); });
  impl->http.set_gate(impl->gate.get());
  // The accept loop only hands sockets to the gate; its workers do the rest.
  impl->http.new_task_queue = [] { return new InlineTaskQueue(); };
  impl->http.set_default_headers(security_headers());
  impl->http.set_payload_max_length(options.max_body_bytes);
  impl->http.set_write_timeout(std::max(1, options.write_timeout_s), 0);
  // Only what the Keep-Alive response header announces; the gate enforces it.
  impl->http.set_keep_alive_max_count(gate.keep_alive_max_requests);
  impl->http.set_keep_alive_timeout(std::max(1, options.idle_timeout_ms / 1000));
  // cpp-httplib also sets SO_REUSEPORT by default, which lets a second server
  // bind a port already in use; only SO_REUSEADDR (fast restarts) is wanted.
  Impl* raw = impl.get();
  impl->http.set_socket_options([raw](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
    raw->listen_socket = sock;
  });
  impl->install_routes();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::start() {
  Impl& p = *impl_;
  if (p.started.exchange(true)) return invalid_argument("the server is already started");
  // Every connection is a file descriptor: make room for the cap (the soft
  // limit is often 1024).
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    rlim_t want = static_cast<rlim_t>(p.options.max_connections) + 256;
    if (files.rlim_cur < want) {
      files.rlim_cur = std::min(want, files.rlim_max);
      setrlimit(RLIMIT_NOFILE, &files);
    }
  }
  int port = p.options.port;
  if (port == 0) {
    port = p.http.bind_to_any_port(p.options.host);
    if (port <= 0) return unavailable("cannot bind " + p.options.host + " to any port");
  } else if (!p.http.bind_to_port(p.options.host, port)) {
    return unavailable("cannot listen on " + p.options.host + ":" + std::to_string(port) +
                       " (in use, or not an address of this machine)");
  }
  p.port = port;
  p.gate->start();
  // cpp-httplib 0.11 listens with a backlog of 5: a burst of new connections
  // (32 clients starting at once) overflows it and some are dropped after
  // the handshake. Listening again on the bound socket raises the backlog.
  if (p.listen_socket >= 0) ::listen(p.listen_socket, 1024);
  p.thread = std::thread([&p] { p.http.listen_after_bind(); });
  // The first question would otherwise wait for WordNet (read once per
  // process, about 0.6 s) and for a template pipeline to be built.
  p.warm_up = std::thread([&p] {
    (void)WordNet::shared();
    (void)p.pools.at("template")->acquire(std::chrono::milliseconds(0));
  });
  // stop() before the loop runs would be lost; return once it is serving.
  for (int i = 0; i < 5000 && !p.http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status();
}

int Server::port() const {
  return impl_->port;
}

void Server::stop() {
  if (!impl_) return;
  impl_->http.stop();
  {
    std::lock_guard<std::mutex> lock(impl_->join_mu);
    if (impl_->thread.joinable()) impl_->thread.join();
    if (impl_->warm_up.joinable()) impl_->warm_up.join();
  }
  impl_->gate->stop();
}

void Server::wait() {
  std::lock_guard<std::mutex> lock(impl_->join_mu);
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace t2sql
