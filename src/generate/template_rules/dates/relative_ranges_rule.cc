// Relative ranges, anchored at the latest date in the data: "last year",
// "in the last 3 months", "this month", "the past 2 weeks", "the last 30 days".
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

bool TemplateQueryBuilder::pass_relative_ranges() {
  // Relative ranges, anchored at the latest date in the data.
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    bool last = lw(i) == "last" || lw(i) == "previous" || lw(i) == "past";
    bool this_ = lw(i) == "this" || lw(i) == "current";
    if (!last && !this_) continue;
    std::string unit = lw(i + 1);
    int n = 1;
    size_t span = 2;
    if (const QuestionSpan* count = reading_number(i + 1); last && count) {
      n = static_cast<int>(count->value);
      unit = lw(i + 2);
      span = 3;
    }
    bool days_unit = unit == "days" || unit == "weeks" || ((unit == "day" || unit == "week") && span == 3);
    if (unit != "year" && unit != "years" && unit != "month" && unit != "months" && !days_unit) continue;
    if (n < 1) continue;
    if (date_.dc < 0) {
      penalize(0.6, "no date column for '" + lw(i) + " " + unit + "'");
      continue;
    }
    std::string latest = gen_.latest_date(date_.dc / 1000, date_.dc % 1000);
    int ly = 0, lm = 0;
    if (latest.size() >= 7) {
      ly = std::atoi(latest.substr(0, 4).c_str());
      lm = std::atoi(latest.substr(5, 2).c_str());
    } else {
      std::time_t now = std::time(nullptr);
      std::tm tm{};
      gmtime_r(&now, &tm);
      ly = tm.tm_year + 1900;
      lm = tm.tm_mon + 1;
    }
    for (size_t k = i; k < i + span; ++k) consumed_[k] = true;
    // The count is read: "the last 3 months" leaves no number unused.
    if (Item* it = item_at(i + 1); span == 3 && it && it->kind == ItemKind::kNumber) it->used = true;
    time_filtered_ = true;
    if (days_unit) {
      // "the last 30 days", "the past 2 weeks": the n days ending at the latest date.
      std::tm tm{};
      if (latest.size() >= 10) {
        tm.tm_year = std::atoi(latest.substr(0, 4).c_str()) - 1900;
        tm.tm_mon = std::atoi(latest.substr(5, 2).c_str()) - 1;
        tm.tm_mday = std::atoi(latest.substr(8, 2).c_str());
      } else {
        std::time_t now = std::time(nullptr);
        gmtime_r(&now, &tm);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
      }
      int days = n * (unit[0] == 'w' ? 7 : 1);
      tm.tm_mday -= days - 1;
      std::time_t from = timegm(&tm);
      std::tm lo{};
      gmtime_r(&from, &lo);
      char first[16];
      std::snprintf(first, sizeof first, "%04d-%02d-%02d", lo.tm_year + 1900, lo.tm_mon + 1, lo.tm_mday);
      Expr dexpr{.t = date_.dc / 1000, .c = date_.dc % 1000};
      add_condition({{dexpr, ">=", d_.string_literal(first)}});
      continue;
    }
    Expr yexpr{.t = date_.dc / 1000, .c = date_.dc % 1000, .part = DatePart::kYear};
    Expr ymexpr{.t = date_.dc / 1000, .c = date_.dc % 1000, .part = DatePart::kYearMonth};
    bool years_unit = unit[0] == 'y';
    if (years_unit && span == 2) {
      int y = last ? ly - 1 : ly;
      add_condition({{yexpr, "=", d_.string_literal(std::to_string(y))}});
    } else if (years_unit) {
      add_condition({{yexpr, ">", d_.string_literal(std::to_string(ly - n))}});
    } else {
      // Months: "last month" is the month before the latest; "last 3 months"
      // the 3 months ending at the latest.
      int total = ly * 12 + (lm - 1);
      int from = span == 2 ? (last ? total - 1 : total) : total - n + 1;
      int to = span == 2 ? from : total;
      char lo[16], hi[16];
      std::snprintf(lo, sizeof lo, "%04d-%02d", from / 12, from % 12 + 1);
      std::snprintf(hi, sizeof hi, "%04d-%02d", to / 12, to % 12 + 1);
      add_condition({{ymexpr, "BETWEEN", d_.string_literal(lo) + " AND " + d_.string_literal(hi)}});
    }
  }
  return true;
}

}  // namespace t2sql::template_rules
