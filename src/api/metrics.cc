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
