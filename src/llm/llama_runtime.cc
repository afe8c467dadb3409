#include "llm/llama_runtime.h"

#include <llama.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "llm/gguf_header.h"

namespace t2sql {

namespace {

std::mutex g_log_mutex;
std::string g_last_error;  // guarded by g_log_mutex
bool g_verbose = false;

void log_hook(ggml_log_level level, const char* text, void*) {
  if (g_verbose) std::fputs(text, stderr);
  if (level != GGML_LOG_LEVEL_ERROR || text == nullptr) return;
  std::string line(text);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  if (line.empty()) return;
  std::lock_guard<std::mutex> lock(g_log_mutex);
  g_last_error = line;
}

}  // namespace

void llama_runtime_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* v = std::getenv("T2SQL_LLAMA_LOG");
    g_verbose = v && *v && std::strcmp(v, "0") != 0;
    llama_log_set(log_hook, nullptr);
    llama_backend_init();
  });
}

std::string llama_take_last_error() {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  std::string out;
  out.swap(g_last_error);
  return out;
}

std::string gguf_file_problem(const std::string& path) {
  std::error_code ec;
  if (path.empty()) return "no file given";
  if (!std::filesystem::exists(path, ec)) return "no such file";
  if (std::filesystem::is_directory(path, ec)) return "is a directory";
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return "cannot read it: " + ec.message();
  if (size == 0) return "empty file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot open it for reading";
  auto header = read_gguf_header(in, size);
  return header.ok() ? "" : header.status().message();
}

}  // namespace t2sql
