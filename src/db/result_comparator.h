// Comparing a predicted query's rows with the gold query's rows: the
// execution-accuracy test of the evaluation harness.
//
// Rules (Spider's execution accuracy, made explicit):
// - Rows are compared as multisets (duplicates count), or as sequences when
//   the gold query orders its outer result (`ordered`).
// - Column order and column names do not matter: the predicted columns may be
//   any permutation of the gold columns, but there must be as many of them.
// - Numbers compare by value (integer 3 equals real 3.0) within a relative
//   tolerance; text compares exactly (case-sensitive); NULL equals only NULL;
//   a number never equals a text, even "3".
// - A result cut short by the row cap is never declared equal.
// Plain functions of their inputs; thread-safe.
#pragma once

#include <string>

#include "t2sql/value.h"

namespace t2sql {

struct CompareOptions {
  bool ordered = false;  // compare row sequences, not multisets
  // |a-b| <= rel * max(1, |a|, |b|): absorbs the summation order of floats,
  // not a different rounding of the answer.
  double rel_tolerance = 1e-9;
};

struct CompareOutcome {
  bool equal = false;
  std::string reason;  // empty when equal: "3 rows, gold has 5", "column count 2, gold has 3", ...
};

CompareOutcome compare_results(const ResultSet& gold, const ResultSet& predicted, const CompareOptions& options = {});

// Cell equality under the rules above.
bool values_equal(const Value& a, const Value& b, double rel_tolerance);

}  // namespace t2sql
