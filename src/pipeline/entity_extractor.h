// The entities stage: what a question says that SQL will need as literals —
// numbers, years, months, ISO dates, relative ranges ("last year"), top-k and
// comparisons — and which of its words are values stored in the database
// ("Apple" -> brands.brand_name, through the shared ValueIndex).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "retrieval/value_index.h"
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

// `values` (may be null) is the database's value index
// (retrieval/shared_value_index.h), the one the template engine reads too.
Entities extract_entities(const std::string& question, const ValueIndex* values);

}  // namespace t2sql
