#include "app/live_stats.h"

#include "core/json_writer.h"
#include "core/thread.h"

namespace wf::app {

std::string live_stats_json(const LiveSample& now, const LiveSample& before, double seconds,
                            Instant at) {
  const Histogram interval = now.latency_ns.since(before.latency_ns);
  // Percentiles of the decisions of the last second; of all of them when it had none.
  const Histogram& h = interval.count() > 0 ? interval : now.latency_ns;
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("at").string(format_utc(at));
  w.key("transactions_per_second")
      .number(seconds > 0 ? double(now.total - before.total) / seconds : 0.0, 1);
  w.key("total").number(now.total);
  w.key("flagged").number(now.flagged);
  w.key("monitored").number(now.monitored);
  w.key("fraud_rate").number(now.total > 0 ? double(now.flagged) / double(now.total) : 0.0, 4);
  w.key("decision_p50_us").number(double(h.percentile(0.5)) / 1000.0, 1);
  w.key("decision_p99_us").number(double(h.percentile(0.99)) / 1000.0, 1);
  w.key("source_lag").number(now.source_lag);
  w.end_object();
  return out;
}

LiveStats::LiveStats(api::EventHub& hub, std::function<LiveSample()> sample, int64_t period_us)
    : hub_(hub), sample_(std::move(sample)), period_us_(period_us) {
  thread_ = spawn_quiet_thread([this] { loop(); });
}

LiveStats::~LiveStats() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LiveStats::loop() {
  SystemClock clock;
  LiveSample before = sample_();
  int64_t before_us = clock.monotonic_us();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, std::chrono::microseconds(period_us_), [this] { return stop_; })) {
        return;
      }
    }
    LiveSample now = sample_();
    const int64_t now_us = clock.monotonic_us();
    hub_.publish({0, "stats", "", 0, "",
                  live_stats_json(now, before, double(now_us - before_us) / 1e6, clock.now())});
    before = std::move(now);
    before_us = now_us;
  }
}

}  // namespace wf::app
