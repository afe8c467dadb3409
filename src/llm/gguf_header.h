// GgufHeader: t2sql's own reading of a GGUF file's header (magic, version,
// key-value metadata, tensor descriptions) before llama.cpp sees the file.
// It refuses, with a one-line reason that names the byte offset, what
// llama.cpp would refuse later with a bare "failed to load": a wrong magic, an
// unsupported version or byte order, a count or length larger than the bytes
// left in the file, an unknown value type, an array of arrays, a duplicate
// key or tensor name, a general.alignment that is not a u32 power of two, a
// tensor with more than 4 dimensions, a negative or overflowing shape, an
// offset off the alignment, and a data section that starts past the end.
// Nothing is allocated from a size the file claims before that many bytes are
// known to be there, so a hostile header costs no memory.
//
//   std::ifstream in(path, std::ios::binary);
//   auto h = read_gguf_header(in, std::filesystem::file_size(path));
//   if (!h.ok()) return h.status();          // kInvalidArgument, one line
//
// Pure C++ (no llama.cpp), so that the fuzz target fuzz/gguf_header_fuzz.cc
// builds it with the sanitizers. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> shape;  // 1 to 4 dimensions (0 allowed: a scalar)
  uint32_t type = 0;           // ggml type id; llama.cpp checks it is one it knows
  uint64_t offset = 0;         // from the start of the data section
};

struct GgufHeader {
  uint32_t version = 0;
  uint64_t kv_count = 0;
  uint32_t alignment = 32;                     // general.alignment, or GGUF's default
  std::map<std::string, std::string> strings;  // the keys whose value is a string
  std::vector<std::string> keys;               // every key, in file order
  std::vector<GgufTensorInfo> tensors;
  uint64_t header_bytes = 0;  // where the tensor descriptions end
  uint64_t data_offset = 0;   // header_bytes, rounded up to the alignment when there are tensors
};

constexpr uint32_t kGgufMaxVersion = 3;
constexpr size_t kGgufMaxTensorName = 63;  // llama.cpp's GGML_MAX_NAME (64) with its terminator
constexpr size_t kGgufMaxDims = 4;

// Reads the header from `in`, positioned at the file's first byte;
// `file_size` is the whole file's size (the data section is not read).
Result<GgufHeader> read_gguf_header(std::istream& in, uint64_t file_size);

// The same on bytes in memory (the fuzz target's entry).
Result<GgufHeader> read_gguf_header(const std::string& bytes);

}  // namespace t2sql
