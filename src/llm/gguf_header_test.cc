#include "llm/gguf_header.h"

#include <gguf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "llm/llama_runtime.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

// Builds GGUF bytes field by field (little-endian, as the format is).
class GgufBytes {
 public:
  GgufBytes& raw(const std::string& s) {
    out_ += s;
    return *this;
  }
  template <typename T>
  GgufBytes& num(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
    return *this;
  }
  GgufBytes& str(const std::string& s) { return num<uint64_t>(s.size()).raw(s); }
  GgufBytes& header(uint32_t version, uint64_t tensors, uint64_t kvs) {
    return raw("GGUF").num(version).num(tensors).num(kvs);
  }
  GgufBytes& kv_string(const std::string& k, const std::string& v) { return str(k).num<uint32_t>(8).str(v); }
  GgufBytes& kv_u32(const std::string& k, uint32_t v) { return str(k).num<uint32_t>(4).num(v); }
  GgufBytes& tensor(const std::string& name, std::vector<int64_t> shape, uint32_t type, uint64_t offset) {
    str(name).num<uint32_t>(static_cast<uint32_t>(shape.size()));
    for (int64_t d : shape) num(d);
    return num(type).num(offset);
  }
  GgufBytes& pad_to(size_t n) {
    out_.resize(std::max(out_.size(), n), '\0');
    return *this;
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

// A small, valid file: 3 keys (one an array of strings), 2 F32 tensors of 4
// floats (type 0), their data after the aligned header.
GgufBytes valid_file() {
  GgufBytes g;
  g.header(3, 2, 3).kv_string("general.architecture", "llama").kv_u32("general.alignment", 32);
  g.str("tokenizer.ggml.tokens").num<uint32_t>(9).num<uint32_t>(8).num<uint64_t>(2).str("a").str("bc");
  g.tensor("a.weight", {4}, 0, 0).tensor("b.weight", {2, 2}, 0, 32);
  size_t data = (g.bytes().size() + 31) / 32 * 32;
  return g.pad_to(data + 64);
}

std::string message_of(const std::string& bytes) {
  auto h = read_gguf_header(bytes);
  return h.ok() ? "" : h.status().message();
}

TEST(GgufHeader, ReadsAValidFile) {
  std::string bytes = valid_file().bytes();
  auto h = read_gguf_header(bytes);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->version, 3u);
  EXPECT_EQ(h->kv_count, 3u);
  EXPECT_EQ(h->keys, (std::vector<std::string>{"general.architecture", "general.alignment", "tokenizer.ggml.tokens"}));
  EXPECT_EQ(h->strings.at("general.architecture"), "llama");
  EXPECT_EQ(h->alignment, 32u);
  ASSERT_EQ(h->tensors.size(), 2u);
  EXPECT_EQ(h->tensors[1].name, "b.weight");
  EXPECT_EQ(h->tensors[1].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(h->tensors[1].offset, 32u);
  EXPECT_EQ(h->data_offset % 32, 0u);
  EXPECT_GE(h->data_offset, h->header_bytes);
  EXPECT_LE(h->data_offset, bytes.size());
}

TEST(GgufHeader, RefusesEachDamageWithItsReason) {
  struct Case {
    const char* what;
    std::string bytes;
    const char* expect;
  };
  std::string huge_string = GgufBytes().header(3, 0, 1).str("k").num<uint32_t>(8).num<uint64_t>(1ull << 62).bytes();
  std::vector<Case> cases = {
      {"magic", "GGML" + valid_file().bytes().substr(4), "does not start with 'GGUF'"},
      {"short", "GG", "shorter than its 4-byte magic"},
      {"version 0", GgufBytes().header(0, 0, 0).bytes(), "version 0"},
      {"version 1", GgufBytes().header(1, 0, 0).bytes(), "version 1 is no longer supported"},
      {"version 4", GgufBytes().header(4, 0, 0).bytes(), "newer than this build reads"},
      {"byte order", GgufBytes().raw("GGUF").num<uint32_t>(0x03000000).num<uint64_t>(0).num<uint64_t>(0).bytes(),
       "byte-swapped"},
      {"kv count", GgufBytes().header(3, 0, 1ull << 40).bytes(), "key-value pairs, more than the file holds"},
      {"tensor count", GgufBytes().header(3, 1ull << 40, 0).bytes(), "tensors, more than the file holds"},
      {"string length", huge_string, "claims 4611686018427387904 bytes"},
      {"value type", GgufBytes().header(3, 0, 1).str("k").num<uint32_t>(13).num<uint32_t>(0).bytes(),
       "unknown value type 13"},
      {"array of arrays",
       GgufBytes().header(3, 0, 1).str("k").num<uint32_t>(9).num<uint32_t>(9).num<uint64_t>(0).pad_to(64).bytes(),
       "array of arrays"},
      {"array length",
       GgufBytes().header(3, 0, 1).str("k").num<uint32_t>(9).num<uint32_t>(10).num<uint64_t>(1000).bytes(),
       "claims 1000 elements"},
      {"duplicate key", GgufBytes().header(3, 0, 2).kv_u32("k", 1).kv_u32("k", 2).bytes(), "the key 'k' appears twice"},
      {"alignment type", GgufBytes().header(3, 0, 1).kv_string("general.alignment", "32").bytes(), "must be a u32"},
      {"alignment value", GgufBytes().header(3, 0, 1).kv_u32("general.alignment", 24).bytes(), "not a power of two"},
      {"dimensions", GgufBytes().header(3, 1, 0).tensor("t", {1, 1, 1, 1, 1}, 0, 0).pad_to(256).bytes(),
       "5 dimensions"},
      {"negative", GgufBytes().header(3, 1, 0).tensor("t", {-1}, 0, 0).pad_to(256).bytes(), "negative dimension"},
      {"overflow", GgufBytes().header(3, 1, 0).tensor("t", {1ll << 32, 1ll << 32}, 0, 0).pad_to(256).bytes(),
       "more elements than fit"},
      {"misaligned", GgufBytes().header(3, 1, 0).tensor("t", {4}, 0, 8).pad_to(256).bytes(), "not a multiple of"},
      {"duplicate tensor",
       GgufBytes().header(3, 2, 0).tensor("t", {4}, 0, 0).tensor("t", {4}, 0, 32).pad_to(256).bytes(),
       "'t' appears twice"},
      {"long name", GgufBytes().header(3, 1, 0).tensor(std::string(64, 'n'), {4}, 0, 0).pad_to(256).bytes(),
       "64 bytes long"},
      {"a key holding a newline (found by gguf_header_fuzz)",
       GgufBytes().header(3, 0, 2).kv_u32("a\nb", 1).kv_u32("a\nb", 2).bytes(), "the key 'a\\x0ab' appears twice"},
      {"data past the end", GgufBytes().header(3, 1, 0).tensor("t", {4}, 0, 0).bytes(), "past the end of the file"},
      {"offset past the end", GgufBytes().header(3, 1, 0).tensor("t", {4}, 0, 1 << 20).pad_to(256).bytes(),
       "starts past the end"},
  };
  for (const auto& c : cases) {
    std::string m = message_of(c.bytes);
    EXPECT_NE(m.find(c.expect), std::string::npos) << c.what << ": " << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << c.what;
  }
}

// Every cut inside the header is refused, by t2sql and by llama.cpp's own
// parser alike; t2sql says where.
TEST(GgufHeader, EveryTruncationOfTheHeaderIsRefusedAsLlamaCppRefusesIt) {
  llama_runtime_init();
  std::string bytes = valid_file().bytes();
  auto full = read_gguf_header(bytes);
  ASSERT_TRUE(full.ok());
  fs::path path = fs::temp_directory_path() / ("t2sql_gguf_cut_" + std::to_string(::getpid()) + ".gguf");
  for (size_t n = 0; n < full->header_bytes; ++n) {
    std::string cut = bytes.substr(0, n);
    EXPECT_FALSE(read_gguf_header(cut).ok()) << "cut at " << n;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << cut;
    gguf_init_params params{/*no_alloc=*/true, /*ctx=*/nullptr};
    gguf_context* g = gguf_init_from_file(path.c_str(), params);
    EXPECT_EQ(g, nullptr) << "llama.cpp read a header cut at " << n;
    if (g) gguf_free(g);
  }
  fs::remove(path);
}

// The tokenizer files of the llama.cpp bundle: the same keys, in the same
// order, as llama.cpp's parser reads.
TEST(GgufHeader, AgreesWithLlamaCppOnRealFiles) {
  llama_runtime_init();
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(std::string(T2SQL_LLAMA_DIR) + "/models")) {
    std::string p = entry.path().string();
    if (entry.path().extension() != ".gguf" || p.find("ggml-vocab-") == std::string::npos) continue;
    std::ifstream in(p, std::ios::binary);
    auto h = read_gguf_header(in, fs::file_size(p));
    ASSERT_TRUE(h.ok()) << p << ": " << h.status().message();
    gguf_init_params params{/*no_alloc=*/true, /*ctx=*/nullptr};
    gguf_context* g = gguf_init_from_file(p.c_str(), params);
    ASSERT_NE(g, nullptr) << p;
    ASSERT_EQ(static_cast<int64_t>(h->keys.size()), gguf_get_n_kv(g)) << p;
    for (int64_t i = 0; i < gguf_get_n_kv(g); ++i) EXPECT_EQ(h->keys[static_cast<size_t>(i)], gguf_get_key(g, i)) << p;
    EXPECT_EQ(static_cast<int64_t>(h->tensors.size()), gguf_get_n_tensors(g)) << p;
    EXPECT_EQ(h->data_offset, gguf_get_data_offset(g)) << p;
    gguf_free(g);
    EXPECT_TRUE(gguf_file_problem(p).empty()) << p;
    if (++checked == 4) break;  // a few formats are enough; each file is several MB
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace t2sql
