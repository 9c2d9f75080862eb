// The one-line status printed every second while a stream runs: rate, totals, flagged,
// monitored, dead letters, p99 decision latency over the last interval. On a TTY the line is
// redrawn in place; otherwise (when enabled) one line per second is appended. Called from one
// thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>

#include "core/time.h"
#include "pipeline/runner.h"

namespace wf::app {

using pipeline::RunnerSnapshot;

class StatusLine {
 public:
  StatusLine(const Clock& clock, bool tty, bool lines_when_not_tty = false, std::FILE* out = stderr)
      : clock_(clock), tty_(tty), enabled_(tty || lines_when_not_tty), out_(out) {
    last_us_ = start_us_ = clock_.monotonic_us();
  }
  // Prints when a second has passed since the last line (or `final` and enabled).
  void maybe_print(const RunnerSnapshot& s, bool final);

 private:
  const Clock& clock_;
  bool tty_;
  bool enabled_;
  std::FILE* out_;
  int64_t last_us_;
  int64_t start_us_;
  int64_t last_records_ = 0;
  Histogram last_latency_;  // cumulative histogram at the previous line
  bool printed_ = false;
};

// Runs `runner` until it ends or the stop flag is set (also set once `stop_after_us` has
// passed, when > 0), printing `status` from a helper thread; prints the final line.
// `observe`, when set, sees the runner's totals on every tick (about ten times a second).
Status run_with_status(pipeline::Runner& runner, StatusLine& status, const Clock& clock,
                       int64_t stop_after_us = 0,
                       const std::function<void(const RunnerSnapshot&)>& observe = {});

}  // namespace wf::app
