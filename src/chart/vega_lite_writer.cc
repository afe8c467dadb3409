#include <nlohmann/json.hpp>

#include "chart/chart_layout.h"
#include "chart/column_profile.h"
#include "format/json_text.h"
#include "format/json_value.h"
#include "t2sql/chart.h"

namespace t2sql {

namespace {

using nlohmann::json;

// Vega-Lite reads "a.b" as a nested field; a column name is one field.
std::string field_ref(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '.' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

const ColumnProfile* find_profile(const std::vector<ColumnProfile>& profiles, const std::string& name) {
  for (const auto& p : profiles)
    if (p.name == name) return &p;
  return nullptr;
}

// How an axis field is typed: integer years and month numbers are ordinal
// (Vega-Lite would read a bare number as milliseconds); ISO text is temporal.
std::string axis_type(const ColumnProfile* p, bool temporal_axis) {
  if (!p) return "nominal";
  if (p->role == ColumnRole::kMeasure) return "quantitative";
  if (p->role == ColumnRole::kTime) return p->year_number ? "ordinal" : (temporal_axis ? "temporal" : "ordinal");
  return "nominal";
}

// A number as JSON writes it (shortest round trip), for the label expression.
std::string number_literal(double v) {
  return json(v).dump();
}

// The value axis as the SVG draws it: the same domain, ticks and labels
// (chart_layout.h), so that both pictures of a result agree.
json axis_encoding(const AxisScale& scale, const std::string& title) {
  std::string expr;
  for (size_t i = 0; i < scale.ticks.size(); ++i) {
    std::string label = scale.labels[i];
    std::string quoted;
    for (char c : label) quoted += c == '\'' ? std::string("\\'") : std::string(1, c);
    expr += "datum.value === " + number_literal(scale.ticks[i]) + " ? '" + quoted + "' : ";
  }
  expr += "datum.label";
  json axis = {{"values", scale.ticks}, {"labelExpr", expr}};
  if (!title.empty()) axis["title"] = title;
  return axis;
}

}  // namespace

std::string chart_to_vega_lite(const ChartSpec& chart, const ResultSet& rows, size_t max_points) {
  if (chart.kind == ChartKind::kTable) return "";
  auto profiles = profile_columns(rows);
  json values = json::array();
  if (chart.folded || (chart.kind == ChartKind::kBar && chart.top_n > 0)) {
    // The bars as drawn: one row of measures unfolded, or the top N + "other".
    BarData bars = bar_data(chart, rows);
    std::string xf = chart.folded ? "measure" : chart.x, yf = chart.folded ? "value" : chart.y;
    for (size_t i = 0; i < bars.labels.size(); ++i) values.push_back({{xf, bars.labels[i]}, {yf, bars.values[i]}});
  } else {
    for (size_t r = 0; r < rows.rows.size() && r < max_points; ++r) {
      json obj = json::object();
      for (size_t c = 0; c < rows.columns.size() && c < rows.rows[r].size(); ++c)
        obj[rows.columns[c]] = json_value(rows.rows[r][c]);
      values.push_back(std::move(obj));
    }
  }
  json spec = {
      {"$schema", "https://vega.github.io/schema/vega-lite/v5.json"},
      {"width", "container"},
      {"height", 300},
      {"data", {{"values", values}}},
  };
  if (!chart.title.empty()) spec["title"] = chart.title;
  json tooltip = json::array();
  if (!chart.folded) {
    for (const auto& p : profiles) {
      json t = {{"field", field_ref(p.name)}, {"type", axis_type(&p, false)}};
      if (p.role == ColumnRole::kMeasure) t["format"] = ",.4~g";
      tooltip.push_back(t);
    }
  }
  const ColumnProfile* px = find_profile(profiles, chart.x);
  const ColumnProfile* py = find_profile(profiles, chart.y);
  const ColumnProfile* pc = find_profile(profiles, chart.color);
  json x, y;
  if (chart.folded) {
    x = {{"field", "measure"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}};
    y = {{"field", "value"}, {"type", "quantitative"}};
    tooltip = json::array({{{"field", "measure"}}, {{"field", "value"}, {"format", ",.4~g"}}});
  } else {
    x = {{"field", field_ref(chart.x)}, {"type", axis_type(px, chart.x_temporal)}};
    y = {{"field", field_ref(chart.y)}, {"type", axis_type(py, false)}};
    // The top N's rows hold only the two plotted fields.
    if (chart.top_n > 0)
      tooltip = json::array({{{"field", field_ref(chart.x)}}, {{"field", field_ref(chart.y)}, {"format", ",.4~g"}}});
  }
  // The value axis: the domain, ticks and labels the SVG draws ("1.5M", "0").
  AxisScale scale = value_axis(chart, rows);
  y["scale"] = {{"domain", {scale.lo, scale.hi}}, {"nice", false}, {"zero", false}};
  y["axis"] = axis_encoding(scale, chart.folded ? "" : readable_column_name(chart.y));
  if (!chart.folded) {
    y["title"] = readable_column_name(chart.y);
    x["title"] = readable_column_name(chart.x);
  }
  if (chart.kind == ChartKind::kScatter) {
    AxisScale xs = value_axis(chart, rows, true);
    x["scale"] = {{"domain", {xs.lo, xs.hi}}, {"nice", false}, {"zero", false}};
    x["axis"] = axis_encoding(xs, readable_column_name(chart.x));
  }
  switch (chart.kind) {
    case ChartKind::kBar:
      if (!chart.folded) x["sort"] = nullptr;  // keep the query's ORDER BY (or the top N's order)
      if (chart.horizontal) {
        // Many categories: one bar per line, the categories down the side.
        x["axis"] = {{"labelLimit", 160}};
        spec["height"] = json{{"step", 20}};
        spec["mark"] = {{"type", "bar"}, {"tooltip", true}};
        spec["encoding"] = {{"y", x}, {"x", y}, {"tooltip", tooltip}};
      } else {
        x["axis"] = {{"labelAngle", -40}};
        spec["mark"] = {{"type", "bar"}, {"tooltip", true}};
        spec["encoding"] = {{"x", x}, {"y", y}, {"tooltip", tooltip}};
      }
      break;
    case ChartKind::kGroupedBar:
      x["sort"] = nullptr;
      spec["mark"] = {{"type", "bar"}, {"tooltip", true}};
      spec["encoding"] = {{"x", x},
                          {"y", y},
                          {"xOffset", {{"field", field_ref(chart.color)}, {"type", axis_type(pc, false)}}},
                          {"color",
                           {{"field", field_ref(chart.color)},
                            {"type", "nominal"},
                            {"title", readable_column_name(chart.color)}}},
                          {"tooltip", tooltip}};
      break;
    case ChartKind::kLine:
    case ChartKind::kMultiLine:
      spec["mark"] = {{"type", "line"}, {"point", true}, {"tooltip", true}};
      spec["encoding"] = {{"x", x}, {"y", y}, {"tooltip", tooltip}};
      if (chart.kind == ChartKind::kMultiLine)
        spec["encoding"]["color"] = {
            {"field", field_ref(chart.color)}, {"type", "nominal"}, {"title", readable_column_name(chart.color)}};
      break;
    case ChartKind::kPie:
      spec["mark"] = {{"type", "arc"}, {"tooltip", true}};
      spec["encoding"] = {{"theta", {{"field", field_ref(chart.y)}, {"type", "quantitative"}}},
                          {"color",
                           {{"field", field_ref(chart.x)},
                            {"type", "nominal"},
                            {"sort", nullptr},
                            {"title", readable_column_name(chart.x)}}},
                          {"tooltip", tooltip}};
      break;
    case ChartKind::kScatter:
      spec["mark"] = {{"type", "point"}, {"tooltip", true}};
      spec["encoding"] = {{"x", x}, {"y", y}, {"tooltip", tooltip}};
      break;
    case ChartKind::kTable: break;
  }
  return json_text(spec);
}

}  // namespace t2sql
