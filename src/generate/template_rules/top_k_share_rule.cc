// "Percentage of revenue from the top 10 products", "what share of units
// sold comes from the top 3 brands?": the ranking's first k entities (or
// groups), their figure added up, over the figure of all rows (the same
// filters). The figure is the one ranked by, else the one measure named.
#include <algorithm>

#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_top_k_share(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit <= 0 || !q_.having.empty() || q_.order_by.size() > 1) return false;
  std::vector<size_t> cues;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (consumed_[i] && toks_[i].text != "%") continue;
    if (item_covering(i) || lw(i + 1) != "of") continue;
    if (lexicon::kShare.count(lw(i)) || toks_[i].text == "%") cues.push_back(i);
  }
  if (cues.empty()) return false;
  // The figure shared: the total or count ranked by, else the one measure
  // shown (a measure column named alone is its total).
  std::optional<Expr> figure;
  if (!q_.order_by.empty()) {
    const Expr& o = q_.order_by[0].first;
    if (o.raw.empty() && (o.agg == Agg::kSum || o.agg == Agg::kCount)) figure = o;
  } else {
    for (const auto& [p, e] : q_.select) {
      if (e.star || !e.raw.empty() || e.t < 0 || e.c < 0 || e.part != DatePart::kNone || !is_measure(e.t, e.c))
        continue;
      if (e.agg != Agg::kNone && e.agg != Agg::kSum) continue;
      if (figure) return false;  // two measures: which one is shared?
      figure = Expr{.agg = Agg::kSum, .t = e.t, .c = e.c};
    }
  }
  if (!figure) return false;
  // The groups ranked: the query's own, else the entity named after the
  // ranking ("the top 10 products"), by its key.
  std::vector<Expr> groups = q_.group_by;
  size_t entity_pos = toks_.size();
  if (groups.empty()) {
    for (const auto& it : items_) {
      if (it.kind != ItemKind::kTable || it.t < 0 || it.t == figure->t || it.begin < cues[0] || it.begin >= entity_pos)
        continue;
      if (int k = key_column(it.t); k >= 0) groups = {Expr{.t = it.t, .c = k}}, entity_pos = it.begin;
    }
  }
  if (groups.empty()) return false;
  Query top = q_;
  Expr total = *figure;
  total.alias = "total";
  top.select = {{0, total}};
  top.group_by = groups;
  top.order_by = {{*figure, q_.order_by.empty() ? true : q_.order_by[0].second}};
  top.distinct = false;
  top.name_aggregates = false;
  Query all = q_;
  all.select = {{0, *figure}};
  all.group_by.clear();
  all.order_by.clear();
  all.limit = -1;
  all.distinct = false;
  all.name_aggregates = false;
  std::string top_sql = render(top), all_sql = render(all);
  if (top_sql.empty() || all_sql.empty()) return false;
  std::string t = d_.quote_identifier("total");
  nested_sql = "SELECT SUM(" + t + ") * 100.0 / (" + all_sql + ") AS " + d_.quote_identifier("share_pct") + " FROM (" +
               top_sql + ") AS " + d_.quote_identifier("top_groups");
  for (size_t i : cues) consumed_[i] = true;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lexicon::kShareVerbs.count(lw(i)) && !item_covering(i)) consumed_[i] = true;
  }
  // New to the calibration (fitted before the rule existed): held below certainty.
  penalize(0.15, "a share of the top k: a shape the calibration was not fitted on");
  // The ranking's measure was found here: the earlier doubt about it is withdrawn.
  const std::string kNoMeasure = "a ranking with nothing to rank by";
  if (auto n = std::find(notes_.begin(), notes_.end(), kNoMeasure); n != notes_.end()) {
    notes_.erase(n);
    confidence_ += 0.4;
    features_["penalty_total"] -= 0.4;
    features_["penalties"] -= 1;
  }
  return true;
}

}  // namespace t2sql::template_rules
