#include "core/cycle_timer.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace wf {
namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool invariant_tsc() {
#if defined(__x86_64__)
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) {
      return line.find(" constant_tsc") != std::string::npos &&
             line.find(" nonstop_tsc") != std::string::npos;
    }
  }
#endif
  return false;
}

struct Calibration {
  bool use_tsc = false;
  double ns_per_tick = 1.0;
};

const Calibration& calibration() {
  static const Calibration c = [] {
    Calibration c;
#if defined(__x86_64__)
    if (invariant_tsc()) {
      int64_t t0 = steady_ns();
      uint64_t c0 = __rdtsc();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      int64_t t1 = steady_ns();
      uint64_t c1 = __rdtsc();
      if (c1 > c0 && t1 > t0) {
        c.use_tsc = true;
        c.ns_per_tick = static_cast<double>(t1 - t0) / static_cast<double>(c1 - c0);
      }
    }
#endif
    return c;
  }();
  return c;
}

}  // namespace

uint64_t CycleTimer::ticks() {
#if defined(__x86_64__)
  if (calibration().use_tsc) return __rdtsc();
#endif
  return static_cast<uint64_t>(steady_ns());
}

int64_t CycleTimer::to_ns(uint64_t ticks) {
  const Calibration& c = calibration();
  return c.use_tsc ? static_cast<int64_t>(static_cast<double>(ticks) * c.ns_per_tick)
                   : static_cast<int64_t>(ticks);
}

}  // namespace wf
