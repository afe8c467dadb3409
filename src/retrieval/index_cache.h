// Cache files: one payload (a serialized index) behind a header that holds
// a fingerprint of what it was built from and a checksum of its bytes, so
// that a cache built for another schema or embedder (stale) or damaged on
// disk (corrupt) is refused and rebuilt rather than trusted.
//
// Layout: "T2SQLCF1" | u32 kind tag | u64 fingerprint | u64 payload size |
// u64 payload checksum | payload. Written to a temporary file and renamed,
// so a reader never sees half a file. Functions, no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

enum class CacheKind : uint32_t { kSchemaIndex = 1, kValueIndex = 2 };

Status write_cache_file(const std::string& path, CacheKind kind, uint64_t fingerprint,
                        const std::vector<uint8_t>& payload);

// kNotFound when there is no file; kFailedPrecondition-like refusals come
// back as kInvalidArgument whose message says why ("stale: ...",
// "corrupt: ...").
Result<std::vector<uint8_t>> read_cache_file(const std::string& path, CacheKind kind, uint64_t fingerprint);

// Creates `dir` and its parents.
Status make_dirs(const std::string& dir);

}  // namespace t2sql
