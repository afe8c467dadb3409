// Test-only: a result's rows in a form two queries' results can be compared
// in, for the template engine's tests. Each row becomes its cells (numbers
// rounded to 2 decimals) sorted and joined, so column order does not matter;
// the rows are sorted too unless `ordered`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "t2sql/value.h"

namespace t2sql::testing {

inline std::vector<std::string> comparable_rows(const ResultSet& r, bool ordered) {
  std::vector<std::string> out;
  for (const auto& row : r.rows) {
    std::vector<std::string> cells;
    for (const auto& c : row) {
      if (c.is_number()) {
        char b[64];
        std::snprintf(b, sizeof b, "%.2f", std::round(c.as_double() * 100) / 100);
        cells.push_back(b);
      } else {
        cells.push_back(c.to_string());
      }
    }
    std::sort(cells.begin(), cells.end());
    std::string line;
    for (const auto& c : cells) line += c + "|";
    out.push_back(line);
  }
  if (!ordered) std::sort(out.begin(), out.end());
  return out;
}

}  // namespace t2sql::testing
