// Log-linear histogram of non-negative integers (latencies in ns or us): 16 sub-buckets
// per power of two, so a percentile is within ~6% of the true value. Fixed memory, no
// allocation when recording. Not thread-safe; merge() per-thread copies.
#pragma once

#include <array>
#include <cstdint>

namespace wf {

class Histogram {
 public:
  void record(uint64_t value) {
    ++counts_[index(value)];
    ++total_;
  }
  void merge(const Histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
  }
  // This histogram minus an earlier snapshot of it: the values recorded in between.
  Histogram since(const Histogram& earlier) const {
    Histogram d;
    for (size_t i = 0; i < counts_.size(); ++i) {
      d.counts_[i] = counts_[i] >= earlier.counts_[i] ? counts_[i] - earlier.counts_[i] : 0;
      d.total_ += d.counts_[i];
    }
    return d;
  }
  void clear() { *this = Histogram(); }
  uint64_t count() const { return total_; }
  // Upper bound of the bucket holding the q-quantile (q in [0, 1]); 0 when empty.
  uint64_t percentile(double q) const {
    if (total_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return upper(i);
    }
    return upper(counts_.size() - 1);
  }
  // Values recorded in buckets lying wholly at or below `bound` (Prometheus' cumulative
  // "le" buckets; a bucket straddling the bound counts above it).
  uint64_t count_at_most(uint64_t bound) const {
    uint64_t n = 0;
    for (size_t i = 0; i < counts_.size() && upper(i) <= bound; ++i) n += counts_[i];
    return n;
  }
  // The sum of the recorded values, estimated from bucket midpoints.
  double approximate_sum() const {
    double sum = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] == 0) continue;
      const double lo = i == 0 ? 0.0 : double(upper(i - 1) + 1);
      sum += double(counts_[i]) * (lo + double(upper(i))) / 2.0;
    }
    return sum;
  }

 private:
  static constexpr int kSubBits = 4;
  static constexpr size_t kLinear = 32;  // values below are exact
  static constexpr size_t kBuckets = kLinear + (64 - 5) * 16;

  static size_t index(uint64_t v) {
    if (v < kLinear) return static_cast<size_t>(v);
    int e = 63 - __builtin_clzll(v);  // >= 5
    return kLinear + static_cast<size_t>(e - 5) * 16 + ((v >> (e - kSubBits)) & 15);
  }
  static uint64_t upper(size_t i) {
    if (i < kLinear) return i;
    size_t k = i - kLinear;
    int e = static_cast<int>(k / 16) + 5;
    uint64_t sub = k % 16;
    return ((16 + sub + 1) << (e - kSubBits)) - 1;
  }

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
};

}  // namespace wf
