// `t2sql serve --port 0 --db <demo> ...` as a child process for the tests
// that talk to it over real sockets; the port is read from its first line.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "test_support.h"

extern char** environ;

namespace t2sql::testing {

class ServeProcess {
 public:
  // `binary`: another copy of t2sql (a test of a moved binary).
  explicit ServeProcess(std::vector<std::string> extra, bool with_demo_db = true, std::string binary = T2SQL_BINARY) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args = {binary, "serve", "--port", "0"};
    if (with_demo_db) {
      args.push_back("--db");
      args.push_back(demo_db());
    }
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    char line[1024];
    if (out_ && fgets(line, sizeof line, out_)) {
      first_line_ = line;
      auto pos = first_line_.find("127.0.0.1:");
      if (pos != std::string::npos) port_ = std::atoi(first_line_.c_str() + pos + 10);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0 && !stopped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_) fclose(out_);
  }
  // SIGTERM, then the exit status (-1 when a signal ended it).
  int stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    stopped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // False once the process has ended (crashed) on its own.
  bool alive() {
    if (stopped_ || pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == 0) return true;
    stopped_ = true;
    return false;
  }
  int port() const { return port_; }
  const std::string& first_line() const { return first_line_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int port_ = 0;
  bool stopped_ = false;
  std::string first_line_;
};

}  // namespace t2sql::testing
