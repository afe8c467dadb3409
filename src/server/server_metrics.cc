#include "server/server_metrics.h"

#include <cstdio>

namespace t2sql {

namespace {

// Label values escape backslash, quote and newline.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void ServerMetrics::count_request(const std::string& route, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
}

void ServerMetrics::observe_latency(const std::string& route, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void ServerMetrics::count_question(const std::string& mode, const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++questions_[{mode, outcome}];
}

void ServerMetrics::count_rejection(const std::string& mode) {
  std::lock_guard<std::mutex> lock(mu_);
  ++rejections_[mode];
}

void ServerMetrics::add_inflight(int delta) {
  std::lock_guard<std::mutex> lock(mu_);
  inflight_ += delta;
}

std::string ServerMetrics::render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP t2sql_http_requests_total HTTP requests by route and status code.\n";
  out += "# TYPE t2sql_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out += "t2sql_http_requests_total{route=\"" + label(key.first) + "\",code=\"" + std::to_string(key.second) +
           "\"} " + std::to_string(n) + "\n";
  out += "# HELP t2sql_http_request_duration_seconds Time to answer an API request.\n";
  out += "# TYPE t2sql_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::string r = label(route);
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out += "t2sql_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"" + fmt(kBuckets[i]) + "\"} " +
             std::to_string(h.buckets[i]) + "\n";
    out +=
        "t2sql_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += "t2sql_http_request_duration_seconds_sum{route=\"" + r + "\"} " + fmt(h.sum) + "\n";
    out += "t2sql_http_request_duration_seconds_count{route=\"" + r + "\"} " + std::to_string(h.count) + "\n";
  }
  out += "# HELP t2sql_questions_total Questions by mode and outcome (answered, abstained, refused, failed).\n";
  out += "# TYPE t2sql_questions_total counter\n";
  for (const auto& [key, n] : questions_)
    out += "t2sql_questions_total{mode=\"" + label(key.first) + "\",outcome=\"" + label(key.second) + "\"} " +
           std::to_string(n) + "\n";
  out += "# HELP t2sql_engine_busy_rejections_total Requests answered 503 because an engine's queue was full.\n";
  out += "# TYPE t2sql_engine_busy_rejections_total counter\n";
  for (const auto& [mode, n] : rejections_)
    out += "t2sql_engine_busy_rejections_total{mode=\"" + label(mode) + "\"} " + std::to_string(n) + "\n";
  out += "# HELP t2sql_http_inflight_requests API requests being answered now.\n";
  out += "# TYPE t2sql_http_inflight_requests gauge\n";
  out += "t2sql_http_inflight_requests " + std::to_string(inflight_) + "\n";
  return out;
}

}  // namespace t2sql
