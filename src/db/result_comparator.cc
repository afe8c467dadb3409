#include "db/result_comparator.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <vector>

namespace t2sql {

namespace {

using Row = std::vector<Value>;

enum class CellClass { kNull = 0, kNumber = 1, kText = 2 };

CellClass cell_class(const Value& v) {
  if (v.is_null()) return CellClass::kNull;
  if (v.is_number()) return CellClass::kNumber;
  return CellClass::kText;
}

bool numbers_close(double a, double b, double rel) {
  if (a == b) return true;
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= rel * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// A total order that treats close numbers as equal, so that sorting both
// sides puts matching rows at the same positions.
int compare_cells(const Value& a, const Value& b, double rel) {
  CellClass ca = cell_class(a), cb = cell_class(b);
  if (ca != cb) return ca < cb ? -1 : 1;
  switch (ca) {
    case CellClass::kNull: return 0;
    case CellClass::kNumber: {
      double x = a.as_double(), y = b.as_double();
      if (numbers_close(x, y, rel)) return 0;
      return x < y ? -1 : 1;
    }
    case CellClass::kText: {
      int c = a.to_string().compare(b.to_string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  return 0;
}

int compare_rows(const Row& a, const Row& b, double rel) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (int c = compare_cells(a[i], b[i], rel); c != 0) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

std::vector<Row> permuted(const std::vector<Row>& rows, const std::vector<size_t>& perm) {
  std::vector<Row> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    Row p;
    p.reserve(perm.size());
    for (size_t c : perm) p.push_back(c < r.size() ? r[c] : Value::null());
    out.push_back(std::move(p));
  }
  return out;
}

bool rows_match(const std::vector<Row>& gold, std::vector<Row> pred, const CompareOptions& o,
                std::vector<Row>* sorted_gold) {
  if (!o.ordered) {
    std::sort(pred.begin(), pred.end(),
              [&](const Row& a, const Row& b) { return compare_rows(a, b, o.rel_tolerance) < 0; });
  }
  const std::vector<Row>& g = o.ordered ? gold : *sorted_gold;
  for (size_t i = 0; i < g.size(); ++i) {
    if (compare_rows(g[i], pred[i], o.rel_tolerance) != 0) return false;
  }
  return true;
}

// The sorted values of one column, to prune column permutations early.
std::vector<Value> column_values(const std::vector<Row>& rows, size_t c, double rel) {
  std::vector<Value> v;
  v.reserve(rows.size());
  for (const auto& r : rows) v.push_back(c < r.size() ? r[c] : Value::null());
  std::sort(v.begin(), v.end(), [&](const Value& a, const Value& b) { return compare_cells(a, b, rel) < 0; });
  return v;
}

bool same_values(const std::vector<Value>& a, const std::vector<Value>& b, double rel) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (compare_cells(a[i], b[i], rel) != 0) return false;
  }
  return true;
}

}  // namespace

bool values_equal(const Value& a, const Value& b, double rel_tolerance) {
  return compare_cells(a, b, rel_tolerance) == 0;
}

CompareOutcome compare_results(const ResultSet& gold, const ResultSet& predicted, const CompareOptions& options) {
  if (gold.truncated) return {false, "the gold result exceeds the row cap; cannot compare"};
  if (predicted.truncated) return {false, "the predicted result exceeds the row cap"};
  size_t gcols = gold.columns.size(), pcols = predicted.columns.size();
  if (gcols != pcols) {
    return {false, "predicted " + std::to_string(pcols) + " column(s), gold has " + std::to_string(gcols)};
  }
  if (gold.rows.size() != predicted.rows.size()) {
    return {false, "predicted " + std::to_string(predicted.rows.size()) + " row(s), gold has " +
                       std::to_string(gold.rows.size())};
  }
  const double rel = options.rel_tolerance;
  std::vector<Row> sorted_gold;
  if (!options.ordered) {
    sorted_gold = gold.rows;
    std::sort(sorted_gold.begin(), sorted_gold.end(),
              [&](const Row& a, const Row& b) { return compare_rows(a, b, rel) < 0; });
  }

  // Candidate predicted columns for each gold column: same multiset of values.
  std::vector<std::vector<Value>> gold_cols, pred_cols;
  for (size_t c = 0; c < gcols; ++c) gold_cols.push_back(column_values(gold.rows, c, rel));
  for (size_t c = 0; c < pcols; ++c) pred_cols.push_back(column_values(predicted.rows, c, rel));
  std::vector<std::vector<size_t>> candidates(gcols);
  for (size_t g = 0; g < gcols; ++g) {
    for (size_t p = 0; p < pcols; ++p) {
      if (same_values(gold_cols[g], pred_cols[p], rel)) candidates[g].push_back(p);
    }
    if (candidates[g].empty()) {
      std::string name = g < gold.columns.size() ? gold.columns[g] : std::to_string(g);
      return {false, "no predicted column has the values of gold column '" + name + "'"};
    }
  }

  // Try the column assignments (identity first); the candidate lists keep
  // this small in practice, and a cap bounds the pathological case.
  std::vector<size_t> perm(gcols);
  std::vector<bool> used(pcols, false);
  int tries = 0;
  constexpr int kMaxTries = 2000;
  bool found = false;
  std::function<void(size_t)> search = [&](size_t g) {
    if (found || tries > kMaxTries) return;
    if (g == gcols) {
      ++tries;
      if (rows_match(gold.rows, permuted(predicted.rows, perm), options, &sorted_gold)) found = true;
      return;
    }
    std::vector<size_t> order = candidates[g];
    // Prefer the same position, so the common case needs one try.
    std::stable_partition(order.begin(), order.end(), [g](size_t p) { return p == g; });
    for (size_t p : order) {
      if (used[p]) continue;
      used[p] = true;
      perm[g] = p;
      search(g + 1);
      used[p] = false;
      if (found) return;
    }
  };
  search(0);
  if (found) return {true, ""};
  if (options.ordered) {
    CompareOptions unordered = options;
    unordered.ordered = false;
    if (compare_results(gold, predicted, unordered).equal) return {false, "same rows in a different order"};
  }
  return {false, "different rows"};
}

}  // namespace t2sql
