// "the name of the stadium that has the maximum capacity", "the id and name
// of the aircraft that can cover the maximum distance": a MAX or MIN named
// after the rows asked for ("that", "with", "which" ...) picks the row, it is
// not a figure shown beside them: ORDER BY the column, LIMIT 1. (A MAX beside
// plain columns without GROUP BY is not valid SQL on most engines anyway.)
#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

#include <algorithm>
#include <string>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::pass_extreme_row() {
  if (!nested_sql_.empty() || !q_.group_by.empty() || !q_.having.empty() || q_.limit >= 0 || !q_.order_by.empty())
    return true;
  int agg = -1;
  size_t last_plain = 0;
  bool plain = false;
  for (size_t i = 0; i < q_.select.size(); ++i) {
    const Expr& e = q_.select[i].second;
    if (e.star) return true;
    if (e.agg == Agg::kNone) {
      plain = true;
      last_plain = std::max(last_plain, q_.select[i].first);
      continue;
    }
    if ((e.agg != Agg::kMax && e.agg != Agg::kMin) || e.distinct || e.t < 0 || agg >= 0) return true;
    agg = static_cast<int>(i);
  }
  if (agg < 0 || !plain) return true;
  size_t at = q_.select[agg].first;
  if (at <= last_plain || at >= toks_.size()) return true;
  // A clause between the rows named and the extreme: the extreme picks them.
  bool clause = false;
  for (size_t k = last_plain; k < at; ++k) {
    const std::string& w = lw(k);
    clause = clause || w == "that" || w == "with" || w == "which" || w == "who" || w == "whose" || w == "has" ||
             w == "have" || w == "had";
  }
  if (!clause) return true;
  Expr e = q_.select[agg].second;
  bool desc = e.agg == Agg::kMax;
  e.agg = Agg::kNone;
  q_.select.erase(q_.select.begin() + agg);
  q_.order_by.push_back({e, desc});
  q_.limit = 1;
  return true;
}

}  // namespace t2sql::template_rules
