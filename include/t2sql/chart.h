// Charts of a result set: the kind is chosen from the result's shape and
// column types, then written as a Vega-Lite v5 spec (for the web page and
// any Vega tool) or as a standalone SVG (for a person with only a browser or
// an image viewer).
//
//   ChartSpec chart = choose_chart(rows, "Total sales by region");
//   std::string spec = chart_to_vega_lite(chart, rows);   // JSON text
//   std::string svg = render_chart_svg(chart, rows);      // <svg ...>
//
// Pure functions of their inputs; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "t2sql/value.h"

namespace t2sql {

enum class ChartKind {
  kTable,       // nothing fits: one value, no rows, or only text
  kBar,         // a category and a measure
  kLine,        // a time series
  kGroupedBar,  // two categories and a measure
  kMultiLine,   // a time series per category
  kPie,         // a few parts of a whole
  kScatter,     // two measures
};

const char* chart_kind_name(ChartKind kind);  // "bar", "line", ...

struct ChartSpec {
  ChartKind kind = ChartKind::kTable;
  std::string title;
  // Column names; empty when the kind does not use them. A "folded" chart (one
  // row of several measures) plots column names against their values: x is
  // then "measure" and y "value".
  std::string x, y, color;
  bool x_temporal = false;  // x holds dates or years
  bool folded = false;
  // Bars of many categories: more than 12 are drawn horizontally; beyond 40
  // only the `top_n` (30) largest are drawn, the rest summed into one "other" bar
  // when the measure adds up (a total or a count: `other_bucket`) and left
  // out otherwise. Both writers draw the same bars (and the same axis).
  bool horizontal = false;
  size_t top_n = 0;  // 0: every row
  bool other_bucket = false;
  std::string reason;  // why this kind ("a category and a measure")
};

// Picks the chart for `rows`. `question` may hint at a whole split into parts
// ("share", "breakdown") and becomes the title.
ChartSpec choose_chart(const ResultSet& rows, const std::string& question = "");

// The Vega-Lite v5 spec with the rows inlined (at most `max_points` of them).
// A kTable chart has no spec: the result is "" and the rows speak for themselves.
std::string chart_to_vega_lite(const ChartSpec& chart, const ResultSet& rows, size_t max_points = 5000);

// A self-contained SVG document (axes, labels, legend, title).
std::string render_chart_svg(const ChartSpec& chart, const ResultSet& rows, int width = 720, int height = 420);

}  // namespace t2sql
