#include "server/connection_gate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "format/json_text.h"

namespace t2sql {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxChunkLine = 4096;    // a chunk-size line with its extensions
constexpr size_t kMaxTrailer = 8192;      // trailer fields after the last chunk
constexpr int kDrainMs = 1000;            // reading what a refused client still sends
constexpr int kSweepIntervalMs = 50;      // how often deadlines are checked
constexpr size_t kReadChunk = 16 * 1024;  // one recv()

bool iequals(const char* a, size_t n, const char* b) {
  if (std::strlen(b) != n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string peer_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, buf, sizeof buf);
  else if (addr.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, buf, sizeof buf);
  return buf;
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return;
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

// Writes all of `data` within `timeout_ms` on a non-blocking socket.
bool write_all(int fd, const char* data, size_t size, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace

struct ConnectionGate::Connection {
  // kQueued: with the workers (set and cleared by the epoll thread only).
  enum class State { kWaiting, kHeader, kBody, kQueued, kDraining };
  int fd = -1;
  std::string client;
  std::string in;  // bytes read and not yet answered
  State state = State::kWaiting;
  Clock::time_point deadline;
  size_t served = 0;
  // The request being read: where its header ends and its body's framing.
  size_t header_end = 0;  // one past the blank line; 0 while unknown
  bool chunked = false;
  size_t content_length = 0;
  size_t chunk_pos = 0;      // chunked: where parsing continues
  size_t chunk_left = 0;     // chunked: data bytes of the current chunk still to come
  bool in_chunk = false;     // chunked: inside a chunk's data (or its CRLF)
  bool in_trailer = false;   // chunked: after the last chunk
  size_t body_total = 0;     // chunked: the sum of the chunk sizes so far
  size_t request_end = 0;    // one past the request's last byte; 0 while incomplete
  bool close_after = false;  // worker: the connection ends after this answer
};

namespace {

// The buffered request as a cpp-httplib stream: reads come from the bytes the
// gate collected (never from the socket), writes go to the socket with a
// deadline. cpp-httplib writes an answer's status line and headers in one
// write and its body in another: sent as they come, that is two TCP segments
// and two system calls per answer (a quarter of the server's CPU for a
// cached answer). The header block is held back and goes out with the next
// write (the body, or a stream's first event), or at flush() when the answer
// has no body.
class BufferedStream : public httplib::Stream {
 public:
  BufferedStream(int fd, const std::string& in, size_t end, int write_timeout_ms)
      : fd_(fd), in_(in), end_(end), write_timeout_ms_(write_timeout_ms) {}
  bool is_readable() const override { return pos_ < end_; }
  bool is_writable() const override {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, write_timeout_ms_) <= 0) return false;
    return (p.revents & (POLLERR | POLLHUP)) == 0;
  }
  ssize_t read(char* ptr, size_t size) override {
    size_t n = std::min(size, end_ - pos_);
    std::memcpy(ptr, in_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    bool header_block = pending_.empty() && size >= 4 && std::memcmp(ptr, "HTTP", 4) == 0 &&
                        std::memcmp(ptr + size - 4, "\r\n\r\n", 4) == 0;
    if (header_block) {
      pending_.assign(ptr, size);
      return static_cast<ssize_t>(size);
    }
    if (!pending_.empty()) {
      pending_.append(ptr, size);
      bool ok = flush();
      return ok ? static_cast<ssize_t>(size) : -1;
    }
    return write_all(fd_, ptr, size, write_timeout_ms_) ? static_cast<ssize_t>(size) : -1;
  }
  // Sends what is held back; false when the client does not take it.
  bool flush() {
    if (pending_.empty()) return true;
    bool ok = write_all(fd_, pending_.data(), pending_.size(), write_timeout_ms_);
    pending_.clear();
    return ok;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, false, ip, port); }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  const std::string& in_;
  size_t end_, pos_ = 0;
  int write_timeout_ms_;
  std::string pending_;  // a header block not yet sent
};

enum class Parse { kIncomplete, kComplete, kError };

struct ParseError {
  int status = 400;
  std::string message;
};

// Reads the header of the request at the front of `c.in`: its framing
// (Content-Length or chunked) and whether the client waits for a 100.
Parse parse_header(ConnectionGate::Connection& c, const ConnectionGateOptions& o, bool& expect_continue,
                   ParseError& err) {
  size_t end = c.in.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (c.in.size() > o.max_header_bytes) {
      err = {431, "the request header is larger than " + std::to_string(o.max_header_bytes) + " bytes"};
      return Parse::kError;
    }
    return Parse::kIncomplete;
  }
  if (end + 4 > o.max_header_bytes) {
    err = {431, "the request header is larger than " + std::to_string(o.max_header_bytes) + " bytes"};
    return Parse::kError;
  }
  c.header_end = end + 4;
  size_t line_end = c.in.find("\r\n");
  std::string method = c.in.substr(0, std::min(c.in.find(' '), line_end));
  bool has_length = false, has_te = false;
  size_t expect_line = std::string::npos, expect_line_end = 0;
  for (size_t pos = line_end + 2; pos < end;) {
    size_t eol = c.in.find("\r\n", pos);
    if (eol == std::string::npos || eol > end) eol = end;
    size_t colon = c.in.find(':', pos);
    if (colon != std::string::npos && colon < eol) {
      const char* name = c.in.data() + pos;
      size_t name_len = colon - pos;
      std::string value = trim(c.in.substr(colon + 1, eol - colon - 1));
      if (iequals(name, name_len, "content-length")) {
        if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos) {
          err = {400, "the Content-Length header is not a number"};
          return Parse::kError;
        }
        size_t n = std::stoull(value);
        if (has_length && n != c.content_length) {
          err = {400, "two different Content-Length headers"};
          return Parse::kError;
        }
        has_length = true;
        c.content_length = n;
      } else if (iequals(name, name_len, "transfer-encoding")) {
        if (!iequals(value.data(), value.size(), "chunked")) {
          err = {400, "unsupported Transfer-Encoding '" + value + "' (only chunked)"};
          return Parse::kError;
        }
        has_te = true;
      } else if (iequals(name, name_len, "expect") && iequals(value.data(), value.size(), "100-continue")) {
        expect_line = pos;
        expect_line_end = eol + 2;
      }
    }
    pos = eol + 2;
  }
  if (has_length && has_te) {
    err = {400, "both Content-Length and Transfer-Encoding given"};
    return Parse::kError;
  }
  c.chunked = has_te;
  if (!has_length && !has_te && (method == "POST" || method == "PUT" || method == "PATCH")) {
    err = {411, "a " + method + " request needs a Content-Length header or a chunked body"};
    return Parse::kError;
  }
  if (has_length && c.content_length > o.max_body_bytes) {
    err = {413, "the request body is too large (limit " + std::to_string(o.max_body_bytes) + " bytes)"};
    return Parse::kError;
  }
  if (expect_line != std::string::npos) {
    // The gate answers the 100 itself; cpp-httplib must not send a second one.
    c.in.erase(expect_line, expect_line_end - expect_line);
    c.header_end -= expect_line_end - expect_line;
    expect_continue = has_te || c.content_length > 0;
  }
  c.chunk_pos = c.header_end;
  return Parse::kComplete;
}

// Follows the chunked framing of the body as far as the buffer goes.
Parse parse_chunks(ConnectionGate::Connection& c, const ConnectionGateOptions& o, ParseError& err) {
  for (;;) {
    if (c.in_trailer) {
      // Trailer fields end at an empty line; the first line may already be it.
      size_t eol = c.in.find("\r\n", c.chunk_pos);
      if (eol == std::string::npos) {
        if (c.in.size() - c.chunk_pos > kMaxTrailer) {
          err = {400, "the chunked body's trailer is too long"};
          return Parse::kError;
        }
        return Parse::kIncomplete;
      }
      bool blank = eol == c.chunk_pos;
      c.chunk_pos = eol + 2;
      if (blank) {
        c.request_end = c.chunk_pos;
        return Parse::kComplete;
      }
      continue;
    }
    if (c.in_chunk) {
      if (c.in.size() - c.chunk_pos < c.chunk_left + 2) return Parse::kIncomplete;
      if (c.in.compare(c.chunk_pos + c.chunk_left, 2, "\r\n") != 0) {
        err = {400, "a chunk of the body does not end with CRLF"};
        return Parse::kError;
      }
      c.chunk_pos += c.chunk_left + 2;
      c.in_chunk = false;
      continue;
    }
    size_t eol = c.in.find("\r\n", c.chunk_pos);
    if (eol == std::string::npos) {
      if (c.in.size() - c.chunk_pos > kMaxChunkLine) {
        err = {400, "a chunk-size line is too long"};
        return Parse::kError;
      }
      return Parse::kIncomplete;
    }
    size_t size = 0, digits = 0;
    for (size_t i = c.chunk_pos; i < eol && std::isxdigit(static_cast<unsigned char>(c.in[i])); ++i, ++digits) {
      if (digits >= 15) {
        err = {413, "the request body is too large (limit " + std::to_string(o.max_body_bytes) + " bytes)"};
        return Parse::kError;
      }
      char ch = static_cast<char>(std::tolower(static_cast<unsigned char>(c.in[i])));
      size = size * 16 + static_cast<size_t>(ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    if (digits == 0) {
      err = {400, "a chunk-size line is not hexadecimal"};
      return Parse::kError;
    }
    c.body_total += size;
    if (c.body_total > o.max_body_bytes) {
      err = {413, "the request body is too large (limit " + std::to_string(o.max_body_bytes) + " bytes)"};
      return Parse::kError;
    }
    c.chunk_pos = eol + 2;
    if (size == 0) {
      c.in_trailer = true;
    } else {
      c.in_chunk = true;
      c.chunk_left = size;
    }
  }
}

void reset_request(ConnectionGate::Connection& c) {
  c.header_end = 0;
  c.chunked = false;
  c.content_length = 0;
  c.chunk_pos = 0;
  c.chunk_left = 0;
  c.in_chunk = false;
  c.in_trailer = false;
  c.body_total = 0;
  c.request_end = 0;
}

}  // namespace

ConnectionGate::ConnectionGate(ConnectionGateOptions options, Serve serve, OnRefusal on_refusal)
    : options_(std::move(options)), serve_(std::move(serve)), on_refusal_(std::move(on_refusal)) {
  options_.worker_threads = std::max(1, options_.worker_threads);
  options_.max_connections = std::max<size_t>(1, options_.max_connections);
  options_.max_connections_per_client = std::max<size_t>(1, options_.max_connections_per_client);
  options_.keep_alive_max_requests = std::max<size_t>(1, options_.keep_alive_max_requests);
}

ConnectionGate::~ConnectionGate() {
  stop();
}

void ConnectionGate::start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  poller_ = std::thread([this] { poll_loop(); });
  for (int i = 0; i < options_.worker_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

void ConnectionGate::stop() {
  if (stopping_.exchange(true)) return;
  wake();
  if (poller_.joinable()) poller_.join();
  ready_cv_.notify_all();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : admitted_) ::close(fd);
  admitted_.clear();
  for (auto& [fd, c] : connections_) ::close(fd);
  connections_.clear();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  epoll_fd_ = wake_fd_ = -1;
}

void ConnectionGate::admit(int fd) {
  if (stopping_) {
    ::close(fd);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    admitted_.push_back(fd);
  }
  wake();
}

void ConnectionGate::wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  ssize_t n = ::write(wake_fd_, &one, sizeof one);
  (void)n;
}

void ConnectionGate::accept_pending() {
  std::deque<int> fds;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fds.swap(admitted_);
  }
  for (int fd : fds) {
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int yes = 1;
    // Without it every answer after the first on a keep-alive connection
    // waits for the client's delayed ACK (about 40 ms).
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->client = peer_address(fd);
    c->deadline = Clock::now() + std::chrono::milliseconds(options_.idle_timeout_ms);
    Connection* raw = c.get();
    size_t& mine = per_client_[raw->client];
    connections_[fd] = std::move(c);
    ++mine;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    if (connections_.size() > options_.max_connections) {
      refuse(raw, 503,
             "the server has too many open connections (" + std::to_string(options_.max_connections) +
                 "); try again shortly");
    } else if (mine > options_.max_connections_per_client) {
      refuse(raw, 503,
             "too many open connections from " + raw->client + " (limit " +
                 std::to_string(options_.max_connections_per_client) + ")");
    }
  }
}

void ConnectionGate::poll_loop() {
  std::vector<epoll_event> events(256);
  auto last_sweep = Clock::now();
  while (!stopping_) {
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), kSweepIntervalMs);
    if (stopping_) break;
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<size_t>(i)].data.fd;
      if (fd == wake_fd_) {
        uint64_t count;
        while (::read(wake_fd_, &count, sizeof count) > 0) {
        }
        continue;
      }
      auto it = connections_.find(fd);
      if (it == connections_.end()) continue;
      Connection* c = it->second.get();
      if (c->state == Connection::State::kQueued) continue;
      on_readable(c);
    }
    accept_pending();
    take_back_served();
    if (Clock::now() - last_sweep >= std::chrono::milliseconds(kSweepIntervalMs)) {
      sweep_deadlines();
      last_sweep = Clock::now();
    }
  }
}

void ConnectionGate::on_readable(Connection* c) {
  char buf[kReadChunk];
  bool closed = false;
  // Beyond this a request cannot be complete and within the limits (chunk
  // lines of one-byte chunks cost more than the byte).
  size_t cap = options_.max_header_bytes + 8 * options_.max_body_bytes + kMaxTrailer + kMaxChunkLine;
  for (;;) {
    ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      if (c->state != Connection::State::kDraining) c->in.append(buf, static_cast<size_t>(n));
      if (c->in.size() > cap) break;
      // A short read took all there was; epoll (level-triggered) reports
      // what comes later, so a recv() that would only say EAGAIN is saved.
      if (static_cast<size_t>(n) < sizeof buf) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    closed = true;  // 0: the client closed; <0: an error
    break;
  }
  if (c->state == Connection::State::kDraining) {
    if (closed) close_connection(c);
    return;
  }
  dispatch(c);
  if (c->in.size() > cap && c->state != Connection::State::kQueued && c->state != Connection::State::kDraining)
    return refuse(c, 413, "the request is larger than the server accepts");
  if (closed && (c->state == Connection::State::kWaiting || c->state == Connection::State::kHeader ||
                 c->state == Connection::State::kBody))
    close_connection(c);
}

// Advances the request at the front of the buffer; a complete one goes to
// the workers.
void ConnectionGate::dispatch(Connection* c) {
  if (c->in.empty()) return;
  auto now = Clock::now();
  ParseError err;
  if (c->state == Connection::State::kWaiting) {
    c->state = Connection::State::kHeader;
    c->deadline = now + std::chrono::milliseconds(options_.header_timeout_ms);
  }
  if (c->state == Connection::State::kHeader) {
    bool expect_continue = false;
    Parse p = parse_header(*c, options_, expect_continue, err);
    if (p == Parse::kError) return refuse(c, err.status, err.message);
    if (p == Parse::kIncomplete) return;
    c->state = Connection::State::kBody;
    c->deadline = now + std::chrono::milliseconds(options_.body_timeout_ms);
    bool body_here = c->chunked ? false : c->in.size() >= c->header_end + c->content_length;
    if (expect_continue && !body_here) {
      static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      write_all(c->fd, kContinue, sizeof kContinue - 1, 1000);
    }
  }
  if (c->chunked) {
    Parse p = parse_chunks(*c, options_, err);
    if (p == Parse::kError) return refuse(c, err.status, err.message);
    if (p == Parse::kIncomplete) return;
  } else {
    if (c->in.size() < c->header_end + c->content_length) return;
    c->request_end = c->header_end + c->content_length;
  }
  c->state = Connection::State::kQueued;
  epoll_event ev{};
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, &ev);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(c);
  }
  ready_cv_.notify_one();
}

void ConnectionGate::worker_loop() {
  for (;;) {
    Connection* c = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      if (stopping_) return;
      c = ready_.front();
      ready_.pop_front();
    }
    ++c->served;
    bool last = c->served >= options_.keep_alive_max_requests;
    bool connection_closed = false;
    bool ok = false;
    {
      BufferedStream stream(c->fd, c->in, c->request_end, options_.write_timeout_ms);
      try {
        ok = serve_(stream, last, connection_closed);
      } catch (...) {
        ok = false;  // cpp-httplib's own handlers catch; this is the last line
      }
      if (!stream.flush()) ok = false;
    }
    c->in.erase(0, c->request_end);
    reset_request(*c);
    c->close_after = !ok || connection_closed || last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      served_.push_back(c);
    }
    wake();
  }
}

void ConnectionGate::take_back_served() {
  std::deque<Connection*> back;
  {
    std::lock_guard<std::mutex> lock(mu_);
    back.swap(served_);
  }
  for (Connection* c : back) {
    if (c->close_after) {
      close_connection(c);
      continue;
    }
    c->state = Connection::State::kWaiting;
    c->deadline = Clock::now() + std::chrono::milliseconds(options_.idle_timeout_ms);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = c->fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd, &ev);
    // A pipelined request may already be complete in the buffer.
    dispatch(c);
  }
}

void ConnectionGate::refuse(Connection* c, int status, const std::string& message) {
  if (on_refusal_) on_refusal_(status, message);
  std::string body = json_text(nlohmann::json{{"error", message}});
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: close\r\n" + (status == 503 ? "Retry-After: 2\r\n" : "") +
                     options_.extra_headers + "\r\n";
  std::string all = head + body;
  write_all(c->fd, all.data(), all.size(), 200);
  // Stop sending, then read what the client still sends for a moment, so
  // that closing does not reset the connection before it reads the answer.
  ::shutdown(c->fd, SHUT_WR);
  c->state = Connection::State::kDraining;
  c->in.clear();
  c->deadline = Clock::now() + std::chrono::milliseconds(kDrainMs);
}

void ConnectionGate::close_connection(Connection* c) {
  int fd = c->fd;
  epoll_event ev{};
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &ev);
  auto pc = per_client_.find(c->client);
  if (pc != per_client_.end() && --pc->second == 0) per_client_.erase(pc);
  ::close(fd);
  connections_.erase(fd);
}

void ConnectionGate::sweep_deadlines() {
  auto now = Clock::now();
  std::vector<Connection*> expired;
  for (auto& [fd, c] : connections_) {
    if (c->state == Connection::State::kQueued) continue;
    if (now >= c->deadline) expired.push_back(c.get());
  }
  for (Connection* c : expired) {
    switch (c->state) {
      case Connection::State::kWaiting:
      case Connection::State::kDraining: close_connection(c); break;
      case Connection::State::kHeader:
        refuse(c, 408,
               "the request header did not arrive within " + std::to_string(options_.header_timeout_ms) + " ms");
        break;
      case Connection::State::kBody:
        refuse(c, 408, "the request body did not arrive within " + std::to_string(options_.body_timeout_ms) + " ms");
        break;
      default: break;
    }
  }
}

}  // namespace t2sql
