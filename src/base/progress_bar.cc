#include "base/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace t2sql {

namespace {

constexpr double kRedrawInterval_s = 0.1;
constexpr int kBarWidth = 28;

bool stream_is_terminal(const std::ostream& out) {
  if (&out == &std::cerr || &out == &std::clog) return isatty(STDERR_FILENO) == 1;
  if (&out == &std::cout) return isatty(STDOUT_FILENO) == 1;
  return false;
}

std::string format_rate(double rate) {
  char buf[32];
  if (rate >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", rate);
  } else if (rate >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f", rate);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", rate);
  }
  return buf;
}

}  // namespace

ProgressBar::ProgressBar(ProgressOptions options) : ProgressBar(std::move(options), std::cerr) {}

ProgressBar::ProgressBar(ProgressOptions options, std::ostream& out) : options_(std::move(options)), out_(out) {
  switch (options_.style) {
    case ProgressOptions::Style::kAuto: terminal_ = stream_is_terminal(out_); break;
    case ProgressOptions::Style::kTerminal: terminal_ = true; break;
    default: terminal_ = false; break;
  }
  start_ = last_draw_ = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (terminal_ && options_.style != ProgressOptions::Style::kSilent) draw_locked(false);
}

ProgressBar::~ProgressBar() {
  finish();
}

std::string ProgressBar::format_mib(size_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return b;
}

std::string ProgressBar::format_duration(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return "?";
  auto s = static_cast<int64_t>(std::llround(seconds));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  }
  return buf;
}

double ProgressBar::elapsed_s_locked() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

int64_t ProgressBar::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

double ProgressBar::eta_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  double elapsed = elapsed_s_locked();
  if (options_.total <= 0 || done_ <= 0 || elapsed <= 0) return -1;
  double rate = done_ / elapsed;
  return std::max<double>(0, options_.total - done_) / rate;
}

std::string ProgressBar::render() const {
  std::lock_guard<std::mutex> lock(mu_);
  return render_locked(terminal_);
}

std::string ProgressBar::render_locked(bool terminal) const {
  double elapsed = elapsed_s_locked();
  double rate = elapsed > 0 ? done_ / elapsed : 0;
  std::string line = options_.label.empty() ? "" : options_.label + " ";
  if (options_.total > 0) {
    double frac = std::min(1.0, static_cast<double>(done_) / options_.total);
    if (terminal) {
      int filled = static_cast<int>(frac * kBarWidth);
      line += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
    }
    char pct[16];
    std::snprintf(pct, sizeof pct, " (%d%%)", static_cast<int>(frac * 100));
    line += std::to_string(done_) + "/" + std::to_string(options_.total) + pct;
  } else {
    line += std::to_string(done_);
  }
  line += " " + format_rate(rate) + " " + options_.unit + "/s";
  if (finished_) {
    line += ", " + format_duration(elapsed) + " elapsed";
  } else if (options_.total > 0 && done_ > 0) {
    double eta = std::max<double>(0, options_.total - done_) / rate;
    line += ", " + format_duration(eta) + " left";
  }
  if (!note_.empty()) line += "  " + note_;
  return line;
}

void ProgressBar::draw_locked(bool final_draw) {
  std::string line = render_locked(terminal_);
  if (terminal_) {
    // Pad over the previous, possibly longer, line.
    std::string pad = line.size() < last_width_ ? std::string(last_width_ - line.size(), ' ') : "";
    out_ << "\r" << line << pad;
    if (final_draw) out_ << "\n";
    last_width_ = line.size();
  } else {
    out_ << line << "\n";
  }
  out_.flush();
  last_draw_ = std::chrono::steady_clock::now();
}

void ProgressBar::advance(int64_t n, const std::string& note) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  done_ += n;
  if (!note.empty()) note_ = note;
  if (options_.style == ProgressOptions::Style::kSilent) return;
  double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_draw_).count();
  if (terminal_) {
    if (since >= kRedrawInterval_s || (options_.total > 0 && done_ >= options_.total)) draw_locked(false);
    return;
  }
  // Plain: a line at each quarter, and otherwise at most every interval.
  int quarter = options_.total > 0 ? static_cast<int>(4 * done_ / options_.total) : 0;
  if (quarter > last_plain_quarter_ || since >= options_.plain_interval_s) {
    last_plain_quarter_ = std::max(last_plain_quarter_, quarter);
    if (options_.total > 0 && done_ >= options_.total) return;  // finish() prints the last line
    draw_locked(false);
  }
}

void ProgressBar::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (options_.style == ProgressOptions::Style::kSilent) return;
  draw_locked(true);
}

}  // namespace t2sql
