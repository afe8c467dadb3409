#include "db/value_index.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "base/hashing.h"
#include "schema/identifier_words.h"
#include "sql/dialect.h"
#include "t2sql/database.h"

namespace t2sql {

namespace {

struct Token {
  std::string text;  // lowercase
  size_t begin = 0, end = 0;
};

std::vector<Token> tokenize_with_offsets(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!std::isalnum(c)) {
      ++i;
      continue;
    }
    Token t;
    t.begin = i;
    while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) {
      t.text += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
      ++i;
    }
    t.end = i;
    out.push_back(std::move(t));
  }
  return out;
}

// The key under which a word is indexed: singular, so "dogs" finds "Dog".
std::string token_key(const std::string& token) {
  bool alpha = std::all_of(token.begin(), token.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  return alpha ? singular_word(token) : token;
}

std::vector<std::string> trigrams(const std::string& word) {
  std::vector<std::string> out;
  std::string padded = "^" + word + "$";
  for (size_t i = 0; i + 3 <= padded.size(); ++i) out.push_back(padded.substr(i, 3));
  return out;
}

bool is_text_column(const ColumnInfo& col) {
  if (col.type == ValueType::kText) return true;
  std::string t;
  for (char c : col.declared_type) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return t.find("CHAR") != std::string::npos || t.find("TEXT") != std::string::npos ||
         t.find("CLOB") != std::string::npos || t.find("STRING") != std::string::npos;
}

// A value that consists only of function words or single letters would match
// half the questions ("a", "in", "No"); such values link only when quoted.
bool linkable(const std::vector<std::string>& tokens) {
  for (const auto& t : tokens) {
    if (t.size() > 1 && !is_stop_word(t)) return true;
  }
  return false;
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b, size_t max) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > max) return max + 1;
  std::vector<size_t> prev(a.size() + 1), cur(a.size() + 1);
  for (size_t i = 0; i <= a.size(); ++i) prev[i] = i;
  for (size_t j = 1; j <= b.size(); ++j) {
    cur[0] = j;
    size_t row_min = cur[0];
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[i] = std::min({prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + cost});
      row_min = std::min(row_min, cur[i]);
    }
    if (row_min > max) return max + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[a.size()], max + 1);
}

std::vector<std::string> ValueIndex::tokenize(std::string_view text) {
  std::vector<std::string> out;
  for (auto& t : tokenize_with_offsets(text)) out.push_back(std::move(t.text));
  return out;
}

Result<ValueIndex> ValueIndex::build(Database& db, const Catalog& catalog, const ValueIndexOptions& options,
                                     const std::function<void(int64_t done, int64_t total)>& progress) {
  ValueIndex index;
  index.max_value_length_ = options.max_value_length;
  Dialect dialect = Dialect::for_engine(catalog.engine.empty() ? db.engine() : catalog.engine);
  int64_t total = 0, done = 0;
  for (const auto& table : catalog.tables) {
    for (const auto& col : table.columns) {
      if (is_text_column(col) && !(options.skip_key_columns && col.primary_key)) ++total;
    }
  }
  for (const auto& table : catalog.tables) {
    for (const auto& col : table.columns) {
      if (!is_text_column(col)) continue;
      if (options.skip_key_columns && col.primary_key) continue;
      if (progress) progress(done++, total);
      std::string q = dialect.quote_identifier(col.name);
      std::string sql = "SELECT DISTINCT " + q + " FROM " + dialect.quote_identifier(table.name) + " WHERE " + q +
                        " IS NOT NULL" + dialect.limit(static_cast<long long>(options.max_values_per_column) + 1);
      auto rows = db.execute(sql, {.timeout_ms = 10000, .max_rows = 0});
      // A column of values too large for one answer (documents, blobs) is not a value to link.
      if (!rows.ok() && rows.status().code() == StatusCode::kResourceExhausted) continue;
      if (!rows.ok()) return rows.status();
      size_t n = 0;
      for (const auto& row : rows->rows) {
        if (row.empty() || row[0].is_null()) continue;
        if (++n > options.max_values_per_column) {
          ++index.columns_truncated_;
          break;
        }
        index.add(table.name, col.name, row[0].to_string());
      }
    }
  }
  if (progress) progress(total, total);
  return index;
}

void ValueIndex::add(const std::string& table, const std::string& column, const std::string& value) {
  if (value.empty() || value.size() > max_value_length_) return;
  Entry e{table, column, value, {}};
  for (auto& t : tokenize(value)) e.tokens.push_back(token_key(t));
  if (e.tokens.empty() || !linkable(e.tokens)) return;
  size_t id = entries_.size();
  std::set<std::string> seen;
  for (const auto& t : e.tokens) {
    if (!seen.insert(t).second) continue;
    auto& ids = by_token_[t];
    if (ids.empty() && t.size() >= 4) {
      for (const auto& g : trigrams(t)) by_trigram_[g].push_back(t);
    }
    ids.push_back(id);
  }
  entries_.push_back(std::move(e));
}

std::vector<LinkedValue> ValueIndex::search(std::string_view text, size_t limit, double min_score) const {
  std::vector<Token> q = tokenize_with_offsets(text);
  // For each question token, the index tokens it may stand for, with the
  // quality of that match (1 exact, 0.95 plural-folded, less for typos).
  std::vector<std::map<std::string, double>> alts(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    const std::string key = token_key(q[i].text);
    if (by_token_.count(key)) alts[i][key] = key == q[i].text ? 1.0 : 0.97;
    if (by_token_.count(q[i].text)) alts[i][q[i].text] = 1.0;
    if (!alts[i].empty() || key.size() < 5 || is_stop_word(key)) continue;
    size_t max_edits = key.size() >= 8 ? 2 : 1;
    std::map<std::string, int> shared;
    for (const auto& g : trigrams(key)) {
      auto it = by_trigram_.find(g);
      if (it == by_trigram_.end()) continue;
      for (const auto& t : it->second) ++shared[t];
    }
    for (const auto& [t, count] : shared) {
      // Typos keep the first letter; "least" is not "East".
      if (count < 2 || t[0] != key[0]) continue;
      size_t d = edit_distance(key, t, max_edits);
      if (d <= max_edits) alts[i][t] = std::max(alts[i][t], d == 1 ? 0.85 : 0.75);
    }
  }

  struct Hit {
    size_t entry;
    size_t begin, end;  // question token span
    double score;
  };
  std::vector<Hit> hits;
  std::set<size_t> tried;
  for (size_t i = 0; i < q.size(); ++i) {
    for (const auto& [tok, quality] : alts[i]) {
      auto it = by_token_.find(tok);
      if (it == by_token_.end()) continue;
      for (size_t id : it->second) {
        if (!tried.insert(id * 4096 + std::min<size_t>(i, 4095)).second) continue;
        const Entry& e = entries_[id];
        // Align the entry's tokens with the question starting where the
        // first shared token is: the longest in-order run wins.
        size_t pos_in_entry = std::find(e.tokens.begin(), e.tokens.end(), tok) - e.tokens.begin();
        if (pos_in_entry > i) continue;
        size_t start = i - pos_in_entry;
        double sum = 0;
        size_t matched = 0, first = q.size(), last = 0;
        for (size_t k = 0; k < e.tokens.size() && start + k < q.size(); ++k) {
          auto m = alts[start + k].find(e.tokens[k]);
          if (m == alts[start + k].end()) continue;
          sum += m->second;
          ++matched;
          first = std::min(first, start + k);
          last = std::max(last, start + k);
        }
        if (matched == 0) continue;
        // Words of the value the question leaves out cost more than typos.
        double coverage = static_cast<double>(matched) / e.tokens.size();
        double score = (sum / matched) * coverage;
        if (matched == 1 && e.tokens.size() > 1 && is_stop_word(e.tokens[pos_in_entry])) continue;
        if (score >= min_score) hits.push_back({id, first, last + 1, score});
      }
    }
  }
  // Drop hits inside a longer span that scores as well ("New York" beats "York").
  std::vector<Hit> kept;
  for (const auto& h : hits) {
    bool shadowed = false;
    for (const auto& o : hits) {
      bool contains = o.begin <= h.begin && o.end >= h.end && (o.end - o.begin) > (h.end - h.begin);
      if (contains && o.score >= h.score) shadowed = true;
    }
    if (!shadowed) kept.push_back(h);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Hit& a, const Hit& b) {
    if (a.score != b.score) return a.score > b.score;
    return (a.end - a.begin) > (b.end - b.begin);
  });
  std::vector<LinkedValue> out;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const auto& h : kept) {
    if (out.size() >= limit) break;
    const Entry& e = entries_[h.entry];
    if (!seen.insert({e.table, e.column, e.value}).second) continue;
    LinkedValue v;
    v.table = e.table;
    v.column = e.column;
    v.value = e.value;
    v.matched_text = std::string(text.substr(q[h.begin].begin, q[h.end - 1].end - q[h.begin].begin));
    v.score = h.score;
    out.push_back(std::move(v));
  }
  return out;
}

uint64_t value_index_fingerprint(Database& db, const Catalog& catalog, const ValueIndexOptions& options) {
  constexpr uint64_t kValueFormat = 1;  // the cache file's format: a new one reads again
  uint64_t fp = fnv1a64_bytes(&kValueFormat, sizeof(kValueFormat));
  fp = fnv1a64(db.engine(), fp);
  std::string uri = db.uri();
  fp = fnv1a64(uri, fp);
  // The data itself: a SQLite or DuckDB file changes size or time when written.
  std::string path = uri;
  for (const char* scheme : {"sqlite://", "duckdb://"}) {
    if (path.rfind(scheme, 0) == 0) path = path.substr(std::strlen(scheme));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    int64_t identity[2] = {static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)};
    fp = fnv1a64_bytes(identity, sizeof(identity), fp);
  }
  uint64_t limits[3] = {options.max_values_per_column, options.max_value_length, options.skip_key_columns ? 1u : 0u};
  fp = fnv1a64_bytes(limits, sizeof(limits), fp);
  for (const auto& t : catalog.tables) {
    fp = fnv1a64(t.name, fp);
    for (const auto& c : t.columns) {
      fp = fnv1a64(c.name + "\x1f" + c.declared_type, fp);
    }
  }
  return fp;
}

}  // namespace t2sql
