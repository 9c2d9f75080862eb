#include "core/cycle_timer.h"

#include <chrono>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

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

double g_ns_per_tick = 1.0;
std::once_flag g_once;

}  // namespace

CycleTimer::Mode CycleTimer::calibrate() {
  std::call_once(g_once, [] {
    Mode m = Mode::kSteady;
#if defined(__x86_64__)
    if (invariant_tsc()) {
      int64_t t0 = steady_ns();
      uint64_t c0 = __rdtsc();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      int64_t t1 = steady_ns();
      uint64_t c1 = __rdtsc();
      if (c1 > c0 && t1 > t0) {
        g_ns_per_tick = static_cast<double>(t1 - t0) / static_cast<double>(c1 - c0);
        m = Mode::kTsc;
      }
    }
#endif
    // Through the enum's integer type: clang's __atomic builtins take integers only.
    __atomic_store_n(reinterpret_cast<uint8_t*>(&mode_), static_cast<uint8_t>(m), __ATOMIC_RELEASE);
  });
  return static_cast<Mode>(__atomic_load_n(reinterpret_cast<uint8_t*>(&mode_), __ATOMIC_ACQUIRE));
}

uint64_t CycleTimer::fallback_ticks() { return static_cast<uint64_t>(steady_ns()); }

int64_t CycleTimer::to_ns(uint64_t ticks) {
  return mode() == Mode::kTsc ? static_cast<int64_t>(static_cast<double>(ticks) * g_ns_per_tick)
                              : static_cast<int64_t>(ticks);
}

}  // namespace wf
