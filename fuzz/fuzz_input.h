// Helpers shared by the fuzz targets: the input as text, and as a file for
// the readers that take a path.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace t2sql::fuzz {

inline std::string as_text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// A file under $TMPDIR holding `content`, named with `suffix` (readers pick
// the format by extension); one per process, rewritten on each call.
inline std::string input_file(const std::string& content, const std::string& suffix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/t2sql-fuzz-" + std::to_string(getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

// A property the code promised does not hold: libFuzzer saves the input.
[[noreturn]] inline void broken(const char* what) {
  std::fprintf(stderr, "property broken: %s\n", what);
  std::abort();
}

}  // namespace t2sql::fuzz
