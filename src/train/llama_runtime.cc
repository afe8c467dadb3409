#include "train/llama_runtime.h"

#include <llama.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace t2sql::train {
namespace {

thread_local std::string g_last_error;

void log_callback(ggml_log_level level, const char* text, void* /*user*/) {
  static const bool verbose = std::getenv("T2SQL_LLAMA_LOG") != nullptr;
  if (level == GGML_LOG_LEVEL_ERROR) g_last_error = text;
  if (verbose || level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

}  // namespace

void ensure_llama_backend() {
  static std::once_flag once;
  std::call_once(once, [] {
    llama_log_set(log_callback, nullptr);
    llama_backend_init();
  });
}

std::string take_llama_error() {
  std::string e = std::move(g_last_error);
  g_last_error.clear();
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  return e;
}

}  // namespace t2sql::train
