#include "llm/gguf_header.h"

#include <cstring>
#include <limits>
#include <set>
#include <sstream>

namespace t2sql {

namespace {

// GGUF value types (the numbering of the format).
enum GgufType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
  kTypeCount = 13,
};

size_t fixed_size(uint32_t type) {
  switch (type) {
    case kU8:
    case kI8:
    case kBool: return 1;
    case kU16:
    case kI16: return 2;
    case kU32:
    case kI32:
    case kF32: return 4;
    case kU64:
    case kI64:
    case kF64: return 8;
    default: return 0;
  }
}

// The least bytes one entry can take, to bound counts by what is left:
// a key-value pair (key length, type, a one-byte value) and a tensor
// description (name length, dimension count, type, offset).
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorBytes = 8 + 4 + 4 + 8;
// Real keys are a few dozen bytes; a string value is kept (for strings) up
// to this size and skipped beyond it.
constexpr uint64_t kMaxKeyBytes = 64 * 1024;
constexpr uint64_t kMaxKeptString = 1024 * 1024;

// A key or tensor name from the file as it appears in a message: control
// and non-ASCII bytes as \xNN (a message stays one line of text), cut after
// 64 bytes.
std::string shown(const std::string& name) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < name.size() && i < 64; ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (name.size() > 64) out += "...";
  return out;
}

class Reader {
 public:
  Reader(std::istream& in, uint64_t size) : in_(in), size_(size) {}

  uint64_t pos() const { return pos_; }
  uint64_t left() const { return size_ - pos_; }
  const std::string& error() const { return error_; }
  bool failed() const { return !error_.empty(); }

  bool fail(const std::string& what) {
    if (error_.empty()) error_ = what + " (at byte " + std::to_string(pos_) + ")";
    return false;
  }

  bool bytes(void* out, uint64_t n, const char* what) {
    if (n > left()) return fail(std::string("the file ends inside ") + what);
    in_.read(static_cast<char*>(out), static_cast<std::streamsize>(n));
    if (static_cast<uint64_t>(in_.gcount()) != n) return fail(std::string("cannot read ") + what);
    pos_ += n;
    return true;
  }

  bool skip(uint64_t n, const char* what) {
    if (n > left()) return fail(std::string("the file ends inside ") + what);
    uint64_t todo = n;
    while (todo > 0) {
      auto step = static_cast<std::streamsize>(std::min<uint64_t>(todo, 1 << 30));
      in_.ignore(step);
      if (in_.gcount() != step) return fail(std::string("cannot read ") + what);
      todo -= static_cast<uint64_t>(step);
    }
    pos_ += n;
    return true;
  }

  template <typename T>
  bool number(T& out, const char* what) {
    unsigned char raw[sizeof(T)];
    if (!bytes(raw, sizeof(T), what)) return false;
    std::memcpy(&out, raw, sizeof(T));  // GGUF is little-endian, as every host llama.cpp runs on here
    return true;
  }

  // A GGUF string: a u64 length, then the bytes. Kept when `keep` and at
  // most `keep_limit` bytes long, skipped otherwise.
  bool string(std::string* out, uint64_t keep_limit, const char* what, uint64_t* length = nullptr) {
    uint64_t n = 0;
    if (!number(n, what)) return false;
    if (length) *length = n;
    if (n > left())
      return fail(std::string(what) + " claims " + std::to_string(n) + " bytes, more than the " +
                  std::to_string(left()) + " left in the file");
    if (out == nullptr || n > keep_limit) return skip(n, what);
    out->resize(static_cast<size_t>(n));
    return bytes(out->data(), n, what);
  }

 private:
  std::istream& in_;
  uint64_t size_;
  uint64_t pos_ = 0;
  std::string error_;
};

bool read_value(Reader& r, uint32_t type, const std::string& key, GgufHeader& h, uint32_t* u32_out) {
  if (type >= kTypeCount) return r.fail("key '" + shown(key) + "' has an unknown value type " + std::to_string(type));
  if (type == kString) {
    std::string value;
    uint64_t length = 0;
    if (!r.string(&value, kMaxKeptString, "a string value", &length)) return false;
    if (length <= kMaxKeptString) h.strings[key] = std::move(value);
    return true;
  }
  if (type == kArray) {
    uint32_t element = 0;
    uint64_t count = 0;
    if (!r.number(element, "an array's element type") || !r.number(count, "an array's length")) return false;
    if (element == kArray)
      return r.fail("key '" + shown(key) + "' holds an array of arrays, which GGUF readers refuse");
    if (element >= kTypeCount)
      return r.fail("key '" + shown(key) + "' is an array of an unknown type " + std::to_string(element));
    uint64_t least = element == kString ? 8 : fixed_size(element);
    if (count > r.left() / least)
      return r.fail("key '" + shown(key) + "' claims " + std::to_string(count) + " elements, more than the file holds");
    if (element != kString) return r.skip(count * least, "an array");
    for (uint64_t i = 0; i < count; ++i)
      if (!r.string(nullptr, 0, "an array's string")) return false;
    return true;
  }
  size_t n = fixed_size(type);
  if (type == kU32 && u32_out) return r.number(*u32_out, "a u32 value");
  return r.skip(n, "a value");
}

Result<GgufHeader> read(Reader& r) {
  auto bad = [&r]() { return invalid_argument("damaged GGUF header: " + r.error()); };
  GgufHeader h;
  char magic[4] = {0, 0, 0, 0};
  if (r.left() < 4) return invalid_argument("not a GGUF file (shorter than its 4-byte magic)");
  if (!r.bytes(magic, 4, "the magic")) return bad();
  if (std::memcmp(magic, "GGUF", 4) != 0) return invalid_argument("not a GGUF file (it does not start with 'GGUF')");
  if (!r.number(h.version, "the version")) return bad();
  if (h.version == 0) return invalid_argument("damaged GGUF header: version 0");
  if ((h.version & 0xFFFF) == 0)
    return invalid_argument("GGUF version " + std::to_string(h.version) +
                            " looks byte-swapped: the file was written on a machine of the other byte order");
  if (h.version == 1) return invalid_argument("GGUF version 1 is no longer supported: convert the model again");
  if (h.version > kGgufMaxVersion)
    return invalid_argument("GGUF version " + std::to_string(h.version) + " is newer than this build reads (up to " +
                            std::to_string(kGgufMaxVersion) + ")");
  uint64_t tensor_count = 0;
  if (!r.number(tensor_count, "the tensor count") || !r.number(h.kv_count, "the key-value count")) return bad();
  if (h.kv_count > r.left() / kMinKvBytes) {
    r.fail("the header claims " + std::to_string(h.kv_count) + " key-value pairs, more than the file holds");
    return bad();
  }
  if (tensor_count > r.left() / kMinTensorBytes) {
    r.fail("the header claims " + std::to_string(tensor_count) + " tensors, more than the file holds");
    return bad();
  }

  std::set<std::string> seen;
  bool has_alignment = false;
  for (uint64_t i = 0; i < h.kv_count; ++i) {
    std::string key;
    uint64_t key_length = 0;
    if (!r.string(&key, kMaxKeyBytes, "a key", &key_length)) return bad();
    if (key_length > kMaxKeyBytes) {
      r.fail("key " + std::to_string(i) + " is longer than " + std::to_string(kMaxKeyBytes) + " bytes");
      return bad();
    }
    if (!seen.insert(key).second) {
      r.fail("the key '" + shown(key) + "' appears twice");
      return bad();
    }
    uint32_t type = 0;
    if (!r.number(type, "a value type")) return bad();
    bool is_alignment = key == "general.alignment";
    if (is_alignment) {
      if (type != kU32) {
        r.fail("general.alignment must be a u32");
        return bad();
      }
      has_alignment = true;
    }
    if (!read_value(r, type, key, h, is_alignment ? &h.alignment : nullptr)) return bad();
    h.keys.push_back(std::move(key));
  }
  if (has_alignment && (h.alignment == 0 || (h.alignment & (h.alignment - 1)) != 0)) {
    r.fail("general.alignment " + std::to_string(h.alignment) + " is not a power of two");
    return bad();
  }

  std::set<std::string> names;
  h.tensors.reserve(static_cast<size_t>(tensor_count));
  for (uint64_t i = 0; i < tensor_count; ++i) {
    GgufTensorInfo t;
    uint64_t name_length = 0;
    if (!r.string(&t.name, kGgufMaxTensorName, "a tensor name", &name_length)) return bad();
    if (name_length > kGgufMaxTensorName) {
      r.fail("tensor " + std::to_string(i) + "'s name is " + std::to_string(name_length) + " bytes long (at most " +
             std::to_string(kGgufMaxTensorName) + ")");
      return bad();
    }
    uint32_t dims = 0;
    if (!r.number(dims, "a tensor's dimension count")) return bad();
    if (dims > kGgufMaxDims) {
      r.fail("tensor " + std::to_string(i) + " has " + std::to_string(dims) + " dimensions (at most " +
             std::to_string(kGgufMaxDims) + ")");
      return bad();
    }
    int64_t elements = 1;
    for (uint32_t d = 0; d < dims; ++d) {
      int64_t n = 0;
      if (!r.number(n, "a tensor's shape")) return bad();
      if (n < 0) {
        r.fail("tensor '" + shown(t.name) + "' has a negative dimension");
        return bad();
      }
      if (n > 0 && elements > std::numeric_limits<int64_t>::max() / n) {
        r.fail("tensor '" + shown(t.name) + "' has more elements than fit in 64 bits");
        return bad();
      }
      elements *= n;
      t.shape.push_back(n);
    }
    if (!r.number(t.type, "a tensor's type") || !r.number(t.offset, "a tensor's offset")) return bad();
    if (t.offset % h.alignment != 0) {
      r.fail("tensor '" + shown(t.name) + "' starts at offset " + std::to_string(t.offset) +
             ", not a multiple of the " + std::to_string(h.alignment) + "-byte alignment");
      return bad();
    }
    if (!names.insert(t.name).second) {
      r.fail("the tensor name '" + shown(t.name) + "' appears twice");
      return bad();
    }
    h.tensors.push_back(std::move(t));
  }
  h.header_bytes = r.pos();
  h.data_offset = h.header_bytes;
  if (!h.tensors.empty()) {
    h.data_offset = (h.header_bytes + h.alignment - 1) / h.alignment * h.alignment;
    uint64_t size = r.pos() + r.left();
    if (h.data_offset > size) {
      r.fail("the tensor data would start at byte " + std::to_string(h.data_offset) + ", past the end of the file");
      return bad();
    }
    for (const auto& t : h.tensors)
      if (t.offset > size - h.data_offset) {
        r.fail("tensor '" + shown(t.name) + "' starts past the end of the file");
        return bad();
      }
  }
  return h;
}

}  // namespace

Result<GgufHeader> read_gguf_header(std::istream& in, uint64_t file_size) {
  Reader r(in, file_size);
  return read(r);
}

Result<GgufHeader> read_gguf_header(const std::string& bytes) {
  std::istringstream in(bytes);
  Reader r(in, bytes.size());
  return read(r);
}

}  // namespace t2sql
