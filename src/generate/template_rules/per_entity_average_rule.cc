// "Average revenue per store in each region", "the average number of sales
// per store": an average over per-entity totals (each store's revenue, then
// their average per region), not the average of single rows. Fires when the
// measured rows belong to the entity named after "per" through a foreign
// key and carry a date (transactions, not attributes of the entity: "average
// salary per department" stays a grouped average), or when another group
// follows ("in each region"), which leaves "per store" no other reading.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_per_entity_average(std::string& nested_sql) {
  if (!nested_sql.empty() || yoy_case_ || q_.limit > 0) return false;
  size_t avg = toks_.size(), per = toks_.size();
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (avg == toks_.size() && lexicon::kAverage.count(lw(i))) avg = i;
    if (avg < i && per == toks_.size() && lexicon::kPer.count(lw(i))) per = i;
  }
  if (per == toks_.size()) return false;
  Item* entity_item = next_item(per + 1, 1);
  if (!entity_item || entity_item->t < 0) return false;
  if (entity_item->kind != ItemKind::kTable &&
      !(entity_item->kind == ItemKind::kColumn && entity_item->c == name_column(entity_item->t)))
    return false;
  int entity = entity_item->t;
  int key = key_column(entity);
  if (key < 0) return false;
  bool counted = at(avg + 1, {"number", "of"}) || at(avg + 1, {"count", "of"});
  // "the average number of units per sale": per row of the measure's own
  // table, the average of the column ("number of units" read as its total).
  if (counted && q_.select.size() == 1 && q_.group_by.empty()) {
    Expr& e = q_.select[0].second;
    if (e.agg == Agg::kSum && e.raw.empty() && !e.star && e.t == entity && is_measure(e.t, e.c)) {
      e.agg = Agg::kAvg;
      consumed_[avg] = consumed_[per] = true;
      entity_item->used = true;
      return true;
    }
  }
  // The per-entity figure: the total of the averaged column, or the count.
  std::optional<Expr> figure;
  for (const auto& [p, e] : q_.select) {
    if (figure || e.star || !e.raw.empty() || e.t < 0) continue;
    if (e.agg == Agg::kAvg && is_measure(e.t, e.c)) figure = Expr{.agg = Agg::kSum, .t = e.t, .c = e.c};
  }
  if (!figure && counted) {
    Item* counted_item = next_item(avg + 3, 1);
    if (counted_item && counted_item->kind == ItemKind::kTable && counted_item->t != entity)
      figure = Expr{.agg = Agg::kCount, .star = true, .t = counted_item->t};
  }
  if (!figure || figure->t == entity) return false;  // "average quantity per sale": rows of the table itself
  // The rows measured reach the entity through a foreign key.
  bool references = false;
  for (const auto& fk : cat_.tables[figure->t].foreign_keys) {
    references = references || cat_.find_table(fk.ref_table) == &cat_.tables[entity];
  }
  if (!references) return false;
  // Other groups ("in each region", "by year") stay groups of the outer average.
  std::vector<Expr> groups;
  for (const auto& g : q_.group_by) {
    if (g.t == entity && g.part == DatePart::kNone && (g.c == key || g.c == name_column(entity))) continue;
    groups.push_back(g);
  }
  bool dated = date_column_for(figure->t) / 1000 == figure->t && date_column_for(figure->t) >= 0;
  // A count per entity ("the average number of products per brand") has no
  // other reading; an average of a measure of undated rows may be a plain
  // grouped average ("average salary per department").
  if (groups.empty() && !dated && figure->agg != Agg::kCount) return false;
  Query inner = q_;
  inner.select.clear();
  for (const auto& g : groups) inner.select.push_back({0, g});
  Expr entity_key{.t = entity, .c = key};
  inner.select.push_back({1, entity_key});
  Expr total = *figure;
  total.alias = "total";
  inner.select.push_back({2, total});
  inner.group_by = groups;
  inner.group_by.push_back(entity_key);
  inner.order_by.clear();
  inner.having.clear();
  inner.distinct = false;
  add_table(entity);
  inner.tables = q_.tables;
  std::vector<std::string> names = name_columns(inner);
  std::string inner_sql = render(inner);
  if (inner_sql.empty()) return false;
  std::string keys;
  for (size_t i = 0; i < groups.size(); ++i) keys += (i ? ", " : "") + d_.quote_identifier(names[i]);
  std::string alias = figure->agg == Agg::kCount ? "average_count" : "average_total";
  nested_sql = "SELECT " + keys + (keys.empty() ? "" : ", ") + "AVG(" + d_.quote_identifier("total") + ") AS " +
               d_.quote_identifier(alias) + " FROM (" + inner_sql + ") AS " + d_.quote_identifier("per_entity");
  if (!keys.empty()) nested_sql += " GROUP BY " + keys + " ORDER BY " + keys;
  if (avg < toks_.size()) consumed_[avg] = true;
  consumed_[per] = true;
  entity_item->used = true;
  if (counted) consumed_[avg + 1] = true;
  return true;
}

}  // namespace t2sql::template_rules
