#include "api/metrics.h"

#include <cstdio>

namespace wf::api {

std::string prometheus_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string prometheus_histogram(const std::string& name, const std::string& help,
                                 const Histogram& h, double units_per_second) {
  static constexpr double kBounds[] = {0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                       0.0025,  0.005,   0.01,   0.025,   0.05,   0.1,
                                       0.25,    0.5,     1.0,    2.5,     5.0,    10.0};
  std::string out = "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
  char num[64];
  for (double b : kBounds) {
    std::snprintf(num, sizeof num, "%g", b);
    out += name + "_bucket{le=\"" + num + "\"} " +
           std::to_string(h.count_at_most(static_cast<uint64_t>(b * units_per_second))) + "\n";
  }
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(h.count()) + "\n";
  std::snprintf(num, sizeof num, "%.9f", h.approximate_sum() / units_per_second);
  out += name + "_sum " + num + "\n";
  out += name + "_count " + std::to_string(h.count()) + "\n";
  return out;
}

void ApiMetrics::record(const std::string& route, const std::string& method, int status,
                        double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, method, status}];
  Latency& l = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++l.buckets[i];
  }
  ++l.count;
  l.sum += seconds;
}

std::string ApiMetrics::text() const {
  std::lock_guard lock(mu_);
  std::string out =
      "# HELP walletflow_api_requests_total API requests by route, method and status.\n"
      "# TYPE walletflow_api_requests_total counter\n";
  char num[64];
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += "walletflow_api_requests_total{route=\"" + prometheus_label(route) + "\",method=\"" +
           method + "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP walletflow_api_request_duration_seconds API request latency by route.\n"
      "# TYPE walletflow_api_request_duration_seconds histogram\n";
  for (const auto& [route, l] : latency_) {
    const std::string r = "route=\"" + prometheus_label(route) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      std::snprintf(num, sizeof num, "%g", kBuckets[i]);
      out += "walletflow_api_request_duration_seconds_bucket{" + r + ",le=\"" + num + "\"} " +
             std::to_string(l.buckets[i]) + "\n";
    }
    out += "walletflow_api_request_duration_seconds_bucket{" + r + ",le=\"+Inf\"} " +
           std::to_string(l.count) + "\n";
    std::snprintf(num, sizeof num, "%.6f", l.sum);
    out += "walletflow_api_request_duration_seconds_sum{" + r + "} " + num + "\n";
    out += "walletflow_api_request_duration_seconds_count{" + r + "} " + std::to_string(l.count) +
           "\n";
  }
  return out;
}

}  // namespace wf::api
