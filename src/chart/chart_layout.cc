#include "chart/chart_layout.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "chart/column_profile.h"
#include "t2sql/number_format.h"

namespace t2sql {

namespace {

double cell_number(const ResultSet& rows, size_t r, int c) {
  if (c < 0 || static_cast<size_t>(c) >= rows.rows[r].size()) return 0;
  double v = rows.rows[r][c].as_double();
  return std::isfinite(v) ? v : 0;
}

std::string cell_label(const ResultSet& rows, size_t r, int c) {
  if (c < 0 || static_cast<size_t>(c) >= rows.rows[r].size()) return "";
  const Value& v = rows.rows[r][c];
  return v.is_null() ? "NULL" : v.to_string();
}

}  // namespace

std::string tick_label(double value, double largest, double step) {
  if (value == 0 || std::fabs(value) < std::fabs(step) * 1e-9) return "0";
  double a = std::fabs(largest);
  double unit = 1;
  const char* suffix = "";
  if (a >= 1e12)
    unit = 1e12, suffix = "T";
  else if (a >= 1e9)
    unit = 1e9, suffix = "B";
  else if (a >= 1e6)
    unit = 1e6, suffix = "M";
  else if (a >= 1e4)
    unit = 1e3, suffix = "K";
  // Enough decimals to tell ticks apart, trailing zeros trimmed.
  int decimals = 0;
  double scaled_step = std::fabs(step) / unit;
  while (decimals < 6 &&
         std::fabs(scaled_step * std::pow(10.0, decimals) - std::round(scaled_step * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  std::string text = format_number(value / unit, decimals, true);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text + suffix;
}

AxisScale axis_scale(double lo, double hi, bool include_zero) {
  if (!std::isfinite(lo)) lo = 0;
  if (!std::isfinite(hi)) hi = 0;
  if (include_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  if (!(hi > lo)) {
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    hi = lo + pad;
    if (!include_zero || lo != 0) lo -= pad;
  }
  const int target = 5;
  double raw = (hi - lo) / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  long first = 0, last = 0;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0, 20.0}) {
    step = m * mag;
    // Whole steps from at or below lo to at or above hi: every mark inside.
    first = static_cast<long>(std::floor(lo / step + 1e-9));
    last = static_cast<long>(std::ceil(hi / step - 1e-9));
    if (last - first <= target + 1) break;
  }
  AxisScale s;
  for (long k = first; k <= last; ++k) s.ticks.push_back(static_cast<double>(k) * step);
  s.lo = s.ticks.front();
  s.hi = s.ticks.back();
  // floor/ceil with a tolerance may land a hair inside the data: widen by a step.
  if (s.lo > lo) s.ticks.insert(s.ticks.begin(), s.lo -= step);
  if (s.hi < hi) s.ticks.push_back(s.hi += step);
  double largest = std::max(std::fabs(s.lo), std::fabs(s.hi));
  for (double t : s.ticks) s.labels.push_back(tick_label(t, largest, step));
  return s;
}

BarData bar_data(const ChartSpec& chart, const ResultSet& rows) {
  BarData b;
  if (rows.rows.empty()) return b;
  if (chart.folded) {
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      if (!rows.rows[0][c].is_number()) continue;
      b.labels.push_back(rows.columns[c]);
      b.values.push_back(cell_number(rows, 0, static_cast<int>(c)));
    }
    return b;
  }
  int xi = column_index(rows, chart.x), yi = column_index(rows, chart.y);
  std::vector<size_t> order(rows.rows.size());
  std::iota(order.begin(), order.end(), 0);
  size_t keep = order.size();
  if (chart.top_n > 0 && order.size() > chart.top_n) {
    // The largest first; ties keep the query's order.
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t c) { return cell_number(rows, a, yi) > cell_number(rows, c, yi); });
    keep = chart.top_n;
    b.hidden = order.size() - keep;
  }
  for (size_t i = 0; i < keep; ++i) {
    b.labels.push_back(cell_label(rows, order[i], xi));
    b.values.push_back(cell_number(rows, order[i], yi));
  }
  if (b.hidden > 0 && chart.other_bucket) {
    double rest = 0;
    for (size_t i = keep; i < order.size(); ++i) rest += cell_number(rows, order[i], yi);
    b.labels.push_back("other (" + std::to_string(b.hidden) + " more)");
    b.values.push_back(rest);
    b.other = true;
  }
  return b;
}

AxisScale value_axis(const ChartSpec& chart, const ResultSet& rows, bool x_axis) {
  double lo = 0, hi = 0;
  bool first = true;
  auto take = [&](double v) {
    if (!std::isfinite(v)) return;
    lo = first ? v : std::min(lo, v);
    hi = first ? v : std::max(hi, v);
    first = false;
  };
  if (chart.kind == ChartKind::kBar) {
    for (double v : bar_data(chart, rows).values) take(v);
  } else {
    int c = column_index(rows, x_axis ? chart.x : chart.y);
    for (size_t r = 0; r < rows.rows.size(); ++r) take(cell_number(rows, r, c));
  }
  return axis_scale(lo, hi, true);
}

}  // namespace t2sql
