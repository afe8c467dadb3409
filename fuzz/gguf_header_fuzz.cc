// The GGUF header check (read_gguf_header, what t2sql runs on a model or
// adapter file before llama.cpp opens it) on any bytes: it never reads past
// the input (AddressSanitizer) nor allocates from a claimed size (a claimed
// 2^60-byte string must not reach the allocator: libFuzzer's -rss_limit_mb
// and -malloc_limit_mb stop it), refuses with one line, and what it accepts
// is consistent: counts, unique keys and names, shapes of at most 4
// dimensions, aligned offsets, a data section inside the input.
#include <set>

#include "fuzz_input.h"
#include "llm/gguf_header.h"

using namespace t2sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes = fuzz::as_text(data, size);
  auto h = read_gguf_header(bytes);
  if (!h.ok()) {
    const std::string& m = h.status().message();
    if (m.empty()) fuzz::broken("a refusal without a reason");
    if (m.find('\n') != std::string::npos) fuzz::broken("a reason of more than one line");
    return 0;
  }
  if (size < 24 || bytes.compare(0, 4, "GGUF") != 0) fuzz::broken("accepted a file without the GGUF header");
  if (h->version < 2 || h->version > kGgufMaxVersion) fuzz::broken("accepted an unsupported version");
  if (h->keys.size() != h->kv_count) fuzz::broken("key count differs from the header's");
  if (std::set<std::string>(h->keys.begin(), h->keys.end()).size() != h->keys.size()) fuzz::broken("duplicate keys");
  if (h->alignment == 0 || (h->alignment & (h->alignment - 1)) != 0) fuzz::broken("alignment not a power of two");
  if (h->header_bytes > size || h->data_offset > size) fuzz::broken("the header ends past the input");
  if (h->data_offset < h->header_bytes) fuzz::broken("the data section starts inside the header");
  std::set<std::string> names;
  for (const auto& t : h->tensors) {
    if (t.name.size() > kGgufMaxTensorName) fuzz::broken("a tensor name over the limit");
    if (!names.insert(t.name).second) fuzz::broken("duplicate tensor names");
    if (t.shape.size() > kGgufMaxDims) fuzz::broken("a tensor with too many dimensions");
    for (int64_t d : t.shape)
      if (d < 0) fuzz::broken("a negative dimension");
    if (t.offset % h->alignment != 0) fuzz::broken("a misaligned tensor offset");
    if (t.offset > size - h->data_offset) fuzz::broken("a tensor starting past the input");
  }
  return 0;
}
