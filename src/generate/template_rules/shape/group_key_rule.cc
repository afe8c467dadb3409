// The grouping key: an entity by its key (shown by its name), a period of
// the date column ("by quarter": under its year).
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

bool TemplateQueryBuilder::pass_group_key() {
  // The grouping key.
  shape_.group_exprs = shape_.groups;
  shape_.aggregate_order = false;
  for (const auto& o : shape_.orders) shape_.aggregate_order = shape_.aggregate_order || o.first.agg != Agg::kNone;
  bool measure_named = false;  // "payment amount by department": a measure of related rows, totalled
  for (const auto& p : shape_.plain) {
    measure_named = measure_named || (p.second.t != shape_.group_entity && is_measure(p.second.t, p.second.c));
  }
  if (shape_.entity_group && shape_.group_entity == focus_ && shape_.aggs.empty() && !count_ && !shape_.super_count &&
      q_.having.empty() && !has_measure_ && !shape_.aggregate_order && !measure_named) {
    shape_.entity_group = false;  // "the name of each singer": a list, not groups
  }
  if (shape_.entity_group && !shape_.aggs.empty() && !count_ && !shape_.super_count && q_.having.empty() &&
      shape_.groups.empty()) {
    bool own = true;
    for (const auto& a : shape_.aggs) own = own && a.second.t == shape_.group_entity;
    if (own && shape_.group_entity == focus_ && shape_.plain.empty())
      shape_.entity_group = false;  // "average quantity per sale"
  }
  if (shape_.entity_group && shape_.group_entity == focus_ && !count_ && !shape_.super_count && q_.having.empty()) {
    // "average units per sale in each region", "the category with the
    // largest average quantity per sale": an average per row of the
    // averaged table, grouped by the other group only.
    std::vector<Expr> figures;
    for (const auto& a : shape_.aggs) figures.push_back(a.second);
    for (const auto& o : shape_.orders) {
      if (o.first.agg != Agg::kNone) figures.push_back(o.first);
    }
    bool own_average = !figures.empty();
    for (const auto& f : figures) own_average = own_average && f.t == focus_ && f.agg == Agg::kAvg;
    bool other_group = !shape_.groups.empty();
    for (const auto& p : shape_.plain) other_group = other_group || (p.second.t >= 0 && p.second.t != focus_);
    if (own_average && other_group) {
      shape_.entity_group = false;
      // "Which category has ...": the column asked for is the group.
      if (shape_.groups.empty()) {
        for (const auto& p : shape_.plain) {
          if (p.second.t >= 0 && p.second.t != focus_) shape_.group_exprs.push_back(p.second);
        }
      }
    }
  }
  if (shape_.entity_group) {
    int k = key_column(shape_.group_entity);
    int n = name_column(shape_.group_entity);
    // The entity is shown by its name, grouped by its key (names repeat).
    bool shown = false;
    for (const auto& [p, e] : shape_.plain) shown = shown || e.t == shape_.group_entity;
    if (!shown && n >= 0)
      shape_.plain.insert(shape_.plain.begin(), {shape_.entity_pos, Expr{.t = shape_.group_entity, .c = n}});
    if (k >= 0)
      shape_.group_exprs.push_back(Expr{.t = shape_.group_entity, .c = k});
    else if (n >= 0)
      shape_.group_exprs.push_back(Expr{.t = shape_.group_entity, .c = n});
  }
  if (group_part_ != DatePart::kNone && !yoy_) {
    int dc = date_column_for(has_measure_ ? measure_.t : focus_);
    if (dc < 0) {
      penalize(0.6, "no date column to group by");
    } else {
      Expr g = period_expr(dc / 1000, dc % 1000, group_part_);
      shape_.group_exprs.insert(shape_.group_exprs.begin(), g);
      q_.select.insert(q_.select.begin(), {0, g});
      if (shape_.orders.empty() && !shape_.ranking && !shape_.super_count) q_.order_by.push_back({g, false});
      // Quarters and halves repeat every year: grouped under their year
      // unless the question keeps to one year.
      bool one_year = false;
      for (const auto& group : q_.where) {
        for (const auto& c : group) one_year = one_year || (c.lhs.part == DatePart::kYear && c.op == "=");
      }
      if ((group_part_ == DatePart::kQuarter || group_part_ == DatePart::kHalf) && !one_year) {
        Expr y{.t = g.t, .c = g.c, .part = DatePart::kYear};
        shape_.group_exprs.insert(shape_.group_exprs.begin(), y);
        q_.select.insert(q_.select.begin(), {0, y});
        if (shape_.orders.empty() && !shape_.ranking && !shape_.super_count)
          q_.order_by.insert(q_.order_by.begin(), {y, false});
      }
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
