// The entities stage: what a question says that SQL will need as literals —
// numbers, years, months, ISO dates, relative ranges ("last year"), top-k and
// comparisons — and which of its words are values stored in the database
// ("Apple" -> brands.brand_name).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "t2sql/catalog.h"
#include "t2sql/database.h"
#include "t2sql/generator.h"

namespace t2sql {

struct Entities {
  std::vector<double> numbers;
  std::vector<int> years;
  std::vector<int> months;               // 1..12
  std::vector<std::string> dates;        // ISO, as written
  std::vector<std::string> ranges;       // "last year", "between March and May", ...
  std::optional<int> top_k;              // "top 5", "5 best"; "highest" alone is 1
  std::vector<std::string> comparisons;  // "more than 3", "at least 10", "before 2024"
  std::vector<LinkedValue> values;
  std::string to_json() const;
};

// An index of the distinct values of a database's text columns, for finding
// them in questions case-insensitively and with one typo. Built once per
// Pipeline; read-only afterwards, so one instance may serve several threads.
class ValueLinker {
 public:
  // Reads up to `max_per_column` distinct values of each text column that has
  // at most that many (free text and ids are skipped: they are not names).
  static ValueLinker build(Database& db, const Catalog& catalog, int max_per_column = 2000);

  std::vector<LinkedValue> link(const std::string& question) const;
  size_t size() const { return values_.size(); }

 private:
  struct Entry {
    std::string table, column, value;
  };
  std::multimap<std::string, Entry> values_;  // lower-cased value -> where
  size_t max_words_ = 1;
};

Entities extract_entities(const std::string& question, const ValueLinker* linker);

}  // namespace t2sql
