// Stable 64-bit hashes for feature hashing, fingerprints and checksums. FNV-1a:
// the same bytes give the same hash on every machine and in every run, which
// is what an on-disk cache's fingerprint needs (std::hash promises neither).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace t2sql {

constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

inline uint64_t fnv1a64_bytes(const void* data, size_t size, uint64_t hash = kFnvOffset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= p[i];
    hash *= kFnvPrime;
  }
  return hash;
}

inline uint64_t fnv1a64(std::string_view s, uint64_t hash = kFnvOffset) {
  return fnv1a64_bytes(s.data(), s.size(), hash);
}

// Spreads FNV's weak low bits before they pick a bucket.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

}  // namespace t2sql
