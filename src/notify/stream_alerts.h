// Alert conditions on the running pipeline (seed 002's alerting): consumer lag over a
// threshold, processing stalled, a fraud rate well above the recent hours, and bursts of
// flagged transactions. Fed the pipeline's running totals about once a second; each
// condition sends one message when it starts and one when it clears, so a long incident
// is one conversation, not a flood.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include "core/time.h"
#include "notify/notifier.h"

namespace wf::notify {

struct AlertThresholds {
  int64_t lag_records = 100'000;
  int64_t lag_for_us = 2 * kMicrosPerMinute;
  int64_t stall_after_us = 2 * kMicrosPerMinute;
  double fraud_rate_factor = 3.0;
  int64_t fraud_window_us = 15 * kMicrosPerMinute;
  int64_t fraud_baseline_us = 3 * kMicrosPerHour;
  double fraud_rate_min = 0.02;
  int64_t fraud_min_facts = 200;  // in the window, for a rate worth comparing
  // A burst: within burst_window, at least burst_flagged FLAG decisions and burst_factor
  // times as many as a window of the baseline hours had on average.
  int64_t burst_flagged = 50;
  double burst_factor = 5.0;
  int64_t burst_window_us = kMicrosPerMinute;
  int64_t burst_quiet_us = 5 * kMicrosPerMinute;
};

// Running totals since the pipeline started.
struct PipelineTotals {
  int64_t records = 0;    // read
  int64_t committed = 0;  // records whose batch is in the store
  int64_t facts = 0;
  int64_t flagged = 0;
  int64_t lag = -1;  // records waiting in the source; -1 unknown
};

class StreamAlerts {
 public:
  StreamAlerts(AlertThresholds thresholds, std::function<void(Message)> send)
      : t_(thresholds), send_(std::move(send)) {}

  void observe(Instant now, const PipelineTotals& totals);

 private:
  struct Sample {
    Instant at;
    int64_t facts, flagged;
  };
  // Totals at or just before `at` (the oldest sample when none is that old).
  const Sample& at_or_before(Instant at) const;
  void check_lag(Instant now, const PipelineTotals& p);
  void check_stall(Instant now, const PipelineTotals& p);
  void check_fraud_rate(Instant now, const PipelineTotals& p);
  void check_burst(Instant now, const PipelineTotals& p);
  void emit(Instant now, std::string event, Severity severity, std::string title, std::string text,
            std::vector<std::pair<std::string, std::string>> fields);

  AlertThresholds t_;
  std::function<void(Message)> send_;
  std::deque<Sample> samples_;  // one per observe(), kept for the baseline window
  Instant last_sample_ = 0;

  Instant lag_since_ = 0;
  bool lag_alerting_ = false;
  int64_t last_committed_ = -1;
  Instant last_commit_at_ = 0;
  bool stalled_ = false;
  bool fraud_alerting_ = false;
  bool in_burst_ = false;
  Instant burst_last_seen_ = 0;
};

}  // namespace wf::notify
