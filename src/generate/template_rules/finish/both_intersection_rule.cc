// "customers who have loans of both Mortgages and Auto", "colleges that have
// both authors with a score above 90 and authors with a score below 80": two
// conditions on one column after "both" are met by different rows of the
// same answer, so the answer is the rows of one INTERSECT the rows of the
// other (one row cannot hold both values).
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <string>
#include <vector>

namespace t2sql::template_rules {

namespace {

// The SQL literals of "(lit, lit, ...)": quoted strings (with '' inside) or
// bare numbers.
std::vector<std::string> split_list(const std::string& rhs) {
  std::vector<std::string> out;
  if (rhs.size() < 2 || rhs.front() != '(' || rhs.back() != ')') return out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 1; i + 1 < rhs.size(); ++i) {
    char ch = rhs[i];
    if (ch == '\'') {
      if (quoted && i + 2 < rhs.size() && rhs[i + 1] == '\'') {
        cur += "''";
        ++i;
        continue;
      }
      quoted = !quoted;
    }
    if (ch == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    if (ch == ' ' && !quoted && cur.empty()) continue;
    cur += ch;
  }
  out.push_back(cur);
  return out;
}

}  // namespace

bool TemplateQueryBuilder::pass_both_intersection() {
  if (!nested_sql_.empty() || !q_.group_by.empty() || !q_.having.empty() || q_.limit >= 0) return true;
  size_t both = toks_.size();
  for (size_t i = 0; i < toks_.size() && both == toks_.size(); ++i) {
    if (lw(i) == "both") both = i;
  }
  bool and_after = false;
  for (size_t i = both + 1; i < toks_.size(); ++i) and_after = and_after || lw(i) == "and";
  if (both == toks_.size() || !and_after) return true;
  for (const auto& [p, e] : q_.select) {
    if (e.agg != Agg::kNone || e.star) return true;  // a figure of both sets: not this shape
  }
  // The two conditions: one group of two alternatives on a column, or two
  // groups of one condition each on the same column.
  auto positive = [](const Cond& c) { return c.op != "!=" && c.op != "NOT IN" && c.op != "NOT LIKE"; };
  int group_a = -1, group_b = -1;
  Cond first, second;
  int found = 0;
  for (size_t g = 0; g < q_.where.size(); ++g) {
    const auto& grp = q_.where[g];
    if (grp.size() == 2 && grp[0].lhs == grp[1].lhs && positive(grp[0]) && positive(grp[1])) {
      ++found, group_a = static_cast<int>(g), group_b = -1, first = grp[0], second = grp[1];
    } else if (grp.size() == 1 && grp[0].op == "IN") {
      auto lits = split_list(grp[0].rhs);
      if (lits.size() != 2) continue;
      ++found, group_a = static_cast<int>(g), group_b = -1;
      first = {grp[0].lhs, "=", lits[0]};
      second = {grp[0].lhs, "=", lits[1]};
    }
  }
  for (size_t g = 0; g < q_.where.size(); ++g) {
    for (size_t h = g + 1; h < q_.where.size(); ++h) {
      const auto& x = q_.where[g];
      const auto& y = q_.where[h];
      if (x.size() == 1 && y.size() == 1 && x[0].lhs == y[0].lhs && positive(x[0]) && positive(y[0]) &&
          x[0].op != "BETWEEN" && y[0].op != "BETWEEN") {
        ++found, group_a = static_cast<int>(g), group_b = static_cast<int>(h), first = x[0], second = y[0];
      }
    }
  }
  if (found != 1) return true;
  auto with = [&](const Cond& c) {
    Query q = q_;
    q.where.clear();
    for (size_t g = 0; g < q_.where.size(); ++g) {
      if (static_cast<int>(g) == group_b) continue;
      if (static_cast<int>(g) == group_a)
        q.where.push_back({c});
      else
        q.where.push_back(q_.where[g]);
    }
    q.distinct = false;
    q.order_by.clear();
    q.name_aggregates = true;
    return render(q);
  };
  std::string a = with(first), b = with(second);
  if (a.empty() || b.empty()) return true;
  nested_sql_ = a + " INTERSECT " + b;
  intersected_ = true;
  return true;
}

}  // namespace t2sql::template_rules
