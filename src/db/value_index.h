// ValueIndex: the distinct values of a database's text columns, searched for
// the literals a question mentions ("apple phones in seattle" -> brands.
// brand_name = 'Apple', stores.city = 'Seattle'). Matching ignores case and
// punctuation and tolerates small typos (edit distance on longer words) and
// partial names (token overlap).
//
//   auto index = ValueIndex::build(*db, catalog);
//   for (const LinkedValue& v : index->search("total sales of Nike in Boston")) ...
//
// Owns its values (bounded per column: long free text and the values past
// `max_values_per_column` are skipped). Building reads the database; search
// is const and thread-safe once built. build() returns the database's error
// when a column cannot be read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "t2sql/catalog.h"
#include "t2sql/generator.h"
#include "t2sql/status.h"

namespace t2sql {

class Database;

struct ValueIndexOptions {
  size_t max_values_per_column = 5000;
  size_t max_value_length = 80;  // longer values are free text, not names
  bool skip_key_columns = false;
};

class ValueIndex {
 public:
  struct Entry {
    std::string table, column, value;
    std::vector<std::string> tokens;  // normalized words of value
  };

  ValueIndex() = default;

  // Reads the distinct values of every text column of `catalog` from `db`.
  // `progress` (optional) hears (columns read, text columns) after each one;
  // value_index_cache.h adds the on-disk cache around this.
  static Result<ValueIndex> build(Database& db, const Catalog& catalog, const ValueIndexOptions& options = {},
                                  const std::function<void(int64_t done, int64_t total)>& progress = nullptr);

  // Adds one value (building, tests, loading a cache). Empty and over-long
  // values are ignored.
  void add(const std::string& table, const std::string& column, const std::string& value);

  // Values whose words occur in `text`, best first, at most `limit`, each
  // with score in (0, 1]: 1 for an exact case-insensitive phrase match, less
  // for typos and partial matches; below `min_score` dropped. For a given
  // question span only the best-scoring values are kept, so that "Boston"
  // does not also return "Boston Market" unless that scores as well.
  std::vector<LinkedValue> search(std::string_view text, size_t limit = 10, double min_score = 0.6) const;

  // The stored values a question names, as every stage reads them (the
  // pipeline's entity stage, the template engine, follow-up resolution):
  // search() with the limit and score that the template engine was measured
  // with (kLinkLimit, kLinkMinScore).
  static constexpr size_t kLinkLimit = 12;
  static constexpr double kLinkMinScore = 0.8;
  std::vector<LinkedValue> link(std::string_view question) const { return search(question, kLinkLimit, kLinkMinScore); }

  size_t size() const { return entries_.size(); }
  const std::vector<Entry>& entries() const { return entries_; }
  size_t columns_truncated() const { return columns_truncated_; }

  // Lowercase ASCII words of text (letters and digits; other bytes split),
  // the tokenization both sides of a match use.
  static std::vector<std::string> tokenize(std::string_view text);

 private:
  size_t max_value_length_ = 80;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::vector<size_t>> by_token_;  // token -> entry ids
  std::unordered_map<std::string, std::vector<std::string>> by_trigram_;  // trigram -> tokens
  size_t columns_truncated_ = 0;
};

// Levenshtein distance, stopping early once it exceeds `max` (returns max+1).
size_t edit_distance(std::string_view a, std::string_view b, size_t max);

// What the index read: the engine, the URI, a SQLite or DuckDB file's size and
// modification time, the text columns and the options. Equal fingerprints
// mean an index built from one serves the other.
uint64_t value_index_fingerprint(Database& db, const Catalog& catalog, const ValueIndexOptions& options);

}  // namespace t2sql
