// Nanosecond durations from the CPU's time-stamp counter: per-event latency is measured
// twice per event, and a TSC read costs a few ns where clock_gettime costs ~20. The TSC
// rate is calibrated once against steady_clock (about 2 ms, on first use). Falls back to
// steady_clock where the TSC is not invariant or not x86. Thread-safe.
#pragma once

#include <cstdint>

namespace wf {

class CycleTimer {
 public:
  // Opaque tick count; only differences mean something.
  static uint64_t ticks();
  static int64_t to_ns(uint64_t ticks);
  static int64_t elapsed_ns(uint64_t start) { return to_ns(ticks() - start); }
};

}  // namespace wf
