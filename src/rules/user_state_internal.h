// The layout of one user's state inside UserStateTable, shared by user_state.cc and
// engine.cc only.
//
// A slot is `kHeaderWords + ring_capacity` uint32 words:
//   [0, 2)  last activity, microseconds (int64; 0 = never)
//   [2, 4)  time of the previous located event, microseconds (int64)
//   [4]     its latitude (float)     [5] its longitude (float)
//   [6, 8)  ring base, milliseconds since the epoch (int64)
//   [8]     bits 0-7: times kept in the ring; bit 8: a location is kept
//   [9, ..) ring: the newest event times as ascending millisecond offsets from the base
//
// The ring keeps the `capacity` newest event times, sorted, so an event that arrives
// late is counted against the times around its own. With capacity = 2 * max_count the
// count is exact for a late event as long as at most max_count of the user's newer
// events came before it. Times are kept at millisecond resolution (the events' own
// resolution in practice), 32-bit offsets from a per-user base cover 49 days, far more
// than any velocity window (pack_internal.h bounds them to 7 days).
//
// Fields are read and written with memcpy: the words are plain uint32 storage, so there
// is no type punning; compilers turn each access into a single load or store.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/time.h"

namespace wf::rules::internal {

inline constexpr size_t kHeaderWords = 9;
// Ring entries older than this (relative to a new time that no longer fits the 32-bit
// offset) are beyond any window and are dropped when the base moves.
inline constexpr int64_t kRingKeepMs = int64_t{1} << 31;

// Floor of t / 1000, also for times before the epoch.
inline int64_t floor_ms(Instant t) {
  int64_t q = t / 1000;
  return (t % 1000 < 0) ? q - 1 : q;
}

class SlotRef {
 public:
  SlotRef(uint32_t* words, int ring_capacity) : w_(words), capacity_(ring_capacity) {}

  Instant last_activity() const { return load64(0); }
  void set_last_activity(Instant t) { store64(0, t); }

  bool has_location() const { return (w_[8] & kHasLocation) != 0; }
  Instant location_time() const { return load64(2); }
  float lat() const { return loadf(4); }
  float lon() const { return loadf(5); }
  void set_location(Instant t, double lat, double lon) {
    store64(2, t);
    storef(4, static_cast<float>(lat));
    storef(5, static_cast<float>(lon));
    w_[8] |= kHasLocation;
  }
  void clear_location() { w_[8] &= ~kHasLocation; }

  int ring_size() const { return static_cast<int>(w_[8] & kSizeMask); }
  int ring_capacity() const { return capacity_; }

  // How many kept times t satisfy lo_ms <= t <= hi_ms.
  int count_between(int64_t lo_ms, int64_t hi_ms) const {
    const int64_t base = load64(6);
    int64_t lo = lo_ms - base;
    int64_t hi = hi_ms - base;
    if (hi < 0 || lo > int64_t{UINT32_MAX} || lo > hi) return 0;
    const uint32_t lo32 = lo < 0 ? 0 : static_cast<uint32_t>(lo);
    const uint32_t hi32 = hi > int64_t{UINT32_MAX} ? UINT32_MAX : static_cast<uint32_t>(hi);
    const uint32_t* ring = w_ + kHeaderWords;
    const int n = ring_size();
    int count = 0;
    for (int i = 0; i < n; ++i) count += (ring[i] >= lo32) & (ring[i] <= hi32);
    return count;
  }

  // Adds an event time (ms), keeping the `capacity` newest.
  void record_time(int64_t t_ms);
  // Drops kept times before `before_ms`; true when any was dropped.
  bool drop_times_before(int64_t before_ms);

 private:
  static constexpr uint32_t kSizeMask = 0xff;
  static constexpr uint32_t kHasLocation = 0x100;

  int64_t load64(int at) const {
    int64_t v;
    std::memcpy(&v, w_ + at, sizeof v);
    return v;
  }
  void store64(int at, int64_t v) { std::memcpy(w_ + at, &v, sizeof v); }
  float loadf(int at) const {
    float v;
    std::memcpy(&v, w_ + at, sizeof v);
    return v;
  }
  void storef(int at, float v) { std::memcpy(w_ + at, &v, sizeof v); }
  void set_ring_size(int n) { w_[8] = (w_[8] & ~kSizeMask) | static_cast<uint32_t>(n); }

  uint32_t* w_;
  int capacity_;
};

}  // namespace wf::rules::internal
