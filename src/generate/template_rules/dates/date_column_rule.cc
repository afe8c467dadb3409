// The date column the question's dates apply to (of the measured table, a
// named date column first) and the year column or date part years compare with.
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

bool TemplateQueryBuilder::pass_date_column() {
  for (auto& it : items_) {
    if (it.kind == ItemKind::kNumber && !it.used && is_year(it.number) && it.text.size() == 4)
      date_.years.push_back(&it);
  }
  yoy_ = yoy_ && date_.years.size() >= 2;
  date_.measure_table = has_measure_ ? measure_.t : idle_measure_ ? idle_measure_->t : focus_;
  // "stores with an average sale amount above 310 in 2023": the year is that
  // of the rows totalled in the HAVING.
  for (const auto& h : q_.having) {
    if (!has_measure_ && !h.lhs.star && h.lhs.t >= 0 && h.lhs.agg != Agg::kNone) date_.measure_table = h.lhs.t;
  }
  date_.dc = date_column_for(date_.measure_table);
  for (const auto& it : items_) {
    // "payment amount by department": the named column's table has the date.
    if (date_.dc < 0 && it.kind == ItemKind::kColumn && it.t >= 0) {
      if (int c = date_column_for(it.t); c >= 0 && c / 1000 == it.t) date_.dc = c;
    }
  }
  if (neg_date_table_ >= 0 && neg_date_table_ != focus_ && !has_measure_) {
    if (int nd = date_column_for(neg_date_table_); nd >= 0 && nd / 1000 == neg_date_table_) date_.dc = nd;
  }
  // A date column the question names ("stores opened in 2023") comes first.
  if (named_date_) date_.dc = named_date_->t * 1000 + named_date_->c;
  date_.yc = -1;
  // A year column named in the question ("release year 2014") comes first,
  // then one of the measured or main table, then of any table in the query.
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kColumn && it.t >= 0 && date_.yc < 0 && year_col(it.t, it.c))
      date_.yc = it.t * 1000 + it.c;
  }
  std::vector<int> order{date_.measure_table, focus_};
  for (int t : q_.tables) order.push_back(t);
  for (int t : mentioned_tables_) order.push_back(t);
  for (int t : order) {
    if (t < 0 || date_.yc >= 0) continue;
    for (size_t c = 0; c < cat_.tables[t].columns.size(); ++c) {
      if (year_col(t, c)) {
        date_.yc = t * 1000 + c;
        break;
      }
    }
  }
  date_.have_year = false;
  if (date_.yc >= 0 && (date_.dc < 0 || (date_.yc / 1000 == focus_ && date_.dc / 1000 != date_.measure_table))) {
    date_.year_expr = Expr{.t = date_.yc / 1000, .c = date_.yc % 1000};
    date_.have_year = true;
  } else if (date_.dc >= 0) {
    date_.year_expr = Expr{.t = date_.dc / 1000, .c = date_.dc % 1000, .part = DatePart::kYear};
    date_.have_year = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
