#include "db/uri_redaction.h"

#include <cctype>
#include <vector>

#include "base/percent_encoding.h"

namespace t2sql {

namespace {

struct Span {
  size_t begin = std::string::npos, end = std::string::npos;
  bool found() const { return begin != std::string::npos; }
};

// Where the userinfo's password lies: after the first ':' of the userinfo,
// which ends at the last '@' whose following text looks like a host (no '='
// or '&', which only a query holds).
Span userinfo_password(const std::string& uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string::npos) return {};
  size_t start = scheme + 3;
  for (size_t at = uri.rfind('@'); at != std::string::npos && at >= start;
       at = at == 0 ? std::string::npos : uri.rfind('@', at - 1)) {
    size_t host_end = uri.find_first_of("/?#", at + 1);
    std::string host = uri.substr(at + 1, host_end == std::string::npos ? std::string::npos : host_end - at - 1);
    if (host.find_first_of("=&@") != std::string::npos) continue;
    size_t colon = uri.find(':', start);
    if (colon == std::string::npos || colon > at) return {};
    return {colon + 1, at};
  }
  return {};
}

// The values of "password" query parameters.
std::vector<Span> query_passwords(const std::string& uri) {
  std::vector<Span> out;
  Span userinfo = userinfo_password(uri);
  size_t from = userinfo.found() ? userinfo.end : 0;
  size_t q = uri.find('?', from);
  if (q == std::string::npos) return out;
  for (size_t pos = q + 1; pos < uri.size();) {
    size_t amp = uri.find('&', pos);
    size_t end = amp == std::string::npos ? uri.size() : amp;
    size_t eq = uri.find('=', pos);
    if (eq != std::string::npos && eq < end) {
      std::string key = uri.substr(pos, eq - pos);
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (key == "password") out.push_back({eq + 1, end});
    }
    pos = end + 1;
  }
  return out;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

std::string redact_password(const std::string& uri) {
  std::vector<Span> spans;
  if (Span u = userinfo_password(uri); u.found() && u.end > u.begin) spans.push_back(u);
  for (const Span& q : query_passwords(uri))
    if (q.end > q.begin) spans.push_back(q);
  std::string out = uri;
  // Right to left, so that earlier offsets stay valid.
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) out.replace(it->begin, it->end - it->begin, "***");
  return out;
}

std::string uri_password(const std::string& uri) {
  if (Span u = userinfo_password(uri); u.found()) return uri.substr(u.begin, u.end - u.begin);
  for (const Span& q : query_passwords(uri)) return uri.substr(q.begin, q.end - q.begin);
  return "";
}

std::string redact_uri_in(std::string message, const std::string& uri) {
  std::string redacted = redact_password(uri);
  if (uri.empty() || redacted == uri) return message;
  replace_all(message, uri, redacted);
  std::vector<std::string> secrets;
  if (Span u = userinfo_password(uri); u.found()) secrets.push_back(uri.substr(u.begin, u.end - u.begin));
  for (const Span& q : query_passwords(uri)) secrets.push_back(uri.substr(q.begin, q.end - q.begin));
  for (const std::string& secret : secrets) {
    // A password with URI delimiters in it is parsed into pieces (a port, a
    // host) that the message may quote: show none of it.
    if (secret.find_first_of("/@?#") != std::string::npos)
      return "the message is withheld: the URI's password holds an unencoded '/', '@', '?' or '#' "
             "(percent-encode them: %2F, %40, %3F, %23)";
    replace_all(message, secret, "***");
    replace_all(message, percent_decode(secret), "***");
  }
  return message;
}

}  // namespace t2sql
