#include "app/status_line.h"

#include <atomic>
#include <thread>

#include "app/common.h"
#include "core/thread.h"

namespace wf::app {

void StatusLine::maybe_print(const RunnerSnapshot& s, bool final) {
  if (!enabled_) return;
  int64_t now = clock_.monotonic_us();
  int64_t elapsed = now - last_us_;
  if (!final && elapsed < kMicrosPerSecond) return;
  // The final line gives the average over the whole run, not a partial last second.
  int64_t span = final ? now - start_us_ : elapsed;
  int64_t done = final ? s.records : s.records - last_records_;
  double rate = span > 0 ? static_cast<double>(done) * 1e6 / static_cast<double>(span) : 0.0;
  // p99 of the decisions made since the previous line (all of them on the final line).
  Histogram interval = final ? s.latency_ns : s.latency_ns.since(last_latency_);
  uint64_t p99 = interval.count() > 0 ? interval.percentile(0.99) : s.p99_ns;
  char lag[48] = "";
  if (s.source_lag >= 0) {
    std::snprintf(lag, sizeof lag, " | lag %lld", static_cast<long long>(s.source_lag));
  }
  std::fprintf(out_,
               "%s%9.0f tx/s | total %lld | stored %lld | flagged %lld | monitored %lld | "
               "dead letters %lld | p99 decision %.1f us%s%s",
               tty_ ? "\r\033[K" : "", rate, static_cast<long long>(s.records),
               static_cast<long long>(s.facts), static_cast<long long>(s.flagged),
               static_cast<long long>(s.monitored), static_cast<long long>(s.dead_letters),
               static_cast<double>(p99) / 1000.0, lag, tty_ && !final ? "" : "\n");
  std::fflush(out_);
  printed_ = true;
  last_us_ = now;
  last_records_ = s.records;
  last_latency_ = s.latency_ns;
}

Status run_with_status(pipeline::Runner& runner, StatusLine& status, const Clock& clock,
                       int64_t stop_after_us,
                       const std::function<void(const RunnerSnapshot&)>& observe) {
  std::atomic<bool> done{false};
  int64_t started = clock.monotonic_us();
  std::thread ticker = spawn_quiet_thread([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const RunnerSnapshot snap = runner.snapshot();
      status.maybe_print(snap, false);
      if (observe) observe(snap);
      if (stop_after_us > 0 && clock.monotonic_us() - started >= stop_after_us) {
        stop_flag().store(true);
      }
    }
  });
  Status result = runner.run(stop_flag());
  done = true;
  ticker.join();
  status.maybe_print(runner.snapshot(), true);
  return result;
}

}  // namespace wf::app
