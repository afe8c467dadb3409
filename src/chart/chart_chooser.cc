#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "chart/column_profile.h"
#include "schema/identifier_words.h"
#include "t2sql/chart.h"

namespace t2sql {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool looks_like_iso_date(const std::string& s) {
  // YYYY-MM, YYYY-MM-DD, YYYY-MM-DD hh:mm[:ss]
  if (s.size() < 7 || s.size() > 26) return false;
  for (int i : {0, 1, 2, 3, 5, 6})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return s[4] == '-';
}

bool name_is_id(const std::string& name) {
  std::string n = lower(name);
  return n == "id" || (n.size() > 3 && n.compare(n.size() - 3, 3, "_id") == 0);
}

bool name_is_time(const std::string& name) {
  std::string n = lower(name);
  for (const char* w : {"year", "month", "date", "day", "week", "quarter", "time", "period"})
    if (n.find(w) != std::string::npos) return true;
  return false;
}

constexpr size_t kMaxUprightBars = 12;  // more are drawn horizontally
constexpr size_t kMaxBars = 40;         // more: the top kTopBars (+ "other")
constexpr size_t kTopBars = 30;

// Whether a measure's values add up to something (a total, a count), so that
// the bars left out can be summed into one "other" bar; averages, prices,
// rates and extremes do not add up.
bool adds_up(const ColumnProfile& p) {
  std::string n = lower(p.name);
  for (const char* w : {"avg", "average", "mean", "median", "rate", "ratio", "percent", "pct", "share", "price",
                        "min", "max", "lowest", "highest", "score", "rating", "age"})
    if (n.find(w) != std::string::npos) return false;
  if (!p.all_positive) return false;
  for (const char* w : {"count", "total", "sum", "amount", "revenue", "sales", "quantity", "units", "number", "qty",
                        "orders", "spend", "cost", "volume"})
    if (n.find(w) != std::string::npos) return true;
  return false;
}

bool hints_whole(const std::string& question) {
  std::string q = lower(question);
  for (const char* w : {"share", "proportion", "percentage", "percent", "breakdown", "split", "distribution",
                        "composition", "pie", "part of"})
    if (q.find(w) != std::string::npos) return true;
  return false;
}

}  // namespace

const char* chart_kind_name(ChartKind kind) {
  switch (kind) {
    case ChartKind::kTable: return "table";
    case ChartKind::kBar: return "bar";
    case ChartKind::kLine: return "line";
    case ChartKind::kGroupedBar: return "grouped_bar";
    case ChartKind::kMultiLine: return "multi_line";
    case ChartKind::kPie: return "pie";
    case ChartKind::kScatter: return "scatter";
  }
  return "table";
}

int column_index(const ResultSet& rows, const std::string& name) {
  for (size_t i = 0; i < rows.columns.size(); ++i)
    if (rows.columns[i] == name) return static_cast<int>(i);
  return -1;
}

namespace {

// "total_amount" -> "total amount", "unitPrice" -> "unit price", "qty" ->
// "quantity"; quotes and a table qualifier dropped. Not singularized: a name
// is shown, not matched.
std::string name_as_words(std::string name) {
  while (!name.empty() && (name.front() == '"' || name.front() == '`' || name.front() == '[')) name.erase(0, 1);
  while (!name.empty() && (name.back() == '"' || name.back() == '`' || name.back() == ']')) name.pop_back();
  auto dot = name.rfind('.');
  if (dot != std::string::npos && dot + 1 < name.size()) name = name.substr(dot + 1);
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ' ' && c != '-') return name;
  // Abbreviations that are also words or mean several things stay as written.
  static const std::set<std::string> kKeep = {"long", "st",  "std", "res", "pos", "cat", "temp", "no",
                                              "stat", "min", "max", "sem", "rm",  "fac", "ref",  "trans",
                                              "inv",  "dep", "mon", "pop", "ph",  "dur", "seq"};
  std::string out;
  for (const auto& part : split_identifier(name)) {
    if (kKeep.count(part)) {
      out += (out.empty() ? "" : " ") + part;
      continue;
    }
    for (const auto& w : expand_abbreviation(part)) out += (out.empty() ? "" : " ") + w;
  }
  return out.empty() ? name : out;
}

}  // namespace

std::string readable_column_name(const std::string& name) {
  auto open = name.find('(');
  if (open == std::string::npos || name.empty() || name.back() != ')') return name_as_words(name);
  std::string fn = lower(name.substr(0, open));
  while (!fn.empty() && fn.back() == ' ') fn.pop_back();
  std::string arg = name.substr(open + 1, name.size() - open - 2);
  // ROUND(x, 2) and CAST(x AS ...) read as x.
  if (fn == "round") arg = arg.substr(0, arg.rfind(','));
  if (fn == "cast") arg = arg.substr(0, lower(arg).rfind(" as "));
  if (fn == "round" || fn == "cast" || fn == "coalesce" || fn == "ifnull") {
    auto comma = arg.find(',');
    return readable_column_name(comma == std::string::npos ? arg : arg.substr(0, comma));
  }
  bool distinct = lower(arg).rfind("distinct ", 0) == 0;
  if (distinct) arg = arg.substr(9);
  std::string inner = readable_column_name(arg);
  if (fn == "count") return inner == "*" || inner == "1" ? "count" : (distinct ? "distinct " : "") + inner + " count";
  if (fn == "sum" || fn == "total") return "total " + inner;
  if (fn == "avg") return "average " + inner;
  if (fn == "min") return "lowest " + inner;
  if (fn == "max") return "highest " + inner;
  return name;
}

std::string short_number(double v) {
  if (std::isnan(v)) return "NaN";
  double a = std::fabs(v);
  char buf[64];
  if (a >= 1e12)
    std::snprintf(buf, sizeof buf, "%.3gT", v / 1e12);
  else if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%.3gB", v / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  else if (a >= 1e4)
    std::snprintf(buf, sizeof buf, "%.3gK", v / 1e3);
  else if (a == std::floor(a))
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (a >= 100)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::vector<ColumnProfile> profile_columns(const ResultSet& rows) {
  std::vector<ColumnProfile> out;
  for (size_t c = 0; c < rows.columns.size(); ++c) {
    ColumnProfile p;
    p.name = rows.columns[c];
    std::set<std::string> distinct;
    size_t numbers = 0, dates = 0, years = 0;
    for (const auto& row : rows.rows) {
      if (c >= row.size() || row[c].is_null()) continue;
      const Value& v = row[c];
      ++p.non_null;
      if (distinct.size() < 10000) distinct.insert(v.to_string());
      if (v.is_number()) {
        ++numbers;
        double d = v.as_double();
        if (d <= 0) p.all_positive = false;
        if (v.type == ValueType::kInteger && d >= 1900 && d <= 2100) ++years;
      } else if (v.type == ValueType::kDate || v.type == ValueType::kTimestamp || looks_like_iso_date(v.to_string())) {
        ++dates;
      }
    }
    p.distinct = distinct.size();
    ValueType declared = c < rows.column_types.size() ? rows.column_types[c] : ValueType::kText;
    bool numeric =
        p.non_null > 0 ? numbers == p.non_null : (declared == ValueType::kInteger || declared == ValueType::kReal);
    if (p.non_null > 0 && dates == p.non_null) {
      p.role = ColumnRole::kTime;
    } else if (numeric && p.non_null > 0 && years == p.non_null && name_is_time(p.name)) {
      p.role = ColumnRole::kTime;
      p.year_number = true;
    } else if (numeric && name_is_time(p.name) && !name_is_id(p.name)) {
      // month numbers 1..12, week numbers: an ordered axis, not a measure
      p.role = ColumnRole::kTime;
      p.year_number = true;
    } else if (numeric && !name_is_id(p.name)) {
      p.role = ColumnRole::kMeasure;
    } else {
      p.role = ColumnRole::kCategory;
    }
    out.push_back(p);
  }
  return out;
}

ChartSpec choose_chart(const ResultSet& rows, const std::string& question) {
  ChartSpec spec;
  spec.title = question;
  auto profiles = profile_columns(rows);
  std::vector<const ColumnProfile*> time, cats, measures;
  for (const auto& p : profiles) {
    if (p.role == ColumnRole::kTime)
      time.push_back(&p);
    else if (p.role == ColumnRole::kCategory)
      cats.push_back(&p);
    else
      measures.push_back(&p);
  }
  size_t n = rows.rows.size();
  auto table = [&](const char* why) {
    spec.kind = ChartKind::kTable;
    spec.reason = why;
    return spec;
  };
  if (n == 0) return table("no rows");
  if (measures.empty()) return table("no numeric column to plot");
  // Two or three years are groups to compare (2023 vs 2024), not a series.
  if (time.size() == 1 && time[0]->distinct <= 3 && (n > 1 || !cats.empty())) {
    cats.insert(cats.begin(), time[0]);
    time.clear();
  }
  if (n == 1) {
    if (measures.size() >= 2 && cats.empty() && time.empty()) {
      spec.kind = ChartKind::kBar;
      spec.folded = true;
      spec.x = "measure";
      spec.y = "value";
      spec.reason = "one row of several measures";
      return spec;
    }
    return table("a single value");
  }
  if (time.size() == 1 && cats.empty()) {
    spec.kind = ChartKind::kLine;
    spec.x = time[0]->name;
    spec.y = measures[0]->name;
    spec.x_temporal = true;
    spec.reason = "a time series";
    return spec;
  }
  if (time.size() == 1 && cats.size() == 1) {
    spec.kind = ChartKind::kMultiLine;
    spec.x = time[0]->name;
    spec.y = measures[0]->name;
    spec.color = cats[0]->name;
    spec.x_temporal = true;
    spec.reason = "a time series per category";
    return spec;
  }
  if (time.empty() && cats.size() == 1) {
    spec.x = cats[0]->name;
    spec.y = measures[0]->name;
    if (measures.size() == 1 && n >= 2 && n <= 6 && measures[0]->all_positive && hints_whole(question)) {
      spec.kind = ChartKind::kPie;
      spec.reason = "a few parts of a whole";
    } else {
      spec.kind = ChartKind::kBar;
      spec.reason = "a category and a measure";
      // Many bars read better lying down, and only so many fit at all.
      if (n > kMaxUprightBars) {
        spec.horizontal = true;
        spec.reason = "many categories and a measure";
      }
      if (n > kMaxBars) {
        spec.top_n = kTopBars;
        spec.other_bucket = adds_up(*measures[0]);
        if (!spec.other_bucket)
          spec.title += (spec.title.empty() ? "" : " ") + std::string("(top ") + std::to_string(kTopBars) + " of " +
                        std::to_string(n) + ")";
        spec.reason = "many categories: the largest, the rest " +
                      std::string(spec.other_bucket ? "summed into \"other\"" : "left out");
      }
    }
    return spec;
  }
  if (time.empty() && cats.size() >= 2) {
    const ColumnProfile* x = cats[0];
    const ColumnProfile* color = cats[1];
    // The column with fewer values makes the better legend.
    if (color->distinct > x->distinct) std::swap(x, color);
    if (color->distinct > 12 || n > 200) return table("too many groups for a chart");
    spec.kind = ChartKind::kGroupedBar;
    spec.x = x->name;
    spec.color = color->name;
    spec.y = measures[0]->name;
    spec.reason = "two categories and a measure";
    return spec;
  }
  if (time.empty() && cats.empty() && measures.size() >= 2) {
    spec.kind = ChartKind::kScatter;
    spec.x = measures[0]->name;
    spec.y = measures[1]->name;
    spec.reason = "two measures";
    return spec;
  }
  return table("no chart fits this shape");
}

}  // namespace t2sql
