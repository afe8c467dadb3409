// Plain sockets for tests that send what an HTTP client library would not:
// malformed requests, slow headers, idle connections.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace t2sql::testing {

// A connected socket to 127.0.0.1:port, from `source` (another loopback
// address such as 127.0.0.2 acts as a second client); -1 on failure.
inline int connect_local(int port, const char* source = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (source) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads until the peer closes, `timeout_ms` passes, or (when `one_answer`)
// a whole answer with a Content-Length body has arrived.
inline std::string read_answer(int fd, int timeout_ms, bool one_answer = true) {
  std::string in;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (one_answer) {
      size_t head = in.find("\r\n\r\n");
      if (head != std::string::npos) {
        size_t cl = in.find("Content-Length: ");
        if (cl != std::string::npos && cl < head &&
            in.size() >= head + 4 + std::stoul(in.substr(cl + 16, in.find("\r\n", cl) - cl - 16)))
          return in;
      }
    }
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return in;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return in;
    char buf[8192];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return in;
    in.append(buf, static_cast<size_t>(n));
  }
}

// One request on a fresh connection; the answer as received ("" when the
// server closed without one).
inline std::string exchange(int port, const std::string& bytes, int timeout_ms = 5000) {
  int fd = connect_local(port);
  if (fd < 0) return "";
  send_all(fd, bytes);
  std::string answer = read_answer(fd, timeout_ms);
  ::close(fd);
  return answer;
}

// The status code of an answer ("HTTP/1.1 200 OK..." -> 200), 0 when none.
inline int status_of(const std::string& answer) {
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
  return std::atoi(answer.c_str() + 9);
}

}  // namespace t2sql::testing
