// ProgressBar: shows how far long work (evaluation, training, indexing) has
// got, its rate and the time left. On a terminal it redraws one line in
// place; otherwise (a log, a pipe, CI) it prints a plain line now and then so
// that logs stay readable.
//
//   ProgressBar bar({.total = cases.size(), .label = "eval", .unit = "q"});
//   for (...) { work(); bar.advance(); }
//   bar.finish();
//
// Thread-safe: workers may call advance() concurrently. Owns no stream; it
// writes to the one given (std::cerr by default), which must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <string>

namespace t2sql {

struct ProgressOptions {
  int64_t total = 0;        // 0: unknown (no percentage, no time left)
  std::string label;        // shown first, e.g. "eval demo"
  std::string unit = "it";  // what is counted, for the rate ("12.3 q/s")
  // kAuto: redraw in place when the stream is stderr/stdout on a terminal.
  enum class Style { kAuto, kTerminal, kPlain, kSilent } style = Style::kAuto;
  double plain_interval_s = 5.0;  // plain style: at most one line this often (plus 25% steps)
};

class ProgressBar {
 public:
  explicit ProgressBar(ProgressOptions options);
  ProgressBar(ProgressOptions options, std::ostream& out);
  ~ProgressBar();  // finish()es if the caller did not
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Adds `n` done items; `note` (optional) replaces the trailing note.
  void advance(int64_t n = 1, const std::string& note = "");
  // Draws the final state once; later calls do nothing.
  void finish();

  int64_t done() const;
  // Seconds left at the current rate; negative when unknown.
  double eta_seconds() const;
  // The line as it would be drawn now (without "\r"), for tests and logs.
  std::string render() const;

  // "1:02:03" or "2:03"; "?" for negative input.
  static std::string format_duration(double seconds);
  // "12.3 MiB": memory figures in training logs and reports.
  static std::string format_mib(size_t bytes);

 private:
  std::string render_locked(bool terminal) const;
  double elapsed_s_locked() const;
  void draw_locked(bool final_draw);

  ProgressOptions options_;
  std::ostream& out_;
  bool terminal_ = false;
  mutable std::mutex mu_;
  int64_t done_ = 0;       // guarded by mu_
  std::string note_;       // guarded by mu_
  bool finished_ = false;  // guarded by mu_
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;  // guarded by mu_
  int last_plain_quarter_ = 0;                       // guarded by mu_
  size_t last_width_ = 0;                            // guarded by mu_
};

}  // namespace t2sql
