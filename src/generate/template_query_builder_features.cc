#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "generate/template_query_builder.h"

namespace t2sql::template_rules {

// The reading described for the calibration: how much of the question was
// placed, how strongly each name and value was linked and whether another
// link was as likely, and the shape of the query built. Every feature is a
// general property of the reading; none names a table, column or question.
void TemplateQueryBuilder::collect_features(bool nested, size_t unexplained) {
  ReadingFeatures& f = features_;
  f["rule_score"] = std::clamp(confidence_, 0.0, 1.0);
  f["unexplained_words"] = static_cast<double>(unexplained);

  double content = 0, covered = 0, capitalized_unlinked = 0;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (toks_[i].kind != QuestionTokenKind::kWord) continue;
    bool in_item = item_covering(i) != nullptr;
    if (toks_[i].capitalized && !in_item) ++capitalized_unlinked;
    if (is_stop_word(toks_[i].norm)) continue;
    ++content;
    covered += in_item;
  }
  f["coverage"] = content > 0 ? covered / content : 1;
  f["capitalized_unlinked"] = capitalized_unlinked;

  double link_min = 1, link_sum = 0, links = 0, weak = 0, ambiguous = 0;
  double value_min = 1, values = 0, prefixes = 0, value_alts = 0;
  for (const auto& it : items_) {
    switch (it.kind) {
      case ItemKind::kTable: f["items_table"] += 1; break;
      case ItemKind::kColumn: f["items_column"] += 1; break;
      case ItemKind::kValue: f["items_value"] += 1; break;
      case ItemKind::kNumber:
        f["items_number"] += 1;
        f["numbers_unused"] += !it.used;
        break;
      case ItemKind::kQuoted:
        f["items_quoted"] += 1;
        f["quoted_unused"] += !it.used;
        break;
    }
    if (it.end <= it.begin) continue;  // implied, not linked from words
    if (it.kind == ItemKind::kValue) {
      ++values;
      value_min = std::min(value_min, it.value.score);
      prefixes += it.prefix;
      value_alts += !it.alts.empty();
      continue;
    }
    if ((it.kind != ItemKind::kTable && it.kind != ItemKind::kColumn) || it.cands.empty()) continue;
    int want_c = it.kind == ItemKind::kTable ? -1 : it.c;
    double chosen = -1;
    for (const auto& c : it.cands) {
      if (c.table == it.t && c.column == want_c) chosen = std::max(chosen, c.score);
    }
    if (chosen < 0) chosen = it.cands[0].score;
    bool rival = false;
    for (const auto& c : it.cands) {
      if (!(c.table == it.t && c.column == want_c) && c.score >= chosen - 0.02) rival = true;
    }
    link_min = std::min(link_min, chosen);
    link_sum += chosen;
    ++links;
    weak += chosen < 0.95;
    ambiguous += rival;
  }
  f["links"] = links;
  f["link_min"] = links > 0 ? link_min : 1;
  f["link_mean"] = links > 0 ? link_sum / links : 1;
  f["links_weak"] = weak;
  f["links_ambiguous"] = ambiguous;
  f["values"] = values;
  f["value_min"] = values > 0 ? value_min : 1;
  f["value_prefixes"] = prefixes;
  f["values_ambiguous"] = value_alts;
  f["tables_named"] = static_cast<double>(mentioned_tables_.size());

  // The query's shape.
  f["q_tables"] = static_cast<double>(q_.tables.size());
  f["q_select"] = static_cast<double>(q_.select.size());
  double conds = 0;
  for (const auto& g : q_.where) conds += static_cast<double>(g.size());
  f["q_conditions"] = conds;
  f["q_group"] = static_cast<double>(q_.group_by.size());
  f["q_having"] = static_cast<double>(q_.having.size());
  f["q_order"] = static_cast<double>(q_.order_by.size());
  f["q_limit"] = q_.limit >= 0;
  f["q_limit_one"] = q_.limit == 1;
  f["q_distinct"] = q_.distinct;
  double aggs = 0, off_focus = 0;
  for (const auto& [pos, e] : q_.select) {
    aggs += e.agg != Agg::kNone;
    off_focus += !e.star && e.t >= 0 && !q_.tables.empty() && e.t != q_.tables[0];
  }
  f["q_aggregates"] = aggs;
  f["q_columns_off_main"] = off_focus;
  f["q_nested"] = nested;
  f["q_negation"] = !neg_inner_.empty();
  f["q_count"] = count_;
  f["q_time_group"] = group_part_ != DatePart::kNone;
  f["q_year_over_year"] = yoy_;
  size_t selects = 0;
  for (size_t p = sql_.find("SELECT"); p != std::string::npos; p = sql_.find("SELECT", p + 1)) ++selects;
  f["q_subqueries"] = selects > 0 ? static_cast<double>(selects - 1) : 0;

  // Cue words of shapes that one SELECT may not cover (alternatives,
  // intersections, exclusions, comparisons). The size of the schema and of
  // the question are left out on purpose: they describe the suite more than
  // the reading, and a calibration fitted on Spider's small schemas would
  // then distrust every reading of a wider warehouse.
  f["cue_or"] = any_word({"or", "either"});
  f["cue_and_both"] = any_word({"both"}) || any_word({"also"});
  f["cue_negation"] = any_word({"not", "no", "never", "without", "except", "excluding"});
  f["cue_than"] = any_word({"than"});
  f["cue_each"] = any_word({"each", "every", "per"});
  f["cue_superlative"] = any_word({"most", "least", "highest", "lowest", "largest", "smallest", "oldest", "youngest",
                                   "maximum", "minimum", "best", "worst", "fewest"});
  f["cue_average"] = any_word({"average", "mean", "avg"});
}

}  // namespace t2sql::template_rules
