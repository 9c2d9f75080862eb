// A fast, non-cryptographic 64-bit hash for short keys (ids of 8-40 bytes): eight bytes
// per multiply, then a final avalanche. Deterministic across runs and machines; never
// used where an attacker's collisions would matter for security.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace wf {

inline uint64_t hash_bytes(std::string_view s) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  uint64_t h = 0x243f6a8885a308d3ULL ^ (s.size() * kMul);
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

}  // namespace wf
