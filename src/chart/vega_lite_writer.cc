#include <nlohmann/json.hpp>

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

}  // namespace

std::string chart_to_vega_lite(const ChartSpec& chart, const ResultSet& rows, size_t max_points) {
  if (chart.kind == ChartKind::kTable) return "";
  auto profiles = profile_columns(rows);
  json values = json::array();
  if (chart.folded) {
    if (!rows.rows.empty()) {
      for (size_t c = 0; c < rows.columns.size(); ++c) {
        const Value& v = rows.rows[0][c];
        if (!v.is_number()) continue;
        values.push_back({{"measure", rows.columns[c]}, {"value", json_value(v)}});
      }
    }
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
  }
  // Large measures read better as 10M than 10,000,000.
  y["axis"] = {{"format", "~s"}};
  if (!chart.folded) {
    y["title"] = readable_column_name(chart.y);
    x["title"] = readable_column_name(chart.x);
  }
  if (chart.kind == ChartKind::kScatter) x["axis"] = {{"format", "~s"}};
  switch (chart.kind) {
    case ChartKind::kBar:
      if (!chart.folded) x["sort"] = nullptr;  // keep the query's ORDER BY
      x["axis"] = {{"labelAngle", -40}};
      spec["mark"] = {{"type", "bar"}, {"tooltip", true}};
      spec["encoding"] = {{"x", x}, {"y", y}, {"tooltip", tooltip}};
      break;
    case ChartKind::kGroupedBar:
      x["sort"] = nullptr;
      spec["mark"] = {{"type", "bar"}, {"tooltip", true}};
      spec["encoding"] = {{"x", x},
                          {"y", y},
                          {"xOffset", {{"field", field_ref(chart.color)}, {"type", axis_type(pc, false)}}},
                          {"color", {{"field", field_ref(chart.color)}, {"type", "nominal"}}},
                          {"tooltip", tooltip}};
      break;
    case ChartKind::kLine:
    case ChartKind::kMultiLine:
      spec["mark"] = {{"type", "line"}, {"point", true}, {"tooltip", true}};
      spec["encoding"] = {{"x", x}, {"y", y}, {"tooltip", tooltip}};
      if (chart.kind == ChartKind::kMultiLine)
        spec["encoding"]["color"] = {{"field", field_ref(chart.color)}, {"type", "nominal"}};
      break;
    case ChartKind::kPie:
      spec["mark"] = {{"type", "arc"}, {"tooltip", true}};
      spec["encoding"] = {{"theta", {{"field", field_ref(chart.y)}, {"type", "quantitative"}}},
                          {"color", {{"field", field_ref(chart.x)}, {"type", "nominal"}, {"sort", nullptr}}},
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
