#include "t2sql/model_hub.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include "base/progress_bar.h"

namespace t2sql {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kMaxRedirects = 5;
constexpr int kDownloadTries = 3;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Url {
  std::string origin;  // scheme://host[:port]
  std::string host;    // host[:port], to compare origins
  std::string path;    // "/..." (may be empty for an endpoint)
};

Result<Url> split_url(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return invalid_argument("'" + url + "' is not an http(s) URL");
  std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return invalid_argument("'" + url + "': the scheme must be http or https");
  size_t path_start = url.find('/', scheme_end + 3);
  Url u;
  u.origin = url.substr(0, path_start);
  u.host = lower(u.origin.substr(scheme_end + 3));
  if (u.host.empty()) return invalid_argument("'" + url + "' has no host");
  u.path = path_start == std::string::npos ? "" : url.substr(path_start);
  return u;
}

// RFC 3986 percent-encoding; `keep_slash` for file paths inside a repository.
std::string quote(const std::string& s, bool keep_slash) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The Hub's ETag values are quoted and may be weak ("W/"); a sha256 is 64 hex digits.
std::string sha256_from_etag(std::string etag) {
  if (etag.rfind("W/", 0) == 0) etag = etag.substr(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  etag = lower(etag);
  static const std::regex hex64("^[0-9a-f]{64}$");
  return std::regex_match(etag, hex64) ? etag : "";
}

Result<std::string> sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return internal_error("cannot read '" + path + "'");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return internal_error("sha256 unavailable");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &n);
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", md[i]);
    hex += b;
  }
  return hex;
}

bool valid_repo(const std::string& repo) {
  static const std::regex re("^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$");
  return std::regex_match(repo, re) && repo.find("..") == std::string::npos;
}
bool valid_name(const std::string& name) {
  static const std::regex re("^[A-Za-z0-9][A-Za-z0-9._-]*$");
  return std::regex_match(name, re) && name.size() <= 200;
}
bool split_gguf(const std::string& file) {
  static const std::regex re(".*-[0-9]{5}-of-[0-9]{5}\\.gguf$", std::regex::icase);
  return std::regex_match(file, re);
}

std::string default_token() {
  if (std::string t = env("HF_TOKEN"); !t.empty()) return t;
  std::string path = env("HF_TOKEN_PATH");
  if (path.empty()) {
    std::string hf_home = env("HF_HOME");
    if (hf_home.empty()) {
      std::string cache = env("XDG_CACHE_HOME");
      if (cache.empty() && !env("HOME").empty()) cache = env("HOME") + "/.cache";
      if (!cache.empty()) hf_home = cache + "/huggingface";
    }
    if (!hf_home.empty()) path = hf_home + "/token";
  }
  std::ifstream in(path);
  std::string token;
  if (in) std::getline(in, token);
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  return token;
}

// One Hub session: the endpoint, the token and where it may go.
class Hub {
 public:
  Hub(Url endpoint, std::string token, int timeout_s)
      : endpoint_(std::move(endpoint)), token_(std::move(token)), timeout_s_(timeout_s) {}

  std::unique_ptr<httplib::Client> client(const Url& url) const {
    auto c = std::make_unique<httplib::Client>(url.origin);
    c->set_connection_timeout(timeout_s_, 0);
    c->set_read_timeout(timeout_s_, 0);
    c->set_follow_location(false);
    return c;
  }
  httplib::Headers headers(const Url& url) const {
    httplib::Headers h = {{"User-Agent", "t2sql"}, {"Accept-Encoding", "identity"}};
    // The token is the Hub's, never a CDN's it redirects to.
    if (!token_.empty() && url.host == endpoint_.host) h.emplace("Authorization", "Bearer " + token_);
    return h;
  }
  Url at(const std::string& path) const { return {endpoint_.origin, endpoint_.host, endpoint_.path + path}; }
  Result<Url> resolve_location(const Url& from, const std::string& location) const {
    if (location.find("://") != std::string::npos) return split_url(location);
    if (!location.empty() && location[0] == '/') return Url{from.origin, from.host, location};
    return invalid_argument("redirect to '" + location + "', which t2sql does not follow");
  }
  bool has_token() const { return !token_.empty(); }

  // The Status of an HTTP error answer about `what`.
  Status http_error(int status, const httplib::Response& r, const std::string& what) const {
    std::string code = r.get_header_value("X-Error-Code"), msg = r.get_header_value("X-Error-Message");
    std::string detail =
        "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code) + (msg.empty() ? "" : ": " + msg);
    if (status == 401) {
      return permission_denied(what + ": " + detail + " (" +
                               (has_token() ? "the token was refused"
                                            : "a private or gated repository, or none of that name: set HF_TOKEN") +
                               ")");
    }
    if (status == 403) {
      return permission_denied(what + ": " + detail +
                               " (access not granted: a gated model needs its licence accepted on its page)");
    }
    if (status == 404) return not_found(what + ": " + detail);
    if (status == 429 || status >= 500) return unavailable(what + ": " + detail);
    return unavailable(what + ": unexpected " + detail);
  }

 private:
  Url endpoint_;
  std::string token_;
  int timeout_s_;
};

std::string transport_error(const httplib::Result& r, const Url& url) {
  return "cannot reach " + url.origin + ": " + httplib::to_string(r.error());
}

// GET a small JSON document from the Hub's API.
Result<json> api_get(const Hub& hub, const std::string& path, const std::string& what) {
  Url url = hub.at(path);
  auto c = hub.client(url);
  auto r = c->Get(url.path, hub.headers(url));
  if (!r) return unavailable(transport_error(r, url));
  if (r->status != 200) return hub.http_error(r->status, *r, what);
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return unavailable(what + ": the Hub's answer is not JSON");
  return j;
}

std::string api_revision_path(const std::string& repo, const std::string& revision) {
  return "/api/models/" + repo + "/revision/" + quote(revision, false);
}

// What HEAD on the resolve URL tells: the file's sha256, size, commit and where to GET it.
struct FileMeta {
  std::string sha256, commit;
  int64_t size = -1;
  Url location;
};

Result<FileMeta> head_file(const Hub& hub, const std::string& repo, const std::string& revision,
                           const std::string& file) {
  std::string what = repo + "@" + revision + ":" + file;
  Url url = hub.at("/" + repo + "/resolve/" + quote(revision, false) + "/" + quote(file, true));
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    auto c = hub.client(url);
    auto r = c->Head(url.path, hub.headers(url));
    if (!r) return unavailable(transport_error(r, url));
    if (r->status >= 400) return hub.http_error(r->status, *r, what);
    std::string linked = r->get_header_value("X-Linked-Etag");
    FileMeta m;
    m.sha256 = sha256_from_etag(linked.empty() ? r->get_header_value("ETag") : linked);
    m.commit = r->get_header_value("X-Repo-Commit");
    std::string size = r->get_header_value("X-Linked-Size");
    if (size.empty()) size = r->get_header_value("Content-Length");
    if (!size.empty()) m.size = std::strtoll(size.c_str(), nullptr, 10);
    m.location = url;
    if (r->status >= 300 && r->status < 400) {
      auto next = hub.resolve_location(url, r->get_header_value("Location"));
      if (!next.ok()) return next.status();
      // An LFS file answers with its metadata and a redirect to its storage;
      // a redirect without metadata (a renamed repository) is followed.
      if (!linked.empty()) {
        m.location = *next;
        return m;
      }
      url = *next;
      continue;
    }
    return m;
  }
  return unavailable(what + ": too many redirects");
}

std::string choose_gguf(const json& siblings, std::string* error) {
  std::vector<std::string> ggufs;
  if (siblings.is_array()) {
    for (const auto& s : siblings) {
      std::string f = s.value("rfilename", "");
      if (lower(f).ends_with(".gguf") && !split_gguf(f)) ggufs.push_back(f);
    }
  }
  if (ggufs.size() == 1) return ggufs[0];
  std::vector<std::string> q4;
  for (const auto& f : ggufs)
    if (lower(f).find("q4_k_m") != std::string::npos) q4.push_back(f);
  if (q4.size() == 1) return q4[0];
  if (ggufs.empty()) {
    *error = "holds no single-file .gguf";
  } else {
    *error = "holds " + std::to_string(ggufs.size()) + " GGUF files; name one as REPO:FILE:";
    for (size_t i = 0; i < ggufs.size() && i < 12; ++i) *error += " " + ggufs[i];
  }
  return "";
}

Status write_json_atomically(const fs::path& path, const json& j) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return internal_error("cannot write '" + tmp.string() + "'");
    out << j.dump(2) << "\n";
    if (!out) return internal_error("writing '" + tmp.string() + "' failed");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return internal_error("cannot rename '" + tmp.string() + "': " + ec.message());
  return Status();
}

json read_json(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return json();
  json j = json::parse(in, nullptr, false);
  return j.is_discarded() ? json() : j;
}

int64_t file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

// One GET of the file from byte `offset` on into `part`, following redirects.
// Returns the bytes the part file holds afterwards; a broken-off transfer
// keeps what arrived (kUnavailable), so that the next try resumes.
Result<int64_t> fetch(const Hub& hub, Url url, const fs::path& part, int64_t offset, int64_t total,
                      const std::string& what, ProgressBar& bar) {
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    auto c = hub.client(url);
    httplib::Headers h = hub.headers(url);
    if (offset > 0) h.emplace("Range", "bytes=" + std::to_string(offset) + "-");
    std::ofstream out;
    int status = 0;
    std::string location, open_error;
    int64_t have = offset;
    httplib::Response head;
    auto r = c->Get(
        url.path, h,
        [&](const httplib::Response& resp) {
          status = resp.status;
          head = resp;
          if (status >= 300 && status < 400) {
            location = resp.get_header_value("Location");
            return false;
          }
          if (status == 206) {
            // "bytes START-END/TOTAL": the answer must start where the part ends.
            std::string range = resp.get_header_value("Content-Range");
            if (range.rfind("bytes " + std::to_string(offset) + "-", 0) != 0) {
              open_error = "the server answered the range request with '" + range + "'";
              return false;
            }
            out.open(part, std::ios::binary | std::ios::app);
          } else if (status == 200) {
            have = 0;  // the whole file again: start the part over
            out.open(part, std::ios::binary | std::ios::trunc);
          } else {
            return false;
          }
          if (!out) open_error = "cannot write '" + part.string() + "'";
          return open_error.empty();
        },
        [&](const char* data, size_t n) {
          out.write(data, static_cast<std::streamsize>(n));
          if (!out) return false;
          int64_t before = have / 1024;
          have += static_cast<int64_t>(n);
          if (have / 1024 > before) bar.advance(have / 1024 - before);
          return true;
        });
    out.close();
    if (!open_error.empty()) return internal_error(what + ": " + open_error);
    if (status >= 300 && status < 400) {
      auto next = hub.resolve_location(url, location);
      if (!next.ok()) return next.status();
      url = *next;
      continue;
    }
    if (status == 416 && offset == total) return offset;  // the part was complete already
    if (status == 416) {
      std::error_code ec;
      fs::remove(part, ec);
      return unavailable(what + ": the server refused to resume at byte " + std::to_string(offset) + "; starting over");
    }
    if (status != 0 && status != 200 && status != 206) return hub.http_error(status, head, what);
    if (!r) {
      int64_t kept = file_size_or_zero(part);
      return unavailable(what + ": the download broke off at " + std::to_string(kept) + " of " + std::to_string(total) +
                         " bytes (" + transport_error(r, url) + ")");
    }
    return file_size_or_zero(part);
  }
  return unavailable(what + ": too many redirects");
}

}  // namespace

std::string model_cache_dir() {
  std::string cache = env("XDG_CACHE_HOME");
  if (cache.empty()) cache = (env("HOME").empty() ? std::string(".") : env("HOME")) + "/.cache";
  return cache + "/t2sql/models";
}

const ModelPreset* find_model_preset(const std::string& name) {
  for (const auto& p : model_presets())
    if (lower(p.name) == lower(name)) return &p;
  return nullptr;
}

Result<PullResult> pull_model(const PullOptions& o) {
  // What to fetch.
  std::string repo, file, name = o.name, prompt_style;
  if (const ModelPreset* preset = find_model_preset(o.spec); preset && o.spec.find('/') == std::string::npos) {
    repo = preset->repo;
    file = preset->file;
    prompt_style = preset->prompt_style;
    if (name.empty()) name = preset->name;
  } else if (o.spec.find('/') != std::string::npos) {
    size_t colon = o.spec.find(':');
    repo = o.spec.substr(0, colon);
    if (colon != std::string::npos) file = o.spec.substr(colon + 1);
    if (colon != std::string::npos && file.empty())
      return invalid_argument("'" + o.spec + "': the FILE after ':' is empty");
  } else {
    std::string names;
    for (const auto& p : model_presets()) names += (names.empty() ? "" : ", ") + p.name;
    return invalid_argument("'" + o.spec + "' is neither a preset (" + names +
                            ") nor a repository (OWNER/NAME[:FILE])");
  }
  if (!valid_repo(repo)) return invalid_argument("'" + repo + "' is not a repository name (OWNER/NAME)");
  if (!file.empty() && (file.find("..") != std::string::npos || file[0] == '/'))
    return invalid_argument("'" + file + "' is not a file path inside a repository");
  if (o.revision.empty()) return invalid_argument("the revision is empty");

  std::string endpoint_text = o.endpoint.empty() ? env("HF_ENDPOINT") : o.endpoint;
  if (endpoint_text.empty()) endpoint_text = "https://huggingface.co";
  while (!endpoint_text.empty() && endpoint_text.back() == '/') endpoint_text.pop_back();
  auto endpoint = split_url(endpoint_text);
  if (!endpoint.ok()) return invalid_argument("HF_ENDPOINT " + endpoint.status().message());
  Hub hub(*endpoint, o.token.empty() ? default_token() : o.token, o.timeout_s);

  if (file.empty()) {
    auto info = api_get(hub, api_revision_path(repo, o.revision), repo + "@" + o.revision);
    if (!info.ok()) return info.status();
    std::string why;
    file = choose_gguf((*info)["siblings"], &why);
    if (file.empty()) return invalid_argument(repo + "@" + o.revision + " " + why);
  }
  if (split_gguf(file))
    return invalid_argument("'" + file +
                            "' is one part of a split GGUF; t2sql pulls single-file models (pick another "
                            "quantization)");
  if (!lower(file).ends_with(".gguf")) return invalid_argument("'" + file + "' is not a .gguf file");
  if (name.empty()) {
    name = fs::path(file).filename().string();
    name = name.substr(0, name.size() - 5);
  }
  if (lower(name).ends_with(".gguf")) name = name.substr(0, name.size() - 5);
  if (!valid_name(name)) return invalid_argument("'" + name + "' is not a usable model name (letters, digits, . _ -)");
  std::string what = repo + "@" + o.revision + ":" + file;

  auto meta = head_file(hub, repo, o.revision, file);
  if (!meta.ok()) return meta.status();
  if (meta->sha256.empty()) {
    // Not an LFS file, or a server without the header: the API's lfs.sha256.
    auto info = api_get(hub, api_revision_path(repo, o.revision) + "?blobs=true", what);
    if (info.ok() && (*info)["siblings"].is_array()) {
      for (const auto& s : (*info)["siblings"]) {
        if (s.value("rfilename", "") == file && s.contains("lfs") && s["lfs"].is_object()) {
          meta->sha256 = sha256_from_etag(s["lfs"].value("sha256", ""));
          if (meta->size < 0) meta->size = s["lfs"].value("size", int64_t{-1});
        }
      }
    }
    if (meta->sha256.empty())
      return invalid_argument(what +
                              ": the Hub publishes no sha256 for this file (not stored with LFS); t2sql does "
                              "not install a model it cannot verify");
  }

  std::string dir = o.cache_dir.empty() ? model_cache_dir() : o.cache_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return internal_error("cannot create the model cache '" + dir + "': " + ec.message());
  fs::path dest = fs::path(dir) / (name + ".gguf");
  fs::path meta_path = dest;
  meta_path += ".json";
  fs::path part = dest;
  part += ".part";
  fs::path part_meta = part;
  part_meta += ".json";

  CachedModel model{.name = name,
                    .path = dest.string(),
                    .size = meta->size,
                    .repo = repo,
                    .file = file,
                    .revision = o.revision,
                    .commit = meta->commit,
                    .sha256 = meta->sha256,
                    .prompt_style = prompt_style};
  json record = {
      {"repo", repo},           {"file", file},       {"revision", o.revision},      {"commit", meta->commit},
      {"sha256", meta->sha256}, {"size", meta->size}, {"prompt_style", prompt_style}};

  PullResult result;
  json cached = read_json(meta_path);
  if (!o.force && fs::exists(dest) && cached.is_object() && cached.value("sha256", "") == meta->sha256 &&
      file_size_or_zero(dest) == meta->size) {
    result.model = model;
    return result;
  }

  // Resume only a part of this very file.
  json part_record = read_json(part_meta);
  if (!part_record.is_object() || part_record.value("sha256", "") != meta->sha256 || o.force) {
    fs::remove(part, ec);
    if (Status s = write_json_atomically(part_meta, record); !s.ok()) return s;
  }
  int64_t have = file_size_or_zero(part);
  if (meta->size >= 0 && have > meta->size) {
    fs::remove(part, ec);
    have = 0;
  }
  result.resumed_from = have;

  ProgressOptions po{.total = meta->size > 0 ? meta->size / 1024 : 0, .label = "pull " + name, .unit = "KiB"};
  if (o.quiet) po.style = ProgressOptions::Style::kSilent;
  ProgressBar bar(po, o.progress ? *o.progress : std::cerr);
  bar.advance(have / 1024);
  Status last;
  for (int attempt = 0; attempt < kDownloadTries; ++attempt) {
    if (meta->size >= 0 && have == meta->size) break;
    auto got = fetch(hub, meta->location, part, have, meta->size, what, bar);
    if (got.ok()) {
      have = *got;
      last = Status();
      if (meta->size < 0 || have == meta->size) break;
      last = unavailable(what + ": the download ended at " + std::to_string(have) + " of " +
                         std::to_string(meta->size) + " bytes");
      continue;
    }
    last = got.status();
    if (last.code() != StatusCode::kUnavailable) break;  // 4xx: trying again will not help
    have = file_size_or_zero(part);
  }
  bar.finish();
  if (!last.ok()) {
    if (file_size_or_zero(part) > 0) return Status(last.code(), last.message() + "; run the command again to resume");
    return last;
  }

  auto sum = sha256_of_file(part.string());
  if (!sum.ok()) return sum.status();
  if (*sum != meta->sha256) {
    fs::remove(part, ec);
    fs::remove(part_meta, ec);
    return invalid_argument(what + ": checksum mismatch: the file has sha256 " + *sum + ", the Hub publishes " +
                            meta->sha256 + "; the download was removed");
  }
  {
    std::ifstream in(part, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    if (std::string(magic, 4) != "GGUF") {
      fs::remove(part, ec);
      fs::remove(part_meta, ec);
      return invalid_argument(what + ": not a GGUF file (no GGUF magic); removed");
    }
  }
  model.size = file_size_or_zero(part);
  record["size"] = model.size;
  fs::rename(part, dest, ec);
  if (ec) return internal_error("cannot move the download into '" + dest.string() + "': " + ec.message());
  fs::remove(part_meta, ec);
  if (Status s = write_json_atomically(meta_path, record); !s.ok()) return s;
  result.model = model;
  result.downloaded = true;
  return result;
}

std::vector<CachedModel> list_cached_models(const std::string& cache_dir) {
  std::string dir = cache_dir.empty() ? model_cache_dir() : cache_dir;
  std::vector<CachedModel> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec) || e.path().extension() != ".gguf") continue;
    CachedModel m;
    m.name = e.path().stem().string();
    m.path = e.path().string();
    m.size = file_size_or_zero(e.path());
    fs::path meta_path = e.path();
    meta_path += ".json";
    json j = read_json(meta_path);
    if (j.is_object()) {
      m.repo = j.value("repo", "");
      m.file = j.value("file", "");
      m.revision = j.value("revision", "");
      m.commit = j.value("commit", "");
      m.sha256 = j.value("sha256", "");
      m.prompt_style = j.value("prompt_style", "");
    }
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::optional<std::string> resolve_cached_model(const std::string& name, const std::string& cache_dir) {
  if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  std::string stem = lower(name).ends_with(".gguf") ? name.substr(0, name.size() - 5) : name;
  if (!valid_name(stem)) return std::nullopt;
  std::string dir = cache_dir.empty() ? model_cache_dir() : cache_dir;
  fs::path p = fs::path(dir) / (stem + ".gguf");
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return p.string();
  return std::nullopt;
}

}  // namespace t2sql
