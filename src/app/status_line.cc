#include "app/status_line.h"

namespace wf::app {

void StatusLine::maybe_print(const RunnerSnapshot& s, bool final) {
  if (!enabled_) return;
  int64_t now = clock_.monotonic_us();
  int64_t elapsed = now - last_us_;
  if (!final && elapsed < kMicrosPerSecond) return;
  double rate = elapsed > 0 ? static_cast<double>(s.records - last_records_) * 1e6 /
                                  static_cast<double>(elapsed)
                            : 0.0;
  std::fprintf(out_,
               "%s%9.0f tx/s | total %lld | stored %lld | flagged %lld | monitored %lld | "
               "dead letters %lld | p99 decision %.1f us%s",
               tty_ ? "\r\033[K" : "", rate, static_cast<long long>(s.records),
               static_cast<long long>(s.facts), static_cast<long long>(s.flagged),
               static_cast<long long>(s.monitored), static_cast<long long>(s.dead_letters),
               static_cast<double>(s.p99_ns) / 1000.0, tty_ && !final ? "" : "\n");
  std::fflush(out_);
  printed_ = true;
  last_us_ = now;
  last_records_ = s.records;
}

}  // namespace wf::app
