#include "generate/template_calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>

namespace t2sql {

// The text of data/template_calibration.json, compiled in by CMake
// (cmake/template_calibration_data.cc.in).
extern const char* const kTemplateCalibrationJson;

namespace {

using json = nlohmann::json;

double sigmoid(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  double e = std::exp(z);
  return e / (1 + e);
}

// Solves a x = b for a symmetric positive definite a (Cholesky); false when
// a is not.
bool solve_spd(std::vector<std::vector<double>> a, std::vector<double> b, std::vector<double>& x) {
  size_t n = b.size();
  for (size_t j = 0; j < n; ++j) {
    double d = a[j][j];
    for (size_t k = 0; k < j; ++k) d -= a[j][k] * a[j][k];
    if (d <= 1e-12) return false;
    a[j][j] = std::sqrt(d);
    for (size_t i = j + 1; i < n; ++i) {
      double s = a[i][j];
      for (size_t k = 0; k < j; ++k) s -= a[i][k] * a[j][k];
      a[i][j] = s / a[j][j];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < i; ++k) b[i] -= a[i][k] * b[k];
    b[i] /= a[i][i];
  }
  for (size_t i = n; i-- > 0;) {
    for (size_t k = i + 1; k < n; ++k) b[i] -= a[k][i] * b[k];
    b[i] /= a[i][i];
  }
  x = std::move(b);
  return true;
}

// Each sample's fold (calibration_fold of its database).
std::vector<int> sample_folds(const std::vector<CalibrationSample>& samples, int folds) {
  std::vector<int> fold(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) fold[i] = calibration_fold(samples[i].group, folds);
  return fold;
}

// The samples outside fold f into *rest; false when fold f holds none.
bool split_fold(const std::vector<CalibrationSample>& samples, const std::vector<int>& fold, int f,
                std::vector<CalibrationSample>* rest) {
  bool any = false;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (fold[i] == f)
      any = true;
    else
      rest->push_back(samples[i]);
  }
  return any;
}

}  // namespace

const TemplateCalibration& TemplateCalibration::builtin() {
  static const TemplateCalibration kBuiltin = [] {
    auto parsed = from_json(kTemplateCalibrationJson);
    // The file is checked in and tested (template_calibration_test); a broken
    // one falls back to the rules' own score rather than failing every question.
    return parsed.ok() ? std::move(parsed).value() : TemplateCalibration();
  }();
  return kBuiltin;
}

double TemplateCalibration::logistic(const ReadingFeatures& features) const {
  double z = bias_;
  for (const auto& [name, w] : weights_) {
    auto it = features.find(name);
    if (it != features.end()) z += w * it->second;
  }
  return sigmoid(z);
}

double TemplateCalibration::isotonic(double s) const {
  if (isotonic_.empty()) return s;
  if (s <= isotonic_.front().first) return isotonic_.front().second;
  if (s >= isotonic_.back().first) return isotonic_.back().second;
  auto hi = std::lower_bound(isotonic_.begin(), isotonic_.end(), s,
                             [](const std::pair<double, double>& p, double v) { return p.first < v; });
  auto lo = hi - 1;
  double span = hi->first - lo->first;
  double f = span > 0 ? (s - lo->first) / span : 1;
  return lo->second + f * (hi->second - lo->second);
}

double TemplateCalibration::probability(const ReadingFeatures& features) const {
  if (weights_.empty()) {
    auto raw = features.find("rule_score");
    return raw == features.end() ? 0 : std::clamp(raw->second, 0.0, 1.0);
  }
  return isotonic(logistic(features));
}

int calibration_fold(const std::string& group, int folds) {
  if (folds < 2) return 0;
  uint32_t h = 2166136261u;
  for (unsigned char ch : group) {
    h ^= ch;
    h *= 16777619u;
  }
  return static_cast<int>(h % static_cast<uint32_t>(folds));
}

Result<TemplateCalibration> TemplateCalibration::from_json(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid_argument("template calibration: not a JSON object");
  TemplateCalibration c;
  try {
    if (j.contains("weights")) {
      if (!j["weights"].is_object()) return invalid_argument("template calibration: 'weights' is not an object");
      for (const auto& [name, w] : j["weights"].items()) c.weights_.emplace_back(name, w.get<double>());
    }
    c.bias_ = j.value("bias", 0.0);
    c.threshold_ = j.value("threshold", 0.7);
    if (j.contains("isotonic")) {
      for (const auto& p : j["isotonic"]) {
        if (!p.is_array() || p.size() != 2)
          return invalid_argument("template calibration: 'isotonic' wants [score, probability] pairs");
        c.isotonic_.emplace_back(p[0].get<double>(), p[1].get<double>());
      }
    }
    c.fitted_on_ = j.value("fitted_on", "");
    c.command_ = j.value("command", "");
    c.samples_ = j.value("samples", 0);
    c.folds_ = j.value("folds", 0);
  } catch (const json::exception& e) {
    return invalid_argument(std::string("template calibration: ") + e.what());
  }
  if (c.threshold_ < 0 || c.threshold_ > 1) return invalid_argument("template calibration: threshold outside [0, 1]");
  for (size_t i = 1; i < c.isotonic_.size(); ++i) {
    if (c.isotonic_[i].first < c.isotonic_[i - 1].first || c.isotonic_[i].second < c.isotonic_[i - 1].second)
      return invalid_argument("template calibration: 'isotonic' is not increasing");
  }
  return c;
}

std::string TemplateCalibration::to_json() const {
  json j;
  j["comment"] =
      "The template engine's confidence calibration (src/generate/template_calibration.h): "
      "P(right) = isotonic(sigmoid(bias + sum weight * feature)). Refit after changing the rules with the "
      "command below, then rebuild.";
  j["fitted_on"] = fitted_on_;
  j["command"] = command_;
  j["samples"] = samples_;
  j["folds"] = folds_;
  j["threshold"] = threshold_;
  j["bias"] = bias_;
  json w = json::object();
  for (const auto& [name, v] : weights_) w[name] = v;
  j["weights"] = w;
  json iso = json::array();
  for (const auto& [s, p] : isotonic_) iso.push_back({s, p});
  j["isotonic"] = iso;
  return j.dump(2) + "\n";
}

Result<TemplateCalibration> TemplateCalibration::fit_logistic(const std::vector<CalibrationSample>& samples,
                                                              double l2) {
  std::set<std::string> names_set;
  int positives = 0;
  for (const auto& s : samples) {
    for (const auto& [name, v] : s.features) names_set.insert(name);
    positives += s.correct;
  }
  if (positives == 0 || positives == static_cast<int>(samples.size()))
    return invalid_argument("calibration needs both right and wrong answers among the samples");
  std::vector<std::string> names(names_set.begin(), names_set.end());
  size_t n = samples.size(), d = names.size();

  // Standardized design matrix; constant features are dropped.
  std::vector<double> mean(d, 0), sd(d, 0);
  std::vector<std::vector<double>> x(n, std::vector<double>(d, 0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < d; ++k) {
      auto it = samples[i].features.find(names[k]);
      x[i][k] = it == samples[i].features.end() ? 0 : it->second;
      mean[k] += x[i][k];
    }
  }
  for (size_t k = 0; k < d; ++k) mean[k] /= static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < d; ++k) sd[k] += (x[i][k] - mean[k]) * (x[i][k] - mean[k]);
  }
  std::vector<size_t> used;
  for (size_t k = 0; k < d; ++k) {
    sd[k] = std::sqrt(sd[k] / static_cast<double>(n));
    if (sd[k] > 1e-9) used.push_back(k);
  }
  size_t m = used.size() + 1;  // + intercept (last)
  std::vector<double> beta(m, 0);
  double base = static_cast<double>(positives) / static_cast<double>(n);
  beta[m - 1] = std::log(base / (1 - base));
  auto row = [&](size_t i, std::vector<double>& z) {
    z.assign(m, 1.0);
    for (size_t u = 0; u < used.size(); ++u) z[u] = (x[i][used[u]] - mean[used[u]]) / sd[used[u]];
  };
  std::vector<double> z;
  for (int iter = 0; iter < 50; ++iter) {
    std::vector<std::vector<double>> h(m, std::vector<double>(m, 0));
    std::vector<double> g(m, 0);
    for (size_t i = 0; i < n; ++i) {
      row(i, z);
      double eta = 0;
      for (size_t a = 0; a < m; ++a) eta += beta[a] * z[a];
      double p = sigmoid(eta), w = std::max(p * (1 - p), 1e-9);
      double r = p - (samples[i].correct ? 1.0 : 0.0);
      for (size_t a = 0; a < m; ++a) {
        g[a] += r * z[a];
        for (size_t b = 0; b <= a; ++b) h[a][b] += w * z[a] * z[b];
      }
    }
    for (size_t a = 0; a < m; ++a) {
      for (size_t b = 0; b < a; ++b) h[b][a] = h[a][b];
      if (a + 1 < m) {
        g[a] += l2 * beta[a];
        h[a][a] += l2;
      }
    }
    std::vector<double> step;
    if (!solve_spd(h, g, step)) return internal_error("calibration: the Newton system is singular");
    double change = 0;
    for (size_t a = 0; a < m; ++a) {
      beta[a] -= step[a];
      change = std::max(change, std::fabs(step[a]));
    }
    if (change < 1e-8) break;
  }

  TemplateCalibration c;
  c.bias_ = beta[m - 1];
  for (size_t u = 0; u < used.size(); ++u) {
    double w = beta[u] / sd[used[u]];
    c.bias_ -= w * mean[used[u]];
    c.weights_.emplace_back(names[used[u]], w);
  }
  return c;
}

void TemplateCalibration::fit_isotonic_and_threshold(std::vector<std::pair<double, bool>> scored,
                                                     const std::vector<bool>& sets, double target_accuracy) {
  std::vector<std::pair<double, bool>> threshold_scores;
  for (size_t i = 0; i < scored.size(); ++i) {
    if (sets[i]) threshold_scores.push_back(scored[i]);
  }
  // Isotonic regression of the labels on the logistic output (pool adjacent
  // violators); each block becomes one point at its mean score, its rate
  // shrunk a little towards the middle (one right and one wrong pseudo-answer
  // per block) so that a small block never says 0 or 1.
  std::sort(scored.begin(), scored.end());
  struct Block {
    double sum_s = 0, sum_y = 0, count = 0;
  };
  std::vector<Block> blocks;
  for (const auto& [s, y] : scored) {
    blocks.push_back({s, y ? 1.0 : 0.0, 1});
    while (blocks.size() > 1) {
      Block& b = blocks.back();
      Block& a = blocks[blocks.size() - 2];
      if (a.sum_y / a.count < b.sum_y / b.count) break;
      a.sum_s += b.sum_s;
      a.sum_y += b.sum_y;
      a.count += b.count;
      blocks.pop_back();
    }
  }
  double last_p = -1;
  for (const auto& b : blocks) {
    double p = (b.sum_y + 1) / (b.count + 2);
    p = std::max(p, last_p);  // the shrinkage may reorder small blocks: keep it increasing
    last_p = p;
    double s = b.sum_s / b.count;
    if (!isotonic_.empty() && s <= isotonic_.back().first) s = isotonic_.back().first + 1e-12;
    isotonic_.emplace_back(s, p);
  }

  // The threshold: the lowest probability at which the answers at or above
  // it are right at least target_accuracy of the time, on the samples that
  // set it.
  std::vector<std::pair<double, bool>> calibrated;
  for (const auto& [s, y] : threshold_scores) calibrated.emplace_back(isotonic(s), y);
  std::sort(calibrated.begin(), calibrated.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  double right = 0;
  threshold_ = 1.0;
  for (size_t i = 0; i < calibrated.size(); ++i) {
    right += calibrated[i].second;
    bool boundary = i + 1 == calibrated.size() || calibrated[i + 1].first < calibrated[i].first;
    if (boundary && right / static_cast<double>(i + 1) >= target_accuracy) threshold_ = calibrated[i].first;
  }
}

Result<TemplateCalibration> TemplateCalibration::fit(const std::vector<CalibrationSample>& samples,
                                                     const CalibrationFitOptions& options) {
  auto fitted = fit_logistic(samples, options.l2);
  if (!fitted.ok()) return fitted.status();
  TemplateCalibration c = std::move(fitted).value();
  std::vector<std::pair<double, bool>> scored(samples.size());
  std::vector<bool> sets(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    scored[i] = {c.logistic(samples[i].features), samples[i].correct};
    sets[i] = samples[i].sets_threshold;
  }
  if (options.folds >= 2) {
    // Cross-fitting: each sample's score comes from the logistic model
    // fitted without its database's fold.
    const std::vector<int> fold = sample_folds(samples, options.folds);
    for (int f = 0; f < options.folds; ++f) {
      std::vector<CalibrationSample> rest;
      if (!split_fold(samples, fold, f, &rest)) continue;
      auto part = fit_logistic(rest, options.l2);
      if (!part.ok()) return invalid_argument("calibration fold " + std::to_string(f) + ": " + part.status().message());
      for (size_t i = 0; i < samples.size(); ++i) {
        if (fold[i] == f) scored[i].first = part->logistic(samples[i].features);
      }
    }
  }
  c.fit_isotonic_and_threshold(std::move(scored), sets, options.target_accuracy);
  c.fitted_on_ = options.fitted_on;
  c.command_ = options.command;
  c.samples_ = static_cast<int>(samples.size());
  c.folds_ = options.folds >= 2 ? options.folds : 0;
  return c;
}

Result<HeldOutCalibration> TemplateCalibration::cross_validate(const std::vector<CalibrationSample>& samples,
                                                               const CalibrationFitOptions& options, int folds) {
  if (folds < 2) return invalid_argument("held-out calibration needs 2 or more folds");
  HeldOutCalibration out;
  out.probability.assign(samples.size(), 0);
  out.threshold.assign(samples.size(), 1);
  const std::vector<int> fold = sample_folds(samples, folds);
  for (int f = 0; f < folds; ++f) {
    std::vector<CalibrationSample> rest;
    if (!split_fold(samples, fold, f, &rest)) continue;
    auto cal = fit(rest, options);
    if (!cal.ok()) return invalid_argument("held-out fold " + std::to_string(f) + ": " + cal.status().message());
    for (size_t i = 0; i < samples.size(); ++i) {
      if (fold[i] != f) continue;
      out.probability[i] = cal->probability(samples[i].features);
      out.threshold[i] = cal->threshold();
    }
  }
  return out;
}

}  // namespace t2sql
