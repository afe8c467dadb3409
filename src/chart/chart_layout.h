// ChartLayout: what the SVG renderer and the Vega-Lite writer must agree on,
// computed once so that they do: the numeric axis (a domain that holds every
// mark, its ticks and their labels) and the bars of a bar chart (every row, or
// the top 30 plus "other" when there are more than 40 categories).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "t2sql/chart.h"
#include "t2sql/value.h"

namespace t2sql {

struct AxisScale {
  double lo = 0, hi = 1;            // the domain; every value plotted lies inside
  std::vector<double> ticks;        // from lo to hi, evenly spaced
  std::vector<std::string> labels;  // one per tick: "0", "500K", "1.5M" (never "0M")
};

// Ticks on round steps (1, 2, 2.5 or 5 times a power of ten) covering
// [lo, hi], with zero inside when `include_zero`.
AxisScale axis_scale(double lo, double hi, bool include_zero = true);

// The label of one tick of an axis whose largest tick is `largest` and whose
// step is `step`: one unit (K, M, B, T) for the whole axis, zero as "0".
std::string tick_label(double value, double largest, double step);

// A bar chart's bars in drawing order.
struct BarData {
  std::vector<std::string> labels;
  std::vector<double> values;
  size_t hidden = 0;   // categories left out (top N); folded into "other" when `other` is set
  bool other = false;  // the last bar is "other (N more)"
};
BarData bar_data(const ChartSpec& chart, const ResultSet& rows);

// The numeric axis of `chart` over `rows` (the value axis of bars and lines,
// the y axis of a scatter), as both writers draw it; for a scatter,
// `x_axis` gives the x axis.
AxisScale value_axis(const ChartSpec& chart, const ResultSet& rows, bool x_axis = false);

}  // namespace t2sql
