// A small SVG renderer for the chart kinds of chart.h: enough for a person to
// open the file in a browser or an image viewer and read the numbers.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "chart/chart_layout.h"
#include "chart/column_profile.h"
#include "t2sql/chart.h"

namespace t2sql {

namespace {

constexpr const char* kPalette[] = {"#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b",
                                    "#b279a2", "#ff9da6", "#9d755d", "#bab0ac", "#1f77b4", "#2ca02c"};
constexpr int kPaletteSize = 12;

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
          out += ' ';
        else
          out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string clip(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t cut = n - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  return s.substr(0, cut) + "…";
}

struct Frame {
  double left, top, right, bottom;  // plot area
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

class Svg {
 public:
  Svg(int w, int h) : w_(w), h_(h) {}
  void add(const std::string& s) { body_ += s + "\n"; }
  void text(double x, double y, const std::string& t, const std::string& anchor = "start", int size = 12,
            const std::string& extra = "") {
    add("<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"" +
        std::to_string(size) + "\"" + extra + ">" + esc(t) + "</text>");
  }
  void line(double x1, double y1, double x2, double y2, const std::string& stroke) {
    add("<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\" stroke=\"" +
        stroke + "\"/>");
  }
  void rect(double x, double y, double w, double h, const std::string& fill, const std::string& tip) {
    add("<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(0.0, w)) + "\" height=\"" +
        num(std::max(0.0, h)) + "\" fill=\"" + fill + "\"><title>" + esc(tip) + "</title></rect>");
  }
  std::string finish(const std::string& title) const {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w_) + "\" height=\"" +
           std::to_string(h_) + "\" viewBox=\"0 0 " + std::to_string(w_) + " " + std::to_string(h_) +
           "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
    out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    if (!title.empty())
      out += "<text x=\"" + std::to_string(w_ / 2) +
             "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" "
             "font-weight=\"bold\">" +
             esc(clip(title, 90)) + "</text>\n";
    return out + body_ + "</svg>\n";
  }

 private:
  int w_, h_;
  std::string body_;
};

// Y axis with grid lines (the scale both writers share, chart_layout.h);
// returns the value -> pixel mapping's range.
std::pair<double, double> y_axis(Svg& svg, const Frame& f, const AxisScale& scale, const std::string& label) {
  for (size_t i = 0; i < scale.ticks.size(); ++i) {
    double y = f.bottom - (scale.ticks[i] - scale.lo) / (scale.hi - scale.lo) * f.height();
    svg.line(f.left, y, f.right, y, "#e6e6e6");
    svg.text(f.left - 6, y + 4, scale.labels[i], "end", 11);
  }
  svg.line(f.left, f.top, f.left, f.bottom, "#888");
  svg.text(16, (f.top + f.bottom) / 2, clip(readable_column_name(label), 40), "middle", 12,
           " transform=\"rotate(-90 16 " + num((f.top + f.bottom) / 2) + ")\"");
  return {scale.lo, scale.hi};
}

double y_pixel(const Frame& f, std::pair<double, double> range, double v) {
  return f.bottom - (v - range.first) / (range.second - range.first) * f.height();
}

void x_labels(Svg& svg, const Frame& f, const std::vector<std::string>& labels, const std::vector<double>& xs,
              const std::string& title) {
  svg.line(f.left, f.bottom, f.right, f.bottom, "#888");
  bool rotate = labels.size() > 6;
  size_t every = std::max<size_t>(1, labels.size() / 24);  // at most ~24 labels
  for (size_t i = 0; i < labels.size(); i += every) {
    std::string l = clip(labels[i], rotate ? 18 : 14);
    if (rotate)
      svg.text(xs[i], f.bottom + 12, l, "end", 11,
               " transform=\"rotate(-40 " + num(xs[i]) + " " + num(f.bottom + 12) + ")\"");
    else
      svg.text(xs[i], f.bottom + 16, l, "middle", 11);
  }
  svg.text((f.left + f.right) / 2, f.bottom + (rotate ? 78 : 38), clip(readable_column_name(title), 60), "middle", 12);
}

void legend(Svg& svg, double x, double y, const std::vector<std::string>& names, const std::string& title) {
  svg.text(x, y, clip(readable_column_name(title), 22), "start", 12, " font-weight=\"bold\"");
  for (size_t i = 0; i < names.size() && i < 16; ++i) {
    double yy = y + 18 + 18 * static_cast<double>(i);
    svg.rect(x, yy - 10, 12, 12, kPalette[i % kPaletteSize], names[i]);
    svg.text(x + 18, yy, clip(names[i], 18), "start", 11);
  }
}

std::string cell(const ResultSet& rows, size_t r, int c) {
  if (c < 0 || static_cast<size_t>(c) >= rows.rows[r].size()) return "";
  const Value& v = rows.rows[r][c];
  return v.is_null() ? "NULL" : v.to_string();
}

double measure(const ResultSet& rows, size_t r, int c) {
  if (c < 0 || static_cast<size_t>(c) >= rows.rows[r].size()) return 0;
  double v = rows.rows[r][c].as_double();
  return std::isfinite(v) ? v : 0;
}

// Distinct values of a column in first-seen order (or sorted, for time axes).
std::vector<std::string> distinct_values(const ResultSet& rows, int c, bool sorted, bool numeric_sort) {
  std::vector<std::string> out;
  std::map<std::string, bool> seen;
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    std::string v = cell(rows, r, c);
    if (!seen[v]) {
      seen[v] = true;
      out.push_back(v);
    }
  }
  if (sorted) {
    std::sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
      if (numeric_sort) return std::atof(a.c_str()) < std::atof(b.c_str());
      return a < b;
    });
  }
  return out;
}

void message(Svg& svg, int w, int h, const std::string& text) {
  svg.text(w / 2.0, h / 2.0, text, "middle", 14, " fill=\"#666\"");
}

// Many categories: one row per bar, labels on the left, the value axis on
// top and bottom; the image grows with the bars so that each stays readable.
std::string horizontal_bars(const ChartSpec& chart, const BarData& bars, const AxisScale& scale, int width) {
  const double row = 20;
  Frame f{170, 64, width - 30.0, 64 + row * static_cast<double>(bars.labels.size())};
  int height = static_cast<int>(f.bottom + 56);
  Svg svg(width, height);
  auto xpx = [&](double v) { return f.left + (v - scale.lo) / (scale.hi - scale.lo) * f.width(); };
  for (size_t i = 0; i < scale.ticks.size(); ++i) {
    double x = xpx(scale.ticks[i]);
    svg.line(x, f.top, x, f.bottom, "#e6e6e6");
    svg.text(x, f.top - 6, scale.labels[i], "middle", 11);
    svg.text(x, f.bottom + 16, scale.labels[i], "middle", 11);
  }
  svg.line(f.left, f.top, f.left, f.bottom, "#888");
  for (size_t i = 0; i < bars.labels.size(); ++i) {
    double y = f.top + row * static_cast<double>(i);
    double v = bars.values[i];
    double x0 = xpx(std::min(0.0, v)), x1 = xpx(std::max(0.0, v));
    svg.rect(x0, y + 3, x1 - x0, row - 6, bars.other && i + 1 == bars.labels.size() ? "#bab0ac" : kPalette[0],
             bars.labels[i] + ": " + short_number(v));
    svg.text(f.left - 6, y + row / 2 + 4, clip(bars.labels[i], 26), "end", 11);
  }
  svg.text((f.left + f.right) / 2, f.bottom + 38, clip(readable_column_name(chart.folded ? "value" : chart.y), 60),
           "middle", 12);
  svg.text(16, (f.top + f.bottom) / 2, clip(readable_column_name(chart.x), 40), "middle", 12,
           " transform=\"rotate(-90 16 " + num((f.top + f.bottom) / 2) + ")\"");
  return svg.finish(chart.title);
}

}  // namespace

std::string render_chart_svg(const ChartSpec& chart, const ResultSet& rows, int width, int height) {
  Svg svg(width, height);
  bool has_legend =
      chart.kind == ChartKind::kGroupedBar || chart.kind == ChartKind::kMultiLine || chart.kind == ChartKind::kPie;
  bool many_labels = rows.rows.size() > 6 || chart.folded;
  Frame f{70, 44, width - (has_legend ? 170.0 : 24.0), height - (many_labels ? 96.0 : 56.0)};
  int xi = column_index(rows, chart.x), yi = column_index(rows, chart.y), ci = column_index(rows, chart.color);
  auto profiles = profile_columns(rows);
  auto numeric_axis = [&](int c) {
    return c >= 0 && profiles[c].role != ColumnRole::kCategory && profiles[c].year_number;
  };

  if (chart.kind == ChartKind::kTable || rows.rows.empty()) {
    message(svg, width, height, "No chart: " + (chart.reason.empty() ? std::string("nothing to plot") : chart.reason));
    return svg.finish(chart.title);
  }

  if (chart.kind == ChartKind::kBar) {
    BarData bars = bar_data(chart, rows);
    AxisScale scale = value_axis(chart, rows);
    std::string value_title = chart.folded ? "value" : chart.y;
    if (chart.horizontal) return horizontal_bars(chart, bars, scale, width);
    auto range = y_axis(svg, f, scale, value_title);
    double band = f.width() / static_cast<double>(bars.labels.size());
    std::vector<double> xs;
    for (size_t i = 0; i < bars.labels.size(); ++i) {
      double x0 = f.left + band * static_cast<double>(i);
      double v = bars.values[i];
      double y0 = y_pixel(f, range, std::max(0.0, v)), y1 = y_pixel(f, range, std::min(0.0, v));
      const char* fill = bars.other && i + 1 == bars.labels.size() ? "#bab0ac" : kPalette[0];
      svg.rect(x0 + band * 0.12, y0, band * 0.76, y1 - y0, fill, bars.labels[i] + ": " + short_number(v));
      xs.push_back(x0 + band / 2);
    }
    x_labels(svg, f, bars.labels, xs, chart.folded ? "" : chart.x);
    return svg.finish(chart.title);
  }

  if (chart.kind == ChartKind::kGroupedBar) {
    auto groups = distinct_values(rows, xi, false, false);
    auto series = distinct_values(rows, ci, numeric_axis(ci), true);
    std::map<std::pair<std::string, std::string>, double> value;
    for (size_t r = 0; r < rows.rows.size(); ++r) value[{cell(rows, r, xi), cell(rows, r, ci)}] = measure(rows, r, yi);
    auto range = y_axis(svg, f, value_axis(chart, rows), chart.y);
    double band = f.width() / static_cast<double>(groups.size());
    double sub = band * 0.8 / static_cast<double>(series.size());
    std::vector<double> xs;
    for (size_t g = 0; g < groups.size(); ++g) {
      double x0 = f.left + band * static_cast<double>(g) + band * 0.1;
      for (size_t s = 0; s < series.size(); ++s) {
        auto it = value.find({groups[g], series[s]});
        if (it == value.end()) continue;
        double y0 = y_pixel(f, range, std::max(0.0, it->second)), y1 = y_pixel(f, range, std::min(0.0, it->second));
        svg.rect(x0 + sub * static_cast<double>(s), y0, sub * 0.92, y1 - y0, kPalette[s % kPaletteSize],
                 groups[g] + ", " + series[s] + ": " + short_number(it->second));
      }
      xs.push_back(f.left + band * (static_cast<double>(g) + 0.5));
    }
    x_labels(svg, f, groups, xs, chart.x);
    legend(svg, f.right + 20, f.top + 10, series, chart.color);
    return svg.finish(chart.title);
  }

  if (chart.kind == ChartKind::kLine || chart.kind == ChartKind::kMultiLine) {
    auto xs_text = distinct_values(rows, xi, true, numeric_axis(xi));
    std::map<std::string, size_t> xpos;
    for (size_t i = 0; i < xs_text.size(); ++i) xpos[xs_text[i]] = i;
    std::vector<std::string> series = ci >= 0 ? distinct_values(rows, ci, false, false) : std::vector<std::string>{""};
    std::map<std::string, std::vector<std::pair<size_t, double>>> points;
    for (size_t r = 0; r < rows.rows.size(); ++r)
      points[ci >= 0 ? cell(rows, r, ci) : ""].push_back({xpos[cell(rows, r, xi)], measure(rows, r, yi)});
    auto range = y_axis(svg, f, value_axis(chart, rows), chart.y);
    auto px = [&](size_t i) {
      return xs_text.size() == 1
                 ? (f.left + f.right) / 2
                 : f.left + 10 + (f.width() - 20) * static_cast<double>(i) / static_cast<double>(xs_text.size() - 1);
    };
    for (size_t s = 0; s < series.size(); ++s) {
      auto& pts = points[series[s]];
      std::sort(pts.begin(), pts.end());
      std::string path;
      for (const auto& [i, v] : pts) path += (path.empty() ? "" : " ") + num(px(i)) + "," + num(y_pixel(f, range, v));
      const char* color = kPalette[s % kPaletteSize];
      svg.add("<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"2\" points=\"" + path +
              "\"/>");
      for (const auto& [i, v] : pts)
        svg.add("<circle cx=\"" + num(px(i)) + "\" cy=\"" + num(y_pixel(f, range, v)) + "\" r=\"3\" fill=\"" + color +
                "\"><title>" + esc((series[s].empty() ? "" : series[s] + ", ") + xs_text[i] + ": " + short_number(v)) +
                "</title></circle>");
    }
    std::vector<double> xs;
    for (size_t i = 0; i < xs_text.size(); ++i) xs.push_back(px(i));
    x_labels(svg, f, xs_text, xs, chart.x);
    if (chart.kind == ChartKind::kMultiLine) legend(svg, f.right + 20, f.top + 10, series, chart.color);
    return svg.finish(chart.title);
  }

  if (chart.kind == ChartKind::kPie) {
    double total = 0;
    for (size_t r = 0; r < rows.rows.size(); ++r) total += std::max(0.0, measure(rows, r, yi));
    if (total <= 0) {
      message(svg, width, height, "No chart: the parts add up to nothing");
      return svg.finish(chart.title);
    }
    double cx = (f.left + f.right) / 2, cy = (f.top + f.bottom) / 2 + 10;
    double radius = std::min(f.width(), f.height()) / 2;
    double angle = -M_PI / 2;
    std::vector<std::string> names;
    for (size_t r = 0; r < rows.rows.size(); ++r) {
      double v = std::max(0.0, measure(rows, r, yi));
      double sweep = v / total * 2 * M_PI;
      std::string tip = cell(rows, r, xi) + ": " + short_number(v) + " (" + short_number(100 * v / total) + "%)";
      names.push_back(cell(rows, r, xi));
      const char* color = kPalette[r % kPaletteSize];
      if (sweep >= 2 * M_PI - 1e-9) {
        svg.add("<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(radius) + "\" fill=\"" + color +
                "\"><title>" + esc(tip) + "</title></circle>");
      } else if (sweep > 0) {
        double x1 = cx + radius * std::cos(angle), y1 = cy + radius * std::sin(angle);
        double x2 = cx + radius * std::cos(angle + sweep), y2 = cy + radius * std::sin(angle + sweep);
        svg.add("<path d=\"M" + num(cx) + "," + num(cy) + " L" + num(x1) + "," + num(y1) + " A" + num(radius) + "," +
                num(radius) + " 0 " + (sweep > M_PI ? "1" : "0") + ",1 " + num(x2) + "," + num(y2) + " Z\" fill=\"" +
                color + "\" stroke=\"white\"><title>" + esc(tip) + "</title></path>");
      }
      angle += sweep;
    }
    legend(svg, f.right + 20, f.top + 10, names, chart.x);
    return svg.finish(chart.title);
  }

  // Scatter.
  auto range = y_axis(svg, f, value_axis(chart, rows), chart.y);
  AxisScale xt = value_axis(chart, rows, true);
  auto xpx = [&](double v) { return f.left + (v - xt.lo) / (xt.hi - xt.lo) * f.width(); };
  svg.line(f.left, f.bottom, f.right, f.bottom, "#888");
  for (size_t i = 0; i < xt.ticks.size(); ++i) svg.text(xpx(xt.ticks[i]), f.bottom + 16, xt.labels[i], "middle", 11);
  svg.text((f.left + f.right) / 2, f.bottom + 38, clip(readable_column_name(chart.x), 60), "middle", 12);
  for (size_t r = 0; r < rows.rows.size() && r < 5000; ++r) {
    double x = measure(rows, r, xi), y = measure(rows, r, yi);
    svg.add("<circle cx=\"" + num(xpx(x)) + "\" cy=\"" + num(y_pixel(f, range, y)) + "\" r=\"3.5\" fill=\"" +
            kPalette[0] + "\" fill-opacity=\"0.7\"><title>" + esc(short_number(x) + ", " + short_number(y)) +
            "</title></circle>");
  }
  return svg.finish(chart.title);
}

}  // namespace t2sql
