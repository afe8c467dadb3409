// Negation: main rows with no related row ("stadiums without concerts",
// "students who do not own a cat"): focus.key NOT IN (the related keys);
// a repeating attribute negated ("regions with no closed stores") excludes
// its own values.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_negation() {
  // Negation: main rows with no related row ("stadiums without concerts",
  // "students who do not own a cat"): focus.key NOT IN (the related keys).
  if (shape_.neg_table < 0) shape_.neg_table = neg_value_table_;
  // "Which regions have no closed stores?", "which categories does Apple not
  // sell?": a repeating attribute is asked for, so the values excluded are
  // those of the attribute itself, among the rows the conditions describe.
  bool attribute_neg = false;
  if (shape_.neg_seen && shape_.plain.size() == 1 && q_.having.empty() && !count_ && shape_.aggs.empty()) {
    const Expr& a = shape_.plain[0].second;
    attribute_neg = a.t == focus_ && a.part == DatePart::kNone && !is_key(a.t, a.c) && !is_numeric(a.t, a.c) &&
                    !is_date(a.t, a.c) && a.c != name_column(a.t) && !q_.where.empty();
  }
  if (attribute_neg) {
    Query sub;
    sub.tables = {focus_};
    if (shape_.neg_table >= 0) sub.tables.push_back(shape_.neg_table);
    for (const auto& g : q_.where) {
      for (const auto& c : g) {
        if (c.lhs.t >= 0 && !contains_int(sub.tables, c.lhs.t)) sub.tables.push_back(c.lhs.t);
      }
    }
    for (const auto& c : neg_inner_) {
      sub.where.push_back({{c.lhs, c.op, c.rhs}});
      if (!contains_int(sub.tables, c.lhs.t)) sub.tables.push_back(c.lhs.t);
    }
    sub.where.insert(sub.where.end(), q_.where.begin(), q_.where.end());
    sub.select.push_back({0, shape_.plain[0].second});
    std::string sub_sql = render(sub);
    if (sub_sql.empty()) return false;
    q_.where.clear();
    q_.tables = {focus_};
    q_.where.push_back({{shape_.plain[0].second, "NOT IN", "(" + sub_sql + ")"}});
    shape_.neg_table = -1;
  } else if (shape_.neg_table >= 0 && shape_.neg_table != focus_) {
    auto path = joins_.shortest_path({focus_}, shape_.neg_table);
    if (!path || path->empty()) {
      reason_ = "cannot tell how '" + cat_.tables[focus_].name + "' relates to '" + cat_.tables[shape_.neg_table].name +
                "' for the negation";
      return false;
    }
    const JoinEdge& first = (*path)[0];
    Query sub;
    std::vector<int> sub_tables;
    for (const auto& e : *path) sub_tables.push_back(e.to_table);
    sub.tables = sub_tables;
    const TableInfo& t1 = cat_.tables[first.to_table];
    const ColumnInfo* inner_col = t1.find_column(first.to_columns[0]);
    const ColumnInfo* outer_col = cat_.tables[focus_].find_column(first.from_columns[0]);
    if (!inner_col || !outer_col) {
      reason_ = "cannot build the negation subquery";
      return false;
    }
    sub.select.push_back({0, Expr{.t = first.to_table, .c = static_cast<int>(inner_col - t1.columns.data())}});
    // Conditions on the related tables go inside the subquery, and so do
    // those on tables reached through them ("products never sold at the
    // Portland Mall store": the store is joined inside).
    std::vector<std::vector<Cond>> keep;
    int neg_dist = joins_.distance(focus_, shape_.neg_table);
    for (auto& g : q_.where) {
      int t = g.size() == 1 ? g[0].lhs.t : -1;
      bool beyond = t >= 0 && t != focus_ && !contains_int(sub_tables, t) && joins_.distance(shape_.neg_table, t) > 0 &&
                    joins_.distance(focus_, t) == neg_dist + joins_.distance(shape_.neg_table, t);
      if (beyond) {
        sub.tables.push_back(t);
        sub_tables.push_back(t);
      }
      if (g.size() == 1 && contains_int(sub_tables, t))
        sub.where.push_back(g);
      else
        keep.push_back(g);
    }
    for (const auto& c : neg_inner_) sub.where.push_back({c});
    q_.where = keep;
    // Tables named beyond the related one ("professionals who did not perform
    // any treatment on dogs") belong to the excluded rows, not to the answer.
    for (int t : std::vector<int>(q_.tables)) {
      if (t == focus_ || contains_int(sub_tables, t) || joins_.distance(shape_.neg_table, t) <= 0 ||
          joins_.distance(focus_, t) != neg_dist + joins_.distance(shape_.neg_table, t)) {
        continue;
      }
      bool shown = false;
      for (const auto& [p, e] : shape_.plain) shown = shown || e.t == t;
      for (const auto& [p, e] : shape_.aggs) shown = shown || e.t == t;
      if (shown) continue;
      sub.tables.push_back(t);
      sub_tables.push_back(t);
    }
    for (int t : sub_tables) q_.tables.erase(std::remove(q_.tables.begin(), q_.tables.end(), t), q_.tables.end());
    std::string sub_sql = render(sub);
    if (sub_sql.empty()) return false;
    q_.where.push_back({{Expr{.t = focus_, .c = static_cast<int>(outer_col - cat_.tables[focus_].columns.data())},
                         "NOT IN", "(" + sub_sql + ")"}});
  } else if (!neg_inner_.empty()) {
    for (const auto& c : neg_inner_) add_condition({{c.lhs, c.op == "=" ? "!=" : "NOT IN", c.rhs}});
  }
  return true;
}

}  // namespace t2sql::template_rules
