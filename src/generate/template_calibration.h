// TemplateCalibration: turns the template engine's reading of a question
// (ReadingFeatures: words left unplaced, how strongly each name was linked,
// values found, the query's shape, the guesses the rules made) into the
// probability that its answer is right. A logistic model over the features,
// then an isotonic (monotone, piecewise-linear) map of its output, both fitted
// on Spider train by `t2sql eval ... --fit-calibration FILE`; the fitted file
// (data/template_calibration.json) is compiled in.
//
//   const TemplateCalibration& cal = TemplateCalibration::builtin();
//   double p = cal.probability(features);  // 0..1
//   bool answer = p >= cal.threshold();
//
// Immutable after construction; thread-safe. Errors: from_json says why a
// calibration file is unusable (kInvalidArgument).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

// The reading's features by name. A feature the model has no weight for
// counts 0; one the model weighs but the reading lacks counts 0 as well, so
// rules may add features before a refit learns their weights.
using ReadingFeatures = std::map<std::string, double>;

// One labelled reading for fitting: its features and whether the answer was right.
struct CalibrationSample {
  ReadingFeatures features;
  bool correct = false;
  // Whether the threshold is set on this sample too. Readings of an extra
  // suite (`eval --fit-also`) shape the fit but not the threshold, so that
  // an easy suite, right on every answer, cannot lower the threshold below
  // what the main suite needs.
  bool sets_threshold = true;
  // The database the question was asked on: cross-fitting and the
  // held-out measurement keep all of a database's readings in one fold, so
  // that no reading is scored by a fit that saw its database.
  std::string group;
};

struct CalibrationFitOptions {
  double l2 = 1.0;                // ridge penalty on the standardized weights
  double target_accuracy = 0.85;  // the threshold: the lowest at which accuracy on answered reaches this
  std::string fitted_on;          // a note for the file (the suite and its size)
  std::string command;            // the command that refits it, for the file
  // With 2 or more: cross-fitting by database. The logistic model is fitted
  // on every sample, but the isotonic map and the threshold are fitted on
  // each sample's logistic output from a fit that left out its database's
  // fold, so that they describe databases the fit never saw (in-sample
  // outputs are over-confident at the top). 0 or 1: in-sample, as before.
  int folds = 0;
};

// The held-out-database measurement: every sample scored by a calibration
// fitted without its database (k-fold by `group`).
struct HeldOutCalibration {
  std::vector<double> probability;  // per sample, in the samples' order
  std::vector<double> threshold;    // per sample: the threshold of the fit that scored it
};

// The fold (0..folds-1) of a database: a fixed hash of its name (FNV-1a), so
// that the split is the same on every machine and run.
int calibration_fold(const std::string& group, int folds);

class TemplateCalibration {
 public:
  TemplateCalibration() = default;

  // The calibration compiled in from data/template_calibration.json. With
  // no weights (an empty file), probability() is the rules' own score.
  static const TemplateCalibration& builtin();

  static Result<TemplateCalibration> from_json(const std::string& text);
  std::string to_json() const;

  // Logistic regression (Newton's method with an L2 penalty) on the samples'
  // standardized features, then isotonic regression (pool adjacent
  // violators) of the labels on the logistic output. kInvalidArgument when
  // the samples have only one label.
  static Result<TemplateCalibration> fit(const std::vector<CalibrationSample>& samples,
                                         const CalibrationFitOptions& options);

  // Fits `folds` calibrations, each without one fold of databases (by
  // calibration_fold of `group`), and scores that fold's samples with it.
  // kInvalidArgument when folds < 2 or a fold's complement has one label.
  static Result<HeldOutCalibration> cross_validate(const std::vector<CalibrationSample>& samples,
                                                   const CalibrationFitOptions& options, int folds);

  bool empty() const { return weights_.empty(); }
  double probability(const ReadingFeatures& features) const;
  // The logistic model's output before the isotonic map.
  double logistic(const ReadingFeatures& features) const;
  // Answer at or above this probability; abstain below.
  double threshold() const { return threshold_; }

  const std::vector<std::pair<std::string, double>>& weights() const { return weights_; }

 private:
  std::vector<std::pair<std::string, double>> weights_;  // on the raw feature scale
  double bias_ = 0;
  std::vector<std::pair<double, double>> isotonic_;  // (logistic output, probability), increasing
  double threshold_ = 0.7;
  std::string fitted_on_, command_;
  int samples_ = 0;
  int folds_ = 0;

  // The logistic part of fit(): weights and bias on the raw feature scale.
  static Result<TemplateCalibration> fit_logistic(const std::vector<CalibrationSample>& samples, double l2);
  // The isotonic map of `scored` (logistic output, right) and the threshold
  // on the `sets` entries of the mapped probabilities.
  void fit_isotonic_and_threshold(std::vector<std::pair<double, bool>> scored, const std::vector<bool>& sets,
                                  double target_accuracy);
  double isotonic(double s) const;
};

}  // namespace t2sql
