#include "retrieval/index_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "base/hashing.h"
#include "t2sql/retrieval.h"

namespace t2sql {

namespace {

constexpr char kMagic[8] = {'T', '2', 'S', 'Q', 'L', 'C', 'F', '1'};
constexpr size_t kHeaderSize = 8 + 4 + 8 + 8 + 8;

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(v));
}

template <typename T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

}  // namespace

Status make_dirs(const std::string& dir) {
  if (dir.empty()) return invalid_argument("empty cache directory");
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      return unavailable("cannot create cache folder " + partial + ": " + std::strerror(errno));
    }
  }
  return Status();
}

Status write_cache_file(const std::string& path, CacheKind kind, uint64_t fingerprint,
                        const std::vector<uint8_t>& payload) {
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos) {
    Status s = make_dirs(path.substr(0, slash));
    if (!s.ok()) return s;
  }
  std::string header(kMagic, sizeof(kMagic));
  put<uint32_t>(header, static_cast<uint32_t>(kind));
  put<uint64_t>(header, fingerprint);
  put<uint64_t>(header, payload.size());
  put<uint64_t>(header, fnv1a64_bytes(payload.data(), payload.size()));
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(payload.data()), static_cast<std::streamsize>(payload.size()));
    if (!out) {
      std::remove(tmp.c_str());
      return unavailable("cannot write cache file " + path);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return unavailable("cannot write cache file " + path);
  }
  return Status();
}

Result<std::vector<uint8_t>> read_cache_file(const std::string& path, CacheKind kind, uint64_t fingerprint) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("no cache file " + path);
  char header[kHeaderSize];
  in.read(header, kHeaderSize);
  if (in.gcount() != static_cast<std::streamsize>(kHeaderSize) || std::memcmp(header, kMagic, sizeof(kMagic)) != 0) {
    return invalid_argument("corrupt: not a t2sql cache file");
  }
  if (get<uint32_t>(header + 8) != static_cast<uint32_t>(kind)) return invalid_argument("corrupt: wrong cache kind");
  if (get<uint64_t>(header + 12) != fingerprint)
    return invalid_argument("stale: built from another schema, data or embedder");
  uint64_t size = get<uint64_t>(header + 20);
  uint64_t checksum = get<uint64_t>(header + 28);
  in.seekg(0, std::ios::end);
  if (static_cast<uint64_t>(in.tellg()) != kHeaderSize + size) return invalid_argument("corrupt: truncated");
  in.seekg(kHeaderSize);
  std::vector<uint8_t> payload(size);
  in.read(reinterpret_cast<char*>(payload.data()), static_cast<std::streamsize>(size));
  if (!in || fnv1a64_bytes(payload.data(), payload.size()) != checksum)
    return invalid_argument("corrupt: checksum mismatch");
  return payload;
}

std::string database_cache_dir(const std::string& db_uri) {
  // Key by the file's real path, so that "shop.db", "./shop.db" and
  // "sqlite:///abs/shop.db" share one cache.
  std::string key = db_uri;
  std::string path = db_uri;
  if (path.rfind("sqlite://", 0) == 0) path = path.substr(9);
  char resolved[PATH_MAX];
  if (!path.empty() && ::realpath(path.c_str(), resolved)) key = std::string("sqlite:") + resolved;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::string base = xdg && *xdg ? std::string(xdg) : std::string(home ? home : "/tmp") + "/.cache";
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(fnv1a64(key)));
  return base + "/t2sql/db/" + hex;
}

}  // namespace t2sql
