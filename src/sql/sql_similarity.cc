#include "sql/sql_similarity.h"

#include <cmath>
#include <map>
#include <sstream>
#include <vector>

#include "sql/sql_normalizer.h"

namespace t2sql {

namespace {

std::map<std::string, double> features(const std::string& sql) {
  std::vector<std::string> words;
  std::istringstream in(normalize_sql(sql));
  for (std::string w; in >> w;) words.push_back(w);
  std::map<std::string, double> f;
  for (size_t i = 0; i < words.size(); ++i) {
    f[words[i]] += 1;
    if (i + 1 < words.size()) f[words[i] + "\x1f" + words[i + 1]] += 1;
  }
  return f;
}

}  // namespace

double lexical_sql_similarity(const std::string& a, const std::string& b) {
  auto fa = features(a), fb = features(b);
  if (fa.empty() || fb.empty()) return 0;
  double dot = 0, na = 0, nb = 0;
  for (const auto& [k, v] : fa) {
    na += v * v;
    if (auto it = fb.find(k); it != fb.end()) dot += v * it->second;
  }
  for (const auto& [k, v] : fb) nb += v * v;
  double s = dot / (std::sqrt(na) * std::sqrt(nb));
  return s > 1 ? 1 : s;
}

}  // namespace t2sql
