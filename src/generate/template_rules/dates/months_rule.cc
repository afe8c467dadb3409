// Months: "in March 2024", "in March", "between March and May",
// "March 3": a month (of a year), a day, or a range of months.
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

bool TemplateQueryBuilder::pass_months() {
  std::vector<std::pair<size_t, int>> months;
  for (size_t i = 0; i < toks_.size(); ++i) {
    const QuestionSpan* month = reading_month(i);  // "may" only where it reads as the month
    if (!month || date_.day_ranges.count(i)) continue;
    months.push_back({i, static_cast<int>(month->value)});
  }
  if (!months.empty() && date_.dc >= 0) {
    Expr mexpr{.t = date_.dc / 1000, .c = date_.dc % 1000, .part = DatePart::kMonth};
    Expr ymexpr{.t = date_.dc / 1000, .c = date_.dc % 1000, .part = DatePart::kYearMonth};
    auto year_after = [&](size_t i) -> int {
      for (auto* y : date_.years) {
        if (y->begin == i + 1 || (y->begin == i + 2 && toks_[i + 1].kind == QuestionTokenKind::kPunct))
          return static_cast<int>(y->number);
      }
      return 0;
    };
    auto mm = [](int m) {
      char b[8];
      std::snprintf(b, sizeof b, "%02d", m);
      return std::string(b);
    };
    size_t used = 0;
    Expr dexpr{.t = date_.dc / 1000, .c = date_.dc % 1000};
    auto mark_year = [&](int y) {
      for (auto* yy : date_.years) {
        if (static_cast<int>(yy->number) == y) yy->used = true;
      }
    };
    // A day after the month ("September 15, 2024"), then the year.
    auto day_after = [&](size_t i) -> int {
      Item* d = item_at(i + 1);
      if (d && d->kind == ItemKind::kNumber && d->number >= 1 && d->number <= 31 && !is_year(d->number)) {
        d->used = true;
        return static_cast<int>(d->number);
      }
      return 0;
    };
    for (size_t k = 0; k < months.size(); ++k) {
      size_t i = months[k].first;
      int m = months[k].second;
      consumed_[i] = true;
      int day = day_after(i);
      int y = year_after(day ? i + 1 : i);
      std::string before = lw(i - 1);
      if (k + 1 < months.size() &&
          (lw(months[k + 1].first - 1) == "and" || lw(months[k + 1].first - 1) == "to" ||
           lw(months[k + 1].first - 1) == "through" || lw(months[k + 1].first - 1) == "until")) {
        size_t i2 = months[k + 1].first;
        int m2 = months[k + 1].second;
        int y2 = year_after(i2);
        if (!y2) y2 = y;
        if (!y) y = y2;
        consumed_[i2] = true;
        std::vector<Cond> g;
        if (y) {
          char lo[16], hi[16];
          std::snprintf(lo, sizeof lo, "%04d-%02d", y, m);
          std::snprintf(hi, sizeof hi, "%04d-%02d", y2, m2);
          g.push_back({ymexpr, "BETWEEN", d_.string_literal(lo) + " AND " + d_.string_literal(hi)});
          mark_year(y);
          mark_year(y2);
        } else {
          g.push_back({mexpr, "BETWEEN", d_.string_literal(mm(m)) + " AND " + d_.string_literal(mm(m2))});
        }
        add_condition(g);
        ++k;
        used += 2;
        continue;
      }
      std::string op = "=";
      if (before == "before" || (before == "than" && (lw(i - 2) == "earlier"))) op = "<";
      if (before == "after" || (before == "than" && lw(i - 2) == "later")) op = ">";
      if (before == "since" || before == "from") op = ">=";
      if (before == "until" || before == "through" || before == "till") op = "<=";
      if (op != "=") consumed_[i - 1] = true;
      if (y && day) {
        add_condition({{dexpr, op, d_.date_literal(y, m, day)}});
        mark_year(y);
      } else if (y) {
        char ym[16];
        std::snprintf(ym, sizeof ym, "%04d-%02d", y, m);
        add_condition({{ymexpr, op, d_.string_literal(ym)}});
        mark_year(y);
      } else {
        add_condition({{mexpr, op, d_.string_literal(mm(m))}});
      }
      ++used;
    }
    if (used) time_filtered_ = true;
  }
  return true;
}

}  // namespace t2sql::template_rules
