// Nanosecond durations from the CPU's time-stamp counter: per-event latency is measured
// twice per event, and a TSC read costs a few ns where clock_gettime costs ~20. The TSC
// rate is calibrated once against steady_clock (about 2 ms, by the first ticks() call).
// Falls back to steady_clock where the TSC is not invariant or not x86. Thread-safe.
#pragma once

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace wf {

class CycleTimer {
 public:
  // Opaque tick count; only differences mean something.
  static uint64_t ticks() {
#if defined(__x86_64__)
    if (mode() == Mode::kTsc) return __rdtsc();
#endif
    return fallback_ticks();
  }
  static int64_t to_ns(uint64_t ticks);
  static int64_t elapsed_ns(uint64_t start) { return to_ns(ticks() - start); }

 private:
  enum class Mode : uint8_t { kUnknown, kTsc, kSteady };
  static Mode mode() {
    Mode m = mode_;
    return m != Mode::kUnknown ? m : calibrate();
  }
  static Mode calibrate();
  static uint64_t fallback_ticks();
  static inline Mode mode_ = Mode::kUnknown;  // written once by calibrate()
};

}  // namespace wf
