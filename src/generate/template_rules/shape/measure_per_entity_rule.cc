// A measure aggregated over the rows of another table, with nothing to
// group by: per entity ("which store had the highest sales", "top 5 brands
// by revenue"), by the named columns, or by the main entity.
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

bool TemplateQueryBuilder::pass_measure_per_entity() {
  // A measure aggregated over the rows of another table, with nothing to
  // group by: per entity ("which store had the highest sales", "top 5
  // brands by revenue"), by the named columns, or by the main entity.
  bool measure_elsewhere = false;
  int subject = shape_.plain.empty() ? focus_ : shape_.plain[0].second.t;
  for (const auto& a : shape_.aggs) measure_elsewhere = measure_elsewhere || (a.second.t >= 0 && a.second.t != subject);
  for (auto& o : shape_.orders) {
    if (!o.first.star && o.first.t >= 0 && o.first.t != subject && is_measure(o.first.t, o.first.c) &&
        o.first.agg != Agg::kNone) {
      measure_elsewhere = true;
    }
  }
  if (measure_elsewhere && shape_.groups.empty() && !shape_.entity_group && !yoy_ && group_part_ == DatePart::kNone &&
      (shape_.ranking || !shape_.orders.empty() || !shape_.plain.empty())) {
    bool plain_is_entity_name =
        shape_.plain.size() == 1 && shape_.plain[0].second.c == name_column(shape_.plain[0].second.t);
    if (!shape_.plain.empty() && !plain_is_entity_name) {
      for (const auto& p : shape_.plain) shape_.groups.push_back(p.second);
    } else {
      shape_.entity_group = true;
      shape_.group_entity = shape_.plain.empty() ? focus_ : shape_.plain[0].second.t;
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
