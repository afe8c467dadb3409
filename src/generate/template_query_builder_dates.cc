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

bool TemplateQueryBuilder::dates(bool other_groups) {
  std::vector<Item*> years;
  for (auto& it : items_) {
    if (it.kind == ItemKind::kNumber && !it.used && is_year(it.number) && it.text.size() == 4) years.push_back(&it);
  }
  yoy_ = yoy_ && years.size() >= 2;
  int measure_table = has_measure_ ? measure_.t : idle_measure_ ? idle_measure_->t : focus_;
  // "stores with an average sale amount above 310 in 2023": the year is that
  // of the rows totalled in the HAVING.
  for (const auto& h : q_.having) {
    if (!has_measure_ && !h.lhs.star && h.lhs.t >= 0 && h.lhs.agg != Agg::kNone) measure_table = h.lhs.t;
  }
  int dc = date_column_for(measure_table);
  for (const auto& it : items_) {
    // "payment amount by department": the named column's table has the date.
    if (dc < 0 && it.kind == ItemKind::kColumn && it.t >= 0) {
      if (int c = date_column_for(it.t); c >= 0 && c / 1000 == it.t) dc = c;
    }
  }
  if (neg_date_table_ >= 0 && neg_date_table_ != focus_ && !has_measure_) {
    if (int nd = date_column_for(neg_date_table_); nd >= 0 && nd / 1000 == neg_date_table_) dc = nd;
  }
  // A date column the question names ("stores opened in 2023") comes first.
  if (named_date_) dc = named_date_->t * 1000 + named_date_->c;
  int yc = -1;
  auto year_col = [&](int t, int c) { return contains(linker_.column_words(t, c), "year") && !is_date(t, c); };
  // A year column named in the question ("release year 2014") comes first,
  // then one of the measured or main table, then of any table in the query.
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kColumn && it.t >= 0 && yc < 0 && year_col(it.t, it.c)) yc = it.t * 1000 + it.c;
  }
  std::vector<int> order{measure_table, focus_};
  for (int t : q_.tables) order.push_back(t);
  for (int t : mentioned_tables_) order.push_back(t);
  for (int t : order) {
    if (t < 0 || yc >= 0) continue;
    for (size_t c = 0; c < cat_.tables[t].columns.size(); ++c) {
      if (year_col(t, c)) {
        yc = t * 1000 + c;
        break;
      }
    }
  }
  Expr year_expr;
  bool have_year = false;
  if (yc >= 0 && (dc < 0 || (yc / 1000 == focus_ && dc / 1000 != measure_table))) {
    year_expr = Expr{.t = yc / 1000, .c = yc % 1000};
    have_year = true;
  } else if (dc >= 0) {
    year_expr = Expr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYear};
    have_year = true;
  }
  auto year_lit = [&](int y) {
    bool text = year_expr.part == DatePart::kYear || !is_numeric(year_expr.t, year_expr.c);
    return text ? d_.string_literal(std::to_string(y)) : std::to_string(y);
  };

  if (latest_period_ && dc >= 0) {
    Expr period = period_expr(dc / 1000, dc % 1000, *latest_period_);
    add_condition({{period, "=",
                    "(SELECT MAX(" + expr_sql(period, false) + ") FROM " +
                        d_.quote_identifier(cat_.tables[dc / 1000].name) + ")"}});
  } else if (latest_period_) {
    penalize(0.6, "no date column for the latest period");
  }

  // Months: "in March 2024", "in March", "between March and May".
  // Weeks and holidays first: their month words are not month filters.
  std::set<size_t> day_ranges;
  if (dc >= 0) day_ranges = week_and_holiday_ranges(Expr{.t = dc / 1000, .c = dc % 1000}, years);
  std::vector<std::pair<size_t, int>> months;
  for (size_t i = 0; i < toks_.size(); ++i) {
    int m = month_number(lw(i));
    if (m == 0 || day_ranges.count(i)) continue;
    if (lw(i) == "may" && !(toks_[i].capitalized || lw(i - 1) == "in" || lw(i - 1) == "of")) continue;
    months.push_back({i, m});
  }
  if (!months.empty() && dc >= 0) {
    Expr mexpr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kMonth};
    Expr ymexpr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYearMonth};
    auto year_after = [&](size_t i) -> int {
      for (auto* y : years) {
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
    Expr dexpr{.t = dc / 1000, .c = dc % 1000};
    auto mark_year = [&](int y) {
      for (auto* yy : years) {
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

  // Quarters and halves: "Q1 2024", "the first quarter of 2024", "the
  // second half of 2023".
  if (dc >= 0) {
    static const std::map<std::string, int> kOrdinal = {{"first", 1},  {"1st", 1},   {"second", 2},
                                                        {"2nd", 2},    {"third", 3}, {"3rd", 3},
                                                        {"fourth", 4}, {"4th", 4},   {"last", 4}};
    for (size_t i = 0; i < toks_.size(); ++i) {
      int part = 0, months_per = 0;
      size_t end = i;
      const std::string& w = toks_[i].lower;
      if (w.size() == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4') {
        part = w[1] - '0', months_per = 3, end = i + 1;
      } else if (kOrdinal.count(lw(i)) && (lw(i + 1) == "quarter" || lw(i + 1) == "half")) {
        months_per = lw(i + 1) == "quarter" ? 3 : 6;
        part = kOrdinal.at(lw(i));
        if (months_per == 6 && part > 2) part = 2;
        end = i + 2;
      }
      if (!part) continue;
      size_t k = end;
      while (lw(k) == "of" || lw(k) == "in" || lw(k) == "the") ++k;
      if (k < toks_.size() && toks_[k].kind == QuestionTokenKind::kPunct) ++k;
      Item* y = item_at(k);
      if (!y || y->kind != ItemKind::kNumber || !is_year(y->number)) {
        Item* before = i > 0 ? item_at(i - 1) : nullptr;  // "2024 Q1"
        y = before && before->kind == ItemKind::kNumber && is_year(before->number) ? before : nullptr;
      }
      if (!y) continue;
      int year = static_cast<int>(y->number);
      y->used = true;
      for (size_t j = i; j < end; ++j) consumed_[j] = true;
      char lo[32], hi[32];  // room for any int year, so no truncation warning
      std::snprintf(lo, sizeof lo, "%04d-%02d", year, (part - 1) * months_per + 1);
      std::snprintf(hi, sizeof hi, "%04d-%02d", year, part * months_per);
      add_condition({{Expr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYearMonth}, "BETWEEN",
                      d_.string_literal(lo) + " AND " + d_.string_literal(hi)}});
      time_filtered_ = true;
    }
  }

  // Relative ranges, anchored at the latest date in the data.
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    bool last = lw(i) == "last" || lw(i) == "previous" || lw(i) == "past";
    bool this_ = lw(i) == "this" || lw(i) == "current";
    if (!last && !this_) continue;
    std::string unit = lw(i + 1);
    int n = 1;
    size_t span = 2;
    if (last && toks_[i + 1].kind == QuestionTokenKind::kNumber) {
      n = static_cast<int>(toks_[i + 1].number);
      unit = lw(i + 2);
      span = 3;
    }
    if (unit != "year" && unit != "years" && unit != "month" && unit != "months") continue;
    if (dc < 0) {
      penalize(0.6, "no date column for '" + lw(i) + " " + unit + "'");
      continue;
    }
    std::string latest = gen_.latest_date(dc / 1000, dc % 1000);
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
    Expr yexpr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYear};
    Expr ymexpr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYearMonth};
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
    time_filtered_ = true;
  }

  // Remaining years: a filter, or the groups of a comparison.
  std::vector<Item*> open;
  for (auto* y : years) {
    if (!y->used) open.push_back(y);
  }
  if (open.empty()) return true;
  if (!have_year) {
    penalize(0.6, "no date or year column for " + open[0]->text);
    return true;
  }
  if (open.size() == 2) {
    // "grew from 2023 to 2024", "less in 2024 than in 2023", "revenue by
    // region, 2023 vs 2024": one total per year side by side (CASE), built
    // once the rest of the query is known (year_over_year).
    static const std::set<std::string> kUp = {"grow", "grew", "grown", "growth",  "increase", "increased", "increasing",
                                              "rose", "rise", "risen", "improve", "improved", "gain",      "gained"};
    static const std::set<std::string> kDown = {"decline", "declined", "decrease", "decreased", "drop",
                                                "dropped", "fell",     "fall",     "fallen",    "shrank",
                                                "shrink",  "shrunk",   "worsen",   "worsened",  "lost"};
    static const std::set<std::string> kChange = {"change", "changed", "difference", "differ", "delta"};
    int dir = 0;
    bool change = false;
    for (size_t i = 0; i < toks_.size(); ++i) {
      if (kUp.count(lw(i))) dir = 1, change = true, consumed_[i] = true;
      if (kDown.count(lw(i))) dir = -1, change = true, consumed_[i] = true;
      if (kChange.count(lw(i))) change = true, consumed_[i] = true;
      if (at(i, {"how", "much"}) && (lw(i - 1) == "by")) change = true;
    }
    // "sold less in 2024 than in 2023": the first year against the second.
    std::string cmp_op;
    for (size_t i = 0; i + 2 < toks_.size() && cmp_op.empty(); ++i) {
      static const std::set<std::string> kLess = {"less", "fewer", "lower", "smaller", "worse"};
      static const std::set<std::string> kMore = {"more", "higher", "greater", "larger", "better", "bigger"};
      if (!kLess.count(lw(i)) && !kMore.count(lw(i))) continue;
      size_t than = i + 1;
      while (than < toks_.size() && than < i + 5 && lw(than) != "than") ++than;
      if (lw(than) != "than") continue;
      bool a_between = false, b_after = false;
      for (size_t k = i + 1; k < than; ++k) a_between |= item_at(k) == open[0] || item_at(k) == open[1];
      for (size_t k = than + 1; k < std::min(toks_.size(), than + 3); ++k)
        b_after |= item_at(k) == open[0] || item_at(k) == open[1];
      if (!a_between || !b_after) continue;
      cmp_op = kLess.count(lw(i)) ? "<" : ">";
      consumed_[i] = consumed_[than] = true;
      if (open[0]->begin > than) std::swap(open[0], open[1]);  // open[0]: the year before "than"
    }
    bool percent = any_word({"percentage", "percent", "pct", "%"});
    if (change || !cmp_op.empty() || (yoy_ && other_groups)) {
      yoy_case_.emplace();
      yoy_case_->year = year_expr;
      yoy_case_->first = static_cast<int>(open[0]->number);
      yoy_case_->second = static_cast<int>(open[1]->number);
      if (cmp_op.empty() && yoy_case_->first > yoy_case_->second) std::swap(yoy_case_->first, yoy_case_->second);
      yoy_case_->dir = dir;
      yoy_case_->change = change;
      yoy_case_->percent = percent;
      yoy_case_->op = cmp_op;
      for (auto* y : open) y->used = true;
      if (percent) {
        for (size_t i = 0; i < toks_.size(); ++i) {
          if (lw(i) == "percentage" || lw(i) == "percent" || lw(i) == "pct") consumed_[i] = true;
        }
      }
      time_filtered_ = true;
      yoy_ = false;
      return true;
    }
  }
  std::vector<Cond> group;
  std::string list;
  for (auto* y : open) {
    y->used = true;
    group.push_back({year_expr, "=", year_lit(static_cast<int>(y->number))});
    list += (list.empty() ? "" : ", ") + year_lit(static_cast<int>(y->number));
  }
  if (group.size() == 1) {
    add_condition(group);
  } else {
    add_condition({{year_expr, "IN", "(" + list + ")"}});
  }
  time_filtered_ = true;
  if (yoy_) {
    q_.group_by.insert(q_.group_by.begin(), year_expr);
    q_.select.insert(q_.select.begin(), {0, year_expr});
    q_.order_by.push_back({year_expr, false});
  }
  return true;
}

// "the last week of 2023", "the first week of January 2023", "Christmas Eve
// 2023", "New Year's Day 2024": day ranges (or one day) on the date column.
// Returns the tokens it read.
std::set<size_t> TemplateQueryBuilder::week_and_holiday_ranges(const Expr& date, const std::vector<Item*>& years) {
  std::set<size_t> read;
  auto year_at = [&](size_t from) -> Item* {
    size_t k = from;
    while (lw(k) == "of" || lw(k) == "in" || lw(k) == "the" || (k < toks_.size() && toks_[k].text == ",")) ++k;
    for (auto* y : years) {
      if (y->begin == k && !y->used) return y;
    }
    return nullptr;
  };
  auto days_in = [](int y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
  };
  auto add_range = [&](int y, int m1, int d1, int m2, int d2) {
    if (m1 == m2 && d1 == d2) {
      add_condition({{date, "=", d_.date_literal(y, m1, d1)}});
    } else {
      add_condition({{date, "BETWEEN", d_.date_literal(y, m1, d1) + " AND " + d_.date_literal(y, m2, d2)}});
    }
    time_filtered_ = true;
  };
  static const std::map<std::string, int> kOrdinal = {{"first", 1},  {"second", 2}, {"third", 3},
                                                      {"fourth", 4}, {"last", 5},   {"final", 5}};
  for (size_t i = 0; i + 2 < toks_.size(); ++i) {
    auto ord = kOrdinal.find(lw(i));
    if (ord == kOrdinal.end() || nw(i + 1) != "week" || lw(i + 2) != "of") continue;
    size_t k = i + 3;
    if (lw(k) == "the") ++k;
    int m = month_number(lw(k));
    Item* y = year_at(m ? k + 1 : k);
    if (!y) continue;
    int year = static_cast<int>(y->number);
    y->used = true;
    int n = ord->second;
    if (m) {
      int last = days_in(year, m);
      int lo = n == 5 ? last - 6 : (n - 1) * 7 + 1;
      add_range(year, m, lo, m, n == 5 ? last : lo + 6);
      read.insert(k);
    } else {
      if (n == 5)
        add_range(year, 12, 25, 12, 31);
      else
        add_range(year, 1, (n - 1) * 7 + 1, 1, n * 7);
    }
    for (size_t j = i; j < k + (m ? 1 : 0); ++j) consumed_[j] = true, read.insert(j);
  }
  struct Holiday {
    std::vector<const char*> words;
    int month, day;
  };
  static const std::vector<Holiday> kHolidays = {
      {{"new", "year's", "eve"}, 12, 31}, {{"new", "years", "eve"}, 12, 31}, {{"new", "year's", "day"}, 1, 1},
      {{"new", "years", "day"}, 1, 1},    {{"new", "year's"}, 1, 1},         {{"christmas", "eve"}, 12, 24},
      {{"christmas", "day"}, 12, 25},     {{"christmas"}, 12, 25},           {{"boxing", "day"}, 12, 26},
      {{"valentine's", "day"}, 2, 14},    {{"halloween"}, 10, 31},           {{"independence", "day"}, 7, 4},
  };
  for (size_t i = 0; i < toks_.size(); ++i) {
    for (const auto& h : kHolidays) {
      bool match = true;
      for (size_t k = 0; k < h.words.size() && match; ++k) match = lw(i + k) == h.words[k];
      if (!match) continue;
      Item* y = year_at(i + h.words.size());
      if (!y) break;
      y->used = true;
      add_range(static_cast<int>(y->number), h.month, h.day, h.month, h.day);
      for (size_t k = i; k < i + h.words.size(); ++k) consumed_[k] = true, read.insert(k);
      break;
    }
  }
  return read;
}

bool TemplateQueryBuilder::year_over_year() {
  const YearCase& yc = *yoy_case_;
  Expr measure;
  bool found = false;
  for (const auto& [p, e] : q_.select) {
    if (e.agg != Agg::kNone && e.raw.empty() && !found) measure = e, found = true;
  }
  // "a lower payment amount in 2024": a measure column shown plain is the
  // measure; so is one of the main table when nothing else is shown
  // ("the percentage growth in units sold").
  bool plain_measure = false, only_measures = yc.change;
  for (const auto& [p, e] : q_.select) {
    only_measures = only_measures && e.agg == Agg::kNone && !e.star && e.t >= 0 && is_measure(e.t, e.c);
  }
  for (const auto& [p, e] : q_.select) {
    if (!found && e.agg == Agg::kNone && !e.star && e.t >= 0 && (e.t != focus_ || only_measures) &&
        is_measure(e.t, e.c)) {
      measure = e, found = plain_measure = true;
    }
  }
  if (plain_measure) {
    q_.select.erase(
        std::remove_if(q_.select.begin(), q_.select.end(), [&](const auto& s) { return s.second == measure; }),
        q_.select.end());
    q_.group_by.erase(std::remove(q_.group_by.begin(), q_.group_by.end(), measure), q_.group_by.end());
    if (q_.select.empty() && name_column(focus_) >= 0 && !(only_measures && measure.t == focus_))
      q_.select.push_back({0, Expr{.t = focus_, .c = name_column(focus_)}});
  }
  if (!found && has_measure_) measure = measure_, found = true;
  if (!found && idle_measure_) measure = *idle_measure_, found = true;
  // "Which region grew the most": with no measure named, a change of the
  // entities is one of the money they take in (the amount of the dated rows
  // that refer to them), not a count of their own rows by their own dates.
  if (!found && (yc.dir != 0 || yc.change) && !named_date_ && focus_ >= 0 &&
      !gen_.options().disabled_rules.count("growth_measure")) {
    for (size_t t = 0; t < cat_.tables.size() && !found; ++t) {
      bool refers = false;
      for (const auto& fk : cat_.tables[t].foreign_keys)
        refers = refers || cat_.find_table(fk.ref_table) == &cat_.tables[focus_];
      int dc = refers ? date_column_for(static_cast<int>(t)) : -1;
      if (dc < 0 || dc / 1000 != static_cast<int>(t)) continue;
      for (size_t c = 0; c < cat_.tables[t].columns.size() && !found; ++c) {
        if (!is_measure(static_cast<int>(t), static_cast<int>(c))) continue;
        for (const auto& w : linker_.column_words(static_cast<int>(t), static_cast<int>(c))) {
          if (!found && lexicon::kMoneyWords.count(w)) {
            measure = Expr{.agg = Agg::kSum, .t = static_cast<int>(t), .c = static_cast<int>(c)};
            found = true;
            fired("growth_measure");
          }
        }
      }
    }
  }
  if (!found) measure = Expr{.agg = Agg::kCount, .star = true};
  if (measure.agg == Agg::kNone) measure.agg = Agg::kSum;
  if (measure.agg == Agg::kMin || measure.agg == Agg::kMax || measure.distinct) {
    reason_ = "a year-over-year comparison of a minimum, maximum or distinct count";
    return false;
  }
  int table = measure.star ? (yc.year.t >= 0 ? yc.year.t : focus_) : measure.t;
  // The years of the rows measured, unless the question named its date.
  Expr year = yc.year;
  if (!named_date_ && !measure.star && measure.t != year.t) {
    if (int dc = date_column_for(measure.t); dc >= 0 && dc / 1000 == measure.t) {
      year = Expr{.t = dc / 1000, .c = dc % 1000, .part = DatePart::kYear};
    }
  }
  add_table(table);
  add_table(year.t);
  auto per_year = [&](int y, bool qualify) {
    std::string year_sql = expr_sql(year, qualify);
    bool text = year.part == DatePart::kYear || !is_numeric(year.t, year.c);
    std::string lit = text ? d_.string_literal(std::to_string(y)) : std::to_string(y);
    std::string value = measure.star ? "1" : col_sql(measure.t, measure.c, qualify);
    std::string when = "CASE WHEN " + year_sql + " = " + lit + " THEN " + value;
    if (measure.agg == Agg::kAvg) return "AVG(" + when + " END)";
    return "SUM(" + when + " ELSE 0 END)";
  };
  auto computed = [&](auto&& sql_of) {
    return Expr{.agg = Agg::kSum, .t = table, .raw = sql_of(false), .raw_qualified = sql_of(true)};
  };
  auto diff = [&](bool qualify) {
    std::string d = per_year(yc.second, qualify) + " - " + per_year(yc.first, qualify);
    if (!yc.percent) return d;
    return "(" + d + ") * 100.0 / " + per_year(yc.first, qualify);
  };
  // The rows asked for: columns shown that are not totals.
  std::vector<std::pair<size_t, Expr>> keys;
  for (const auto& s : q_.select) {
    if (s.second.agg == Agg::kNone && !s.second.star) keys.push_back(s);
  }
  q_.order_by.erase(
      std::remove_if(q_.order_by.begin(), q_.order_by.end(), [](const auto& o) { return o.first.agg != Agg::kNone; }),
      q_.order_by.end());
  q_.distinct = false;
  bool which = !keys.empty() && (yc.dir != 0 || !yc.op.empty()) && q_.group_by.empty();
  which = which || (!keys.empty() && !yc.op.empty());
  if (!keys.empty() && q_.group_by.empty()) {
    for (const auto& [p, e] : keys) {
      if (e.c == name_column(e.t)) {
        if (int k = key_column(e.t); k >= 0) q_.group_by.push_back(Expr{.t = e.t, .c = k});
      }
      q_.group_by.push_back(e);
    }
  }
  q_.select = keys;
  // "Which region grew the most", "the brand that declined the least": the
  // group ranked by its change, not every group that changed.
  std::optional<bool> most;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lexicon::kMost.count(lw(i))) most = true, consumed_[i] = true;
    if (lexicon::kLeast.count(lw(i))) most = false, consumed_[i] = true;
  }
  if (most && !keys.empty() && yc.op.empty() && (yc.dir != 0 || yc.change) &&
      !gen_.options().disabled_rules.count("growth_superlative")) {
    Expr d = computed(diff);
    bool desc = (yc.dir >= 0) == *most;  // "declined the most": the most negative change first
    q_.order_by = {{d, desc}};
    // Grouped by what is shown (and a name's key), whatever the words grouped.
    q_.group_by.clear();
    for (const auto& [p, e] : keys) {
      if (int k = key_column(e.t); k >= 0 && e.c == name_column(e.t)) q_.group_by.push_back(Expr{.t = e.t, .c = k});
      q_.group_by.push_back(e);
    }
    q_.limit = 1;
    q_.having.clear();
    fired("growth_superlative");
    return true;
  }
  if (which) {
    // "Which regions grew their sales", "which stores sold less in 2024 than in 2023".
    std::string op = !yc.op.empty() ? yc.op : yc.dir > 0 ? ">" : "<";
    Expr lhs = computed([&](bool q) { return per_year(yc.op.empty() ? yc.second : yc.first, q); });
    Expr rhs = computed([&](bool q) { return per_year(yc.op.empty() ? yc.first : yc.second, q); });
    q_.having.push_back({lhs, op, "", rhs});
    return true;
  }
  if (yc.change || !yc.op.empty()) {
    Expr d = computed(diff);
    d.alias = yc.percent ? "growth_pct" : "change";
    q_.select.push_back({1000, d});
    return true;
  }
  for (int y : {yc.first, yc.second}) {
    Expr e = computed([&](bool q) { return per_year(y, q); });
    e.alias = cat_.tables[table].name + "_" + std::to_string(y);
    if (!measure.star && measure.t >= 0) e.alias = col(measure.t, measure.c).name + "_" + std::to_string(y);
    q_.select.push_back({1000, e});
  }
  return true;
}

}  // namespace t2sql::template_rules
