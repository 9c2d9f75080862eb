#include "notify/stream_alerts.h"

#include <cstdio>

namespace wf::notify {
namespace {

std::string percent(double rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", rate * 100);
  return buf;
}

std::string minutes(int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f min", double(us) / double(kMicrosPerMinute));
  return buf;
}

}  // namespace

void StreamAlerts::emit(Instant now, std::string event, Severity severity, std::string title,
                        std::string text, std::vector<std::pair<std::string, std::string>> fields) {
  Message m;
  m.event = std::move(event);
  m.severity = severity;
  m.title = std::move(title);
  m.text = std::move(text);
  m.fields = std::move(fields);
  m.at = now;
  send_(std::move(m));
}

const StreamAlerts::Sample& StreamAlerts::at_or_before(Instant at) const {
  // Samples are in time order; the last one at or before `at`.
  size_t lo = 0, hi = samples_.size();
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (samples_[mid].at <= at) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return samples_[lo];
}

void StreamAlerts::observe(Instant now, const PipelineTotals& p) {
  if (!samples_.empty() && now - last_sample_ < kMicrosPerSecond) return;
  last_sample_ = now;
  samples_.push_back({now, p.facts, p.flagged});
  const Instant keep = t_.fraud_baseline_us + t_.fraud_window_us + kMicrosPerMinute;
  while (samples_.size() > 2 && samples_[1].at < now - keep) samples_.pop_front();
  check_lag(now, p);
  check_stall(now, p);
  check_fraud_rate(now, p);
  check_burst(now, p);
}

void StreamAlerts::check_lag(Instant now, const PipelineTotals& p) {
  if (p.lag >= t_.lag_records) {
    if (lag_since_ == 0) lag_since_ = now;
    if (!lag_alerting_ && now - lag_since_ >= t_.lag_for_us) {
      lag_alerting_ = true;
      emit(now, "consumer_lag", Severity::kWarning, "Consumer lag is high",
           std::to_string(p.lag) + " records are waiting in the source, above " +
               std::to_string(t_.lag_records) + " for " + minutes(now - lag_since_) +
               ". Processing is falling behind the stream.",
           {{"lag", std::to_string(p.lag)}, {"threshold", std::to_string(t_.lag_records)}});
    }
    return;
  }
  lag_since_ = 0;
  if (lag_alerting_) {
    lag_alerting_ = false;
    emit(now, "consumer_lag_resolved", Severity::kInfo, "Consumer lag is back to normal",
         std::to_string(std::max<int64_t>(p.lag, 0)) + " records waiting.",
         {{"lag", std::to_string(std::max<int64_t>(p.lag, 0))}});
  }
}

void StreamAlerts::check_stall(Instant now, const PipelineTotals& p) {
  const bool pending = p.records > p.committed || p.lag > 0;
  if (p.committed != last_committed_ || !pending) {
    last_committed_ = p.committed;
    last_commit_at_ = now;
    if (stalled_) {
      stalled_ = false;
      emit(now, "processing_resumed", Severity::kInfo, "Processing resumed",
           "Batches are being committed again.", {{"committed", std::to_string(p.committed)}});
    }
    return;
  }
  if (!stalled_ && now - last_commit_at_ >= t_.stall_after_us) {
    stalled_ = true;
    emit(now, "processing_stalled", Severity::kCritical, "Processing has stalled",
         "No batch has been committed for " + minutes(now - last_commit_at_) + " while " +
             std::to_string(p.records - p.committed + std::max<int64_t>(p.lag, 0)) +
             " records wait. Check the store and the process's log.",
         {{"committed", std::to_string(p.committed)},
          {"read", std::to_string(p.records)},
          {"lag", std::to_string(p.lag)}});
  }
}

void StreamAlerts::check_fraud_rate(Instant now, const PipelineTotals& p) {
  const Instant window_start = now - t_.fraud_window_us;
  const Sample& w = at_or_before(window_start);
  const Sample& b = at_or_before(window_start - t_.fraud_baseline_us);
  // A baseline of at least one window's length before the window.
  if (w.at > window_start || w.at - b.at < t_.fraud_window_us) return;
  const int64_t facts_w = p.facts - w.facts, flagged_w = p.flagged - w.flagged;
  const int64_t facts_b = w.facts - b.facts, flagged_b = w.flagged - b.flagged;
  if (facts_w < t_.fraud_min_facts || facts_b < t_.fraud_min_facts) return;
  const double rate_w = double(flagged_w) / double(facts_w);
  const double rate_b = double(flagged_b) / double(facts_b);
  const bool high = rate_w >= t_.fraud_rate_min && rate_w > t_.fraud_rate_factor * rate_b;
  if (high && !fraud_alerting_) {
    fraud_alerting_ = true;
    emit(now, "fraud_rate_high", Severity::kCritical, "Unusual fraud rate",
         "The last " + minutes(t_.fraud_window_us) + " flagged " + percent(rate_w) +
             " of transactions, against " + percent(rate_b) + " over the " + minutes(w.at - b.at) +
             " before: a fraud wave or a rule misfiring.",
         {{"rate", percent(rate_w)},
          {"baseline", percent(rate_b)},
          {"flagged", std::to_string(flagged_w)},
          {"transactions", std::to_string(facts_w)}});
  } else if (!high && fraud_alerting_) {
    fraud_alerting_ = false;
    emit(now, "fraud_rate_normal", Severity::kInfo, "Fraud rate back to normal",
         "The last " + minutes(t_.fraud_window_us) + " flagged " + percent(rate_w) + " (baseline " +
             percent(rate_b) + ").",
         {{"rate", percent(rate_w)}, {"baseline", percent(rate_b)}});
  }
}

void StreamAlerts::check_burst(Instant now, const PipelineTotals& p) {
  const Instant window_start = now - t_.burst_window_us;
  const Sample& s = at_or_before(window_start);
  const Sample& b = at_or_before(window_start - t_.fraud_baseline_us);
  // Only once the samples cover the window and a baseline of a few windows before it.
  if (s.at > window_start || s.at - b.at < 3 * t_.burst_window_us) return;
  const int64_t flagged = p.flagged - s.flagged;
  const double usual =
      double(s.flagged - b.flagged) * double(t_.burst_window_us) / double(s.at - b.at);
  if (flagged >= t_.burst_flagged && double(flagged) >= t_.burst_factor * usual) {
    burst_last_seen_ = now;
    if (!in_burst_) {
      in_burst_ = true;
      char usual_text[32];
      std::snprintf(usual_text, sizeof usual_text, "%.1f", usual);
      emit(now, "fraud_burst", Severity::kCritical, "Burst of flagged transactions",
           std::to_string(flagged) + " transactions were flagged within " + minutes(now - s.at) +
               ", against " + usual_text +
               " in a usual window. One message per burst: the next after " +
               minutes(t_.burst_quiet_us) + " of calm.",
           {{"flagged", std::to_string(flagged)},
            {"usual", usual_text},
            {"window", minutes(now - s.at)}});
    }
  } else if (in_burst_ && now - burst_last_seen_ >= t_.burst_quiet_us) {
    in_burst_ = false;
  }
}

}  // namespace wf::notify
