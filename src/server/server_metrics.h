// ServerMetrics: the counters and latency histograms behind GET /metrics,
// written in the Prometheus text format (version 0.0.4). Thread-safe: every
// method takes the one mutex; updates are a few map operations.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace t2sql {

class ServerMetrics {
 public:
  void count_request(const std::string& route, int status);
  void observe_latency(const std::string& route, double seconds);
  void count_question(const std::string& mode, const std::string& outcome);
  void count_rejection(const std::string& mode);
  void add_inflight(int delta);

  std::string render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5,   10.0};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;           // guarded by mu_
  std::map<std::string, Histogram> latency_;                           // guarded by mu_
  std::map<std::pair<std::string, std::string>, uint64_t> questions_;  // guarded by mu_
  std::map<std::string, uint64_t> rejections_;                         // guarded by mu_
  int64_t inflight_ = 0;                                               // guarded by mu_
};

}  // namespace t2sql
