// Cues the walk left open: "alphabetical order" with no column, a
// superlative with nothing after it, a grouping word with nothing to group
// by, a negated verb whose date names the related rows.
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

bool TemplateQueryBuilder::pass_leftover_cues() {
  if (shape_.alpha_order && shape_.orders.empty()) {
    // "in (reverse) alphabetical order": by the first text column shown.
    for (const auto& p : shape_.plain) {
      if (!is_numeric(p.second.t, p.second.c)) {
        shape_.orders.push_back({p.second, shape_.order_desc});
        break;
      }
    }
    shape_.pending_order = false;
  }
  if (shape_.pending_super && shape_.pending_super->count_words && !shape_.aggs.empty() && has_measure_ &&
      !shape_.super_count) {
    // "the 10 best-selling products by units sold": ranked by that measure,
    // shown beside the names when the ranking says how many, or when one row
    // of each group is listed by the measure named after "by" ("the
    // best-selling product in each category by units sold": the figure tells
    // the groups' rows apart; the one top row overall is answered by its name).
    shape_.orders.push_back({shape_.aggs.back().second, shape_.pending_super->desc});
    size_t at = shape_.aggs.back().first;
    bool per_group_by = at > 0 && lw(at - 1) == "by" && each_group_cue();
    if (!shape_.ranking && !per_group_by) shape_.aggs.pop_back();
    if (shape_.limit < 0) shape_.limit = 1;
    shape_.pending_super.reset();
  }
  if (shape_.pending_super && shape_.idle_measure && shape_.pending_super->count_words) {
    // "which brand sold the most": the measure named before the superlative.
    shape_.orders.push_back({*shape_.idle_measure, shape_.pending_super->desc});
    if (shape_.limit < 0) shape_.limit = 1;
    shape_.pending_super.reset();
  }
  if (shape_.pending_super) {
    // "the stadium with the highest ..." with nothing after: ambiguous.
    if (shape_.super_count || !shape_.pending_super->count_words)
      penalize(0.5, "a superlative with nothing to rank by");
    else {
      shape_.super_count = true;
      shape_.super_desc = shape_.pending_super->desc;
    }
  }
  if (!shape_.pending_aggs.empty() && shape_.skipped_condition_column) {
    // "how many faculty in total in the year of 2002": the total's column is
    // not the year, and no other column was named for it.
    penalize(0.5, "an aggregate with no column to apply to");
    shape_.pending_aggs.clear();
  }
  if (shape_.pending_group && group_part_ == DatePart::kNone) penalize(0.3, "a grouping word with nothing to group by");
  // "employees never paid in December 2024": the negated verb names a date
  // of related rows; those rows are the ones that must not exist.
  if (shape_.pending_neg && shape_.neg_table < 0 && named_date_ && named_date_->t != focus_ && shape_.plain.empty()) {
    shape_.neg_table = named_date_->t;
  }
  neg_date_table_ = shape_.neg_table >= 0 ? shape_.neg_table : neg_value_table_;
  return true;
}

}  // namespace t2sql::template_rules
