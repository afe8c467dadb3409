#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "t2sql/demo.h"

namespace t2sql::testing {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string base_dir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("t2sql-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

}  // namespace

std::string temp_dir(const std::string& name) {
  auto d = std::filesystem::path(base_dir()) / name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult run_t2sql(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::string dir = base_dir();
  std::string cmd = "XDG_DATA_HOME=" + shell_quote(dir + "/xdg") + " " + shell_quote(T2SQL_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  std::string in_path = dir + "/stdin", out_path = dir + "/stdout", err_path = dir + "/stderr";
  std::ofstream(in_path, std::ios::binary) << stdin_text;
  cmd += " <" + shell_quote(in_path) + " >" + shell_quote(out_path) + " 2>" + shell_quote(err_path);
  auto start = std::chrono::steady_clock::now();
  int status = std::system(cmd.c_str());
  RunResult r;
  r.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

std::string demo_db() {
  static const std::string path = [] {
    std::string p = base_dir() + "/demo.db";
    auto made = create_demo_warehouse(p, true);
    if (!made.ok()) std::abort();
    return p;
  }();
  return path;
}

}  // namespace t2sql::testing
