// "How many stores made at least one sale in December 2024?", "how many
// customers have more than 2 orders": a count of the rows that pass a
// condition on their related rows is one number, the count of the groups
// that pass the HAVING, not one count per group.
#include "generate/template_query_builder.h"

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_count_of_groups() {
  if (!nested_sql_.empty() || !count_is_question_ || q_.having.empty() || q_.group_by.empty() || q_.limit >= 0 ||
      grouping_words())
    return true;
  for (const auto& [p, e] : q_.select) {
    if (e.agg != Agg::kCount || e.distinct || !e.raw.empty()) return true;  // other figures or columns: groups asked
  }
  Query inner = q_;
  inner.select.clear();
  for (size_t i = 0; i < q_.group_by.size(); ++i) inner.select.push_back({i, q_.group_by[i]});
  inner.order_by.clear();
  inner.distinct = false;
  std::string inner_sql = render(inner);
  if (inner_sql.empty()) return true;
  nested_sql_ = "SELECT COUNT(*) AS " + d_.quote_identifier("count") + " FROM (" + inner_sql + ") AS " +
                d_.quote_identifier("groups");
  return true;
}

}  // namespace t2sql::template_rules
