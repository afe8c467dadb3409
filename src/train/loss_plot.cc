#include "train/loss_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace t2sql::train {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string loss_curve_svg(const std::vector<std::pair<int, double>>& train,
                           const std::vector<std::pair<int, double>>& valid, const std::string& title) {
  const double W = 720, H = 400, L = 60, R = 20, T = 40, B = 50;
  int max_step = 1;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto* series : {&train, &valid})
    for (const auto& [s, v] : *series) {
      if (!std::isfinite(v)) continue;
      max_step = std::max(max_step, s);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-9) hi = lo + 1;
  lo = std::max(0.0, lo - 0.05 * (hi - lo));
  auto x = [&](double s) { return L + (W - L - R) * s / max_step; };
  auto y = [&](double v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W
    << " " << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << W / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << escape(title) << "</text>\n";
  o << "<line x1=\"" << L << "\" y1=\"" << H - B << "\" x2=\"" << W - R << "\" y2=\"" << H - B
    << "\" stroke=\"#333\"/>\n<line x1=\"" << L << "\" y1=\"" << T << "\" x2=\"" << L << "\" y2=\"" << H - B
    << "\" stroke=\"#333\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double v = lo + (hi - lo) * i / 4;
    o << "<text x=\"" << L - 6 << "\" y=\"" << y(v) + 4 << "\" text-anchor=\"end\">" << num(v) << "</text>\n";
    o << "<line x1=\"" << L << "\" y1=\"" << y(v) << "\" x2=\"" << W - R << "\" y2=\"" << y(v)
      << "\" stroke=\"#eee\"/>\n";
    const double s = max_step * i / 4.0;
    o << "<text x=\"" << x(s) << "\" y=\"" << H - B + 18 << "\" text-anchor=\"middle\">" << num(std::round(s))
      << "</text>\n";
  }
  o << "<text x=\"" << (L + W - R) / 2 << "\" y=\"" << H - 10 << "\" text-anchor=\"middle\">step</text>\n";
  o << "<text x=\"16\" y=\"" << (T + H - B) / 2 << "\" transform=\"rotate(-90 16 " << (T + H - B) / 2
    << ")\" text-anchor=\"middle\">loss (answer tokens)</text>\n";
  if (!train.empty()) {
    o << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"";
    for (const auto& [s, v] : train)
      if (std::isfinite(v)) o << num(x(s)) << "," << num(y(v)) << " ";
    o << "\"/>\n";
  }
  if (!valid.empty()) {
    o << "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\" points=\"";
    for (const auto& [s, v] : valid)
      if (std::isfinite(v)) o << num(x(s)) << "," << num(y(v)) << " ";
    o << "\"/>\n";
    for (const auto& [s, v] : valid)
      if (std::isfinite(v)) o << "<circle cx=\"" << num(x(s)) << "\" cy=\"" << num(y(v)) << "\" r=\"3\" fill=\"#d62728\"/>\n";
  }
  o << "<text x=\"" << W - R - 150 << "\" y=\"" << T + 10 << "\" fill=\"#1f77b4\">&#8212; train</text>\n";
  o << "<text x=\"" << W - R - 80 << "\" y=\"" << T + 10 << "\" fill=\"#d62728\">- - validation</text>\n";
  o << "</svg>\n";
  return o.str();
}

}  // namespace t2sql::train
