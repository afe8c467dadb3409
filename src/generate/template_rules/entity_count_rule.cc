// "How many products do we sell?", "how many brands do we carry?": the
// entities are counted, not the rows of a table the verb happens to name
// ("sell" ~ sales). A table linked only by the verb after "we"/"you"/"they",
// which no condition uses, is dropped from the count; when the rows counted
// repeat through a related table a condition uses, each is counted once.
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::rule_entity_count(std::string& nested_sql) {
  if (!nested_sql.empty() || q_.tables.size() < 2 || !q_.group_by.empty() || !q_.having.empty()) return false;
  if (q_.select.size() != 1 || q_.select[0].second.agg != Agg::kCount || !q_.select[0].second.star) return false;
  int counted = q_.tables[0];
  std::set<int> used;
  for (const auto& group : q_.where) {
    for (const auto& c : group) used.insert(c.lhs.t);
  }
  std::vector<int> dropped;
  for (const auto& it : items_) {
    if (it.t < 0 || it.t == counted || used.count(it.t) || it.kind == ItemKind::kValue) continue;
    bool after_pronoun = false;
    for (size_t k = it.begin >= 2 ? it.begin - 2 : 0; k < it.begin; ++k) {
      after_pronoun = after_pronoun || lexicon::kPronouns.count(lw(k)) > 0;
    }
    if (!after_pronoun) return false;  // another table named for a reason
    dropped.push_back(it.t);
  }
  if (dropped.empty()) {
    // "How many brands have products in the Toys category?": each brand once,
    // however many of its related rows match (COUNT(DISTINCT key)).
    int key = key_column(counted);
    auto steps = joins_.connect(q_.tables);
    if (key < 0 || used.count(counted) || !steps || !join_repeats_rows(*steps, counted)) return false;
    q_.select[0].second = Expr{.agg = Agg::kCount, .distinct = true, .t = counted, .c = key};
    return true;
  }
  std::erase_if(q_.tables, [&](int t) { return t != counted; });
  return true;
}

}  // namespace t2sql::template_rules
