#include "retrieval/value_index_cache.h"

#include <chrono>
#include <cstring>

#include "base/hashing.h"
#include "retrieval/index_cache.h"
#include "t2sql/database.h"

namespace t2sql {

namespace {

constexpr const char* kValueFile = "/value_index.bin";

void put_string(std::vector<uint8_t>& out, const std::string& s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(&n);
  out.insert(out.end(), p, p + sizeof(n));
  out.insert(out.end(), s.begin(), s.end());
}

bool get_string(const std::vector<uint8_t>& in, size_t* pos, std::string* s) {
  uint32_t n = 0;
  if (in.size() - *pos < sizeof(n)) return false;
  std::memcpy(&n, in.data() + *pos, sizeof(n));
  *pos += sizeof(n);
  if (in.size() - *pos < n) return false;
  s->assign(reinterpret_cast<const char*>(in.data() + *pos), n);
  *pos += n;
  return true;
}

}  // namespace

Result<ValueIndexLoad> load_or_build_value_index(Database& db, const Catalog& catalog, const std::string& cache_dir,
                                                 const ValueIndexOptions& options, const ProgressFn& progress) {
  ValueIndexLoad out;
  const uint64_t fp = value_index_fingerprint(db, catalog, options);
  const std::string path = cache_dir.empty() ? "" : cache_dir + kValueFile;
  std::string why;
  if (!path.empty()) {
    auto payload = read_cache_file(path, CacheKind::kValueIndex, fp);
    if (payload.ok()) {
      size_t pos = 0;
      std::string table, column, value;
      bool ok = true;
      while (ok && pos < payload->size()) {
        ok = get_string(*payload, &pos, &table) && get_string(*payload, &pos, &column) &&
             get_string(*payload, &pos, &value);
        if (ok) out.index.add(table, column, value);
      }
      if (ok) {
        out.origin = "loaded from cache";
        return out;
      }
      why = "corrupt: the cached values are malformed";
      out.index = ValueIndex();
    } else if (payload.status().code() != StatusCode::kNotFound) {
      why = payload.status().message();
    }
  }
  auto start = std::chrono::steady_clock::now();
  auto built = ValueIndex::build(db, catalog, options, [&](int64_t done, int64_t total) {
    if (progress) progress("values", done, total);
  });
  if (!built.ok()) return built.status();
  out.index = std::move(*built);
  out.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  out.origin = why.empty() ? "built" : "rebuilt (" + why + ")";
  if (!path.empty()) {
    std::vector<uint8_t> payload;
    for (const auto& e : out.index.entries()) {
      put_string(payload, e.table);
      put_string(payload, e.column);
      put_string(payload, e.value);
    }
    Status w = write_cache_file(path, CacheKind::kValueIndex, fp, payload);
    if (!w.ok()) out.origin += "; not cached: " + w.message();
  }
  return out;
}

}  // namespace t2sql
