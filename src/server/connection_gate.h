// ConnectionGate: the socket layer in front of cpp-httplib's request handling,
// so that slow, idle or hostile clients cannot hold the HTTP workers.
//
// cpp-httplib 0.11 gives each accepted connection a worker thread for its
// whole life: the worker waits for headers (a slowloris client sending a
// header line every few seconds keeps it forever), waits between keep-alive
// requests, and reads chunked bodies without a size limit. The gate takes the
// accepted socket instead and, on one epoll thread, reads each request's
// header and body into memory under deadlines (header, body, keep-alive
// idle), enforces the body limit for Content-Length and chunked bodies, caps
// the connections in total and per client address, and answers what it
// refuses itself (400, 408, 411, 413, 431, 503, each with Connection: close).
// Only a complete request reaches a worker, which hands the buffered bytes to
// cpp-httplib through `Serve` (Server::process_request); the worker gives the
// connection back to the epoll thread between requests.
//
// Thread-safety: admit() may be called from any thread; start()/stop() from
// the owner. Connections are owned by the epoll thread while they wait and by
// one worker while served.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace t2sql {

struct ConnectionGateOptions {
  int worker_threads = 64;
  size_t max_connections = 1000;           // open at once, all clients
  size_t max_connections_per_client = 64;  // open at once, one client address
  size_t max_header_bytes = 64 * 1024;     // request line and headers
  size_t max_body_bytes = 64 * 1024;       // Content-Length or the sum of the chunks
  int header_timeout_ms = 10000;           // first byte of a request -> end of its header
  int body_timeout_ms = 30000;             // end of the header -> end of the body
  int idle_timeout_ms = 5000;              // keep-alive: a connection waiting for its next request
  int write_timeout_ms = 30000;            // one write to a client that does not read
  size_t keep_alive_max_requests = 1000;   // requests on one connection, then it closes
  // Header lines (each "Name: value\r\n") added to the answers the gate writes
  // itself: the server's security headers.
  std::string extra_headers;
};

class ConnectionGate {
 public:
  // Answers one buffered request on `stream`, as httplib::Server's
  // process_request does; returns false when the connection must close.
  using Serve = std::function<bool(httplib::Stream& stream, bool close_connection, bool& connection_closed)>;
  // Sees every answer the gate writes itself (status, reason), for metrics.
  using OnRefusal = std::function<void(int status, const std::string& reason)>;

  ConnectionGate(ConnectionGateOptions options, Serve serve, OnRefusal on_refusal);
  ~ConnectionGate();

  void start();
  // Takes ownership of an accepted socket.
  void admit(int fd);
  // Closes every connection and joins the threads; answers in progress finish.
  void stop();

  struct Connection;

 private:
  void poll_loop();
  void worker_loop();
  void accept_pending();
  void on_readable(Connection* c);
  void dispatch(Connection* c);
  void refuse(Connection* c, int status, const std::string& message);
  void close_connection(Connection* c);
  void sweep_deadlines();
  void take_back_served();
  void wake();

  ConnectionGateOptions options_;
  Serve serve_;
  OnRefusal on_refusal_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
  std::vector<std::thread> workers_;

  std::mutex mu_;
  std::condition_variable ready_cv_;
  std::deque<int> admitted_;        // guarded by mu_; accepted sockets not yet seen by the poller
  std::deque<Connection*> ready_;   // guarded by mu_; complete requests for the workers
  std::deque<Connection*> served_;  // guarded by mu_; back from the workers
  std::map<int, std::unique_ptr<Connection>> connections_;  // poller thread only (and stop())
  std::map<std::string, size_t> per_client_;                // poller thread only
};

}  // namespace t2sql
