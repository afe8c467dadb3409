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
    int m = reading_month(k) ? static_cast<int>(reading_month(k)->value) : 0;
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
