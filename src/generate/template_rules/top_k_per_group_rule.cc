// "Top 3 products in each category by revenue", "the most expensive product
// in every category": a ranking repeated within each group, with a window
// function (ROW_NUMBER() OVER (PARTITION BY group ORDER BY ...)) in an inner
// query and the first k of each group kept outside it.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_top_k_per_group(std::string& nested_sql) {
  if (q_.limit <= 0 || q_.order_by.empty() || !nested_sql.empty()) return false;
  // "in each X", "for every X", "within each X", "per X" after the ranking.
  Item* group = nullptr;
  size_t cue = 0;
  for (size_t i = 1; i < toks_.size() && !group; ++i) {
    bool each = lexicon::kEach.count(lw(i)) && (lw(i - 1) == "in" || lw(i - 1) == "for" || lw(i - 1) == "within");
    bool per = lexicon::kPer.count(lw(i)) > 0;
    if (!each && !per) continue;
    Item* it = next_item(i + 1, 1);
    if (it && (it->kind == ItemKind::kColumn || it->kind == ItemKind::kTable) && it->t >= 0) group = it, cue = i;
  }
  if (!group) return false;
  // The entity ranked: the first table (or its name) named before the cue.
  // "top 2 stores in each region" ranks stores within a column of their own
  // table; "for each industry, ... the highest" has no entity: no rule here.
  int entity = -1;
  for (const auto& it : items_) {
    if (entity >= 0 || it.begin >= cue || it.t < 0) continue;
    if (it.kind == ItemKind::kTable || (it.kind == ItemKind::kColumn && it.c == name_column(it.t))) entity = it.t;
  }
  if (entity < 0 || (group->kind == ItemKind::kTable && group->t == entity)) return false;
  std::vector<Expr> partition;
  if (group->kind == ItemKind::kColumn && group->c >= 0) {
    partition.push_back(Expr{.t = group->t, .c = group->c});
  } else {
    int k = key_column(group->t), n = name_column(group->t);
    if (k < 0 && n < 0) return false;
    if (n >= 0) partition.push_back(Expr{.t = group->t, .c = n});
    if (k >= 0) partition.push_back(Expr{.t = group->t, .c = k});
  }
  Query inner = q_;
  inner.limit = -1;
  inner.order_by.clear();
  inner.distinct = false;
  // Ranked by a plain column ("the most expensive product"): single rows,
  // whatever grouping the ranking word suggested.
  bool by_column = true;
  for (const auto& [e, desc] : q_.order_by) by_column = by_column && e.agg == Agg::kNone && e.raw.empty();
  if (by_column) {
    inner.group_by.clear();
    inner.having.clear();
    std::erase_if(inner.select, [](const auto& s) { return s.second.agg != Agg::kNone || s.second.star; });
    for (const auto& [e, desc] : q_.order_by) {
      bool shown = false;
      for (const auto& [p, s] : inner.select) shown = shown || s == e;
      if (!shown) inner.select.push_back({1000, e});
    }
  }
  bool grouped = !inner.group_by.empty();
  for (auto& [p, e] : inner.select) grouped = grouped || e.agg != Agg::kNone;
  auto add_key = [&](const Expr& e, bool show) {
    if (grouped && std::find(inner.group_by.begin(), inner.group_by.end(), e) == inner.group_by.end())
      inner.group_by.push_back(e);
    bool shown = false;
    for (const auto& [p, s] : inner.select) shown = shown || s == e;
    if (show && !shown) inner.select.insert(inner.select.begin(), {0, e});
  };
  // The entity's rows are ranked one by one (its key keeps namesakes apart).
  if (grouped) {
    if (int k = key_column(entity); k >= 0) add_key(Expr{.t = entity, .c = k}, false);
  }
  if (int n = name_column(entity); n >= 0) add_key(Expr{.t = entity, .c = n}, true);
  for (size_t i = partition.size(); i-- > 0;) add_key(partition[i], i == 0);
  // The group shown first, then the ranked rows, then the figures.
  std::stable_partition(inner.select.begin(), inner.select.end(),
                        [&](const auto& s) { return s.second == partition[0]; });
  std::vector<std::string> names = name_columns(inner);
  auto window = [&](bool qualify) {
    std::string sql = "ROW_NUMBER() OVER (PARTITION BY ";
    for (size_t i = 0; i < partition.size(); ++i) sql += (i ? ", " : "") + expr_sql(partition[i], qualify);
    sql += " ORDER BY ";
    for (size_t i = 0; i < q_.order_by.size(); ++i) {
      sql += (i ? ", " : "") + expr_sql(q_.order_by[i].first, qualify) + (q_.order_by[i].second ? " DESC" : "");
    }
    return sql + ")";
  };
  Expr rank{.raw = window(false), .raw_qualified = window(true), .alias = "rank_in_group"};
  inner.select.push_back({100000, rank});
  std::string inner_sql = render(inner);
  if (inner_sql.empty()) return false;
  std::string cols;
  for (size_t i = 0; i < names.size(); ++i) cols += (i ? ", " : "") + d_.quote_identifier(names[i]);
  nested_sql = "SELECT " + cols + " FROM (" + inner_sql + ") AS " + d_.quote_identifier("ranked") + " WHERE " +
               d_.quote_identifier("rank_in_group") + " <= " + std::to_string(q_.limit) + " ORDER BY " +
               d_.quote_identifier(names[0]) + ", " + d_.quote_identifier("rank_in_group");
  consumed_[cue] = true;
  if (cue > 0 && (lw(cue - 1) == "in" || lw(cue - 1) == "for" || lw(cue - 1) == "within")) consumed_[cue - 1] = true;
  group->used = true;
  for (size_t i = group->begin; i < group->end; ++i) consumed_[i] = true;
  return true;
}

}  // namespace t2sql::template_rules
