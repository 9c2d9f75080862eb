// Small deterministic helpers shared by the ph-ewallet generator: stable hashes (so
// per-user attributes need no storage), great-circle distance and weighted choice.
// Internal to src/gen.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/rng.h"

namespace wf::gen::internal {

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Uniform double in [0, 1) from a hash.
inline double unit_from_hash(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

inline double distance_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * kRad;
  const double dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6371.0088 * std::asin(std::min(1.0, std::sqrt(a)));
}

// Picks an index with probability proportional to its weight in O(log n).
class WeightedPicker {
 public:
  WeightedPicker() = default;
  explicit WeightedPicker(std::span<const double> weights) {
    double sum = 0;
    cumulative_.reserve(weights.size());
    for (double w : weights) cumulative_.push_back(sum += w);
  }
  size_t pick(Rng& rng) const {
    const double x = rng.uniform() * cumulative_.back();
    auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
    return std::min(static_cast<size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
  }
  bool empty() const { return cumulative_.empty(); }

 private:
  std::vector<double> cumulative_;
};

}  // namespace wf::gen::internal

namespace wf::gen::internal {

// The nine digits after "+639" of a user's phone number (phone_number_for()).
inline uint64_t phone_digits(std::string_view user_id) {
  return mix64(fnv1a64(user_id)) % 1'000'000'000ULL;
}

}  // namespace wf::gen::internal
