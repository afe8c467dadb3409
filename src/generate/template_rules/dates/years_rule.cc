// Remaining years: a filter ("in 2023"), a range ("from 2021 to 2023"),
// or the groups of a year-over-year comparison.
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

bool TemplateQueryBuilder::pass_years() {
  // Remaining years: a filter, or the groups of a comparison.
  std::vector<Item*> open;
  for (auto* y : date_.years) {
    if (!y->used) open.push_back(y);
  }
  if (open.empty()) return true;
  if (!date_.have_year) {
    penalize(0.6, "no date or year column for " + open[0]->text);
    return true;
  }
  if (open.size() == 2) {
    // "grew from 2023 to 2024", "less in 2024 than in 2023", "revenue by
    // region, 2023 vs 2024": one total per year side by side (CASE), built
    // once the rest of the query is known (year_over_year).
    int dir = 0;
    bool change = false;
    for (size_t i = 0; i < toks_.size(); ++i) {
      if (lexicon::kGrowUp.count(lw(i))) dir = 1, change = true, consumed_[i] = true;
      if (lexicon::kGrowDown.count(lw(i))) dir = -1, change = true, consumed_[i] = true;
      if (lexicon::kChangeVerbs.count(lw(i))) change = true, consumed_[i] = true;
      if (at(i, {"how", "much"}) && (lw(i - 1) == "by")) change = true;
    }
    // "sold less in 2024 than in 2023": the first year against the second.
    std::string cmp_op;
    for (size_t i = 0; i + 2 < toks_.size() && cmp_op.empty(); ++i) {
      if (!lexicon::kLessWords.count(lw(i)) && !lexicon::kMoreWords.count(lw(i))) continue;
      size_t than = i + 1;
      while (than < toks_.size() && than < i + 5 && lw(than) != "than") ++than;
      if (lw(than) != "than") continue;
      bool a_between = false, b_after = false;
      for (size_t k = i + 1; k < than; ++k) a_between |= item_at(k) == open[0] || item_at(k) == open[1];
      for (size_t k = than + 1; k < std::min(toks_.size(), than + 3); ++k)
        b_after |= item_at(k) == open[0] || item_at(k) == open[1];
      if (!a_between || !b_after) continue;
      cmp_op = lexicon::kLessWords.count(lw(i)) ? "<" : ">";
      consumed_[i] = consumed_[than] = true;
      if (open[0]->begin > than) std::swap(open[0], open[1]);  // open[0]: the year before "than"
    }
    bool percent = any_word({"percentage", "percent", "pct", "%"});
    if (change || !cmp_op.empty() || (yoy_ && (!shape_.groups.empty() || shape_.entity_group))) {
      yoy_case_.emplace();
      yoy_case_->year = date_.year_expr;
      yoy_case_->first = static_cast<int>(open[0]->number);
      yoy_case_->second = static_cast<int>(open[1]->number);
      if (cmp_op.empty() && yoy_case_->first > yoy_case_->second) std::swap(yoy_case_->first, yoy_case_->second);
      yoy_case_->dir = dir;
      yoy_case_->change = change;
      yoy_case_->percent = percent;
      yoy_case_->op = cmp_op;
      for (auto* y : open) y->used = true;
      if (percent) {
        for (size_t i = 0; i < toks_.size(); ++i) {
          if (lw(i) == "percentage" || lw(i) == "percent" || lw(i) == "pct") consumed_[i] = true;
        }
      }
      time_filtered_ = true;
      yoy_ = false;
      return true;
    }
  }
  if (open.size() == 2 && !yoy_ && open[1]->begin == open[0]->end + 1) {
    // "opened between 2000 and 2005", "from 2019 to 2022": every year of the range.
    const std::string& before = lw(open[0]->begin - 1);
    const std::string& joint = lw(open[0]->end);
    if ((before == "between" && joint == "and") ||
        (before == "from" && (joint == "to" || joint == "through" || joint == "until"))) {
      int lo = static_cast<int>(std::min(open[0]->number, open[1]->number));
      int hi = static_cast<int>(std::max(open[0]->number, open[1]->number));
      open[0]->used = open[1]->used = true;
      consumed_[open[0]->begin - 1] = consumed_[open[0]->end] = true;
      add_condition({{date_.year_expr, "BETWEEN", year_lit(lo) + " AND " + year_lit(hi)}});
      time_filtered_ = true;
      return true;
    }
  }
  std::vector<Cond> group;
  std::string list;
  for (auto* y : open) {
    y->used = true;
    group.push_back({date_.year_expr, "=", year_lit(static_cast<int>(y->number))});
    list += (list.empty() ? "" : ", ") + year_lit(static_cast<int>(y->number));
  }
  if (group.size() == 1) {
    add_condition(group);
  } else {
    add_condition({{date_.year_expr, "IN", "(" + list + ")"}});
  }
  time_filtered_ = true;
  if (yoy_) {
    q_.group_by.insert(q_.group_by.begin(), date_.year_expr);
    q_.select.insert(q_.select.begin(), {0, date_.year_expr});
    q_.order_by.push_back({date_.year_expr, false});
  }
  return true;
}

}  // namespace t2sql::template_rules
