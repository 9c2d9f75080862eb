// Helpers shared by the Engine's .cc files (engine*.cc); internal to the rules module.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/hash.h"
#include "rules/program.h"

namespace wf::rules::internal {

inline constexpr int64_t kMissing = INT64_MIN;  // a kept integer value that was missing

// a - b, saturated: events may carry any time, and overflow must not be UB.
inline int64_t sat_sub(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_sub_overflow(a, b, &out)) return b < 0 ? INT64_MAX : INT64_MIN;
  return out;
}

// Rounds half away from zero, saturating (never kMissing).
inline int64_t to_int(double v) {
  if (!(v > -9.2e18 && v < 9.2e18)) return v > 0 ? INT64_MAX : (v < 0 ? INT64_MIN + 1 : 0);
  return static_cast<int64_t>(std::llround(v));
}

inline uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t hash_value(const Reg& r, Type t) {
  if (t == Type::kString) return hash_bytes(std::string_view(r.s, static_cast<size_t>(r.i)));
  if (t == Type::kNumber) {
    uint64_t bits;
    double d = r.d == 0 ? 0.0 : r.d;  // -0 and 0 are one value
    std::memcpy(&bits, &d, sizeof bits);
    return mix(bits);
  }
  return mix(static_cast<uint64_t>(r.i));
}

// A 32-bit hash for distinct_count; 0 marks a missing value.
inline uint32_t hash32(const Reg& r, Type t) {
  uint32_t h = static_cast<uint32_t>(hash_value(r, t));
  return h == 0 ? 1 : h;
}

// The number at the end of an id ("u000123" -> 123); false when there is none.
inline bool trailing_number(const Reg& r, Type t, int64_t* out) {
  if (r.null) return false;
  if (t == Type::kInt) {
    *out = r.i;
    return true;
  }
  size_t end = static_cast<size_t>(r.i);
  size_t b = end;
  while (b > 0 && r.s[b - 1] >= '0' && r.s[b - 1] <= '9' && end - b < 18) --b;
  if (b == end) return false;
  int64_t v = 0;
  for (size_t i = b; i < end; ++i) v = v * 10 + (r.s[i] - '0');
  *out = v;
  return true;
}

// Records one event time (and its column values) in a ring; engine_state.cc.
void ring_record(const Ring& ring, uint32_t* ring_words, int64_t t_ms, const Reg* regs);

}  // namespace wf::rules::internal
