// Once a second, the pipeline's live figures as a `stats` event on the EventHub: what the
// dashboard's overview shows (GET /api/v1/stream?types=stats).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "api/event_hub.h"
#include "core/histogram.h"
#include "core/time.h"

namespace wf::app {

struct LiveSample {
  int64_t total = 0;  // transactions decided (stored) so far
  int64_t flagged = 0;
  int64_t monitored = 0;
  Histogram latency_ns;     // decision time, cumulative
  int64_t source_lag = -1;  // -1: unknown
};

// The event's JSON for a sample and the one a second before it.
std::string live_stats_json(const LiveSample& now, const LiveSample& before, double seconds,
                            Instant at);

class LiveStats {
 public:
  LiveStats(api::EventHub& hub, std::function<LiveSample()> sample,
            int64_t period_us = kMicrosPerSecond);
  ~LiveStats();

 private:
  void loop();

  api::EventHub& hub_;
  std::function<LiveSample()> sample_;
  int64_t period_us_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wf::app
