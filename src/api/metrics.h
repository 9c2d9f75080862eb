// Prometheus text exposition (format 0.0.4) for the API: requests by route, method and
// status, and request latency histograms by route. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "core/histogram.h"

namespace wf::api {

class ApiMetrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void record(const std::string& route, const std::string& method, int status, double seconds);
  // The metrics' text, # HELP and # TYPE lines included.
  std::string text() const;

 private:
  struct Latency {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Latency> latency_;
};

// A label value escaped for the exposition format (backslash, quote, newline).
std::string prometheus_label(const std::string& value);

// A histogram of integer values in `unit`s per second-based bound (1e9 for nanoseconds,
// 1e6 for microseconds, 1e3 for milliseconds) as a Prometheus histogram in seconds.
std::string prometheus_histogram(const std::string& name, const std::string& help,
                                 const Histogram& h, double units_per_second);

}  // namespace wf::api
