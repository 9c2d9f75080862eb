#include "api/event_hub.h"

#include <chrono>

#include "core/json_writer.h"

namespace wf::api {

void EventHub::publish(HubEvent event) {
  {
    std::lock_guard lock(mu_);
    event.seq = next_seq_++;
    events_.push_back(std::move(event));
    while (events_.size() > capacity_) events_.pop_front();
  }
  cv_.notify_all();
}

void EventHub::publish_batch(const store::Batch& batch) {
  std::vector<HubEvent> out;
  out.reserve(batch.facts.size());
  for (const store::FactRow& f : batch.facts) {
    const std::string_view verdict = domain::verdict_name(f.verdict);
    std::string json;
    JsonWriter w(&json);
    w.begin_object();
    w.key("transaction_id").string(f.transaction_id);
    w.key("event_ts").string(format_utc(f.event_ts));
    w.key("user_id").string(f.user_id);
    w.key("merchant_id").string(f.merchant_id);
    w.key("type").string(f.transaction_type);
    w.key("amount_php_minor").number(f.amount_php);
    w.key("fraud_score").number(int64_t{f.fraud_score});
    w.key("decision").string(verdict);
    w.key("rules_fired").string(f.rules_fired);
    w.key("reasons").string(f.reasons);
    w.key("ruleset_version").string(f.ruleset_version);
    w.end_object();
    out.push_back(
        {0, "decision", std::string(verdict), f.fraud_score, std::string(f.user_id), json});
    if (f.verdict == domain::Verdict::kFlag) {
      std::string alert;
      JsonWriter a(&alert);
      a.begin_object();
      a.key("transaction_id").string(f.transaction_id);
      a.key("user_id").string(f.user_id);
      a.key("alert_type").string(f.alert_type);
      a.key("fraud_score").number(int64_t{f.fraud_score});
      a.key("amount_php_minor").number(f.amount_php);
      a.key("reasons").string(f.reasons);
      a.key("created_at").string(format_utc(f.event_ts));
      a.end_object();
      out.push_back({0, "alert", "FLAG", f.fraud_score, std::string(f.user_id), alert});
    }
  }
  {
    std::lock_guard lock(mu_);
    for (HubEvent& e : out) {
      e.seq = next_seq_++;
      events_.push_back(std::move(e));
    }
    while (events_.size() > capacity_) events_.pop_front();
  }
  cv_.notify_all();
}

std::vector<HubEvent> EventHub::after(uint64_t seq, int64_t timeout_us, size_t max) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::microseconds(timeout_us),
               [&] { return closed_ || (!events_.empty() && events_.back().seq > seq); });
  std::vector<HubEvent> out;
  if (events_.empty() || events_.back().seq <= seq) return out;
  // Sequence numbers are consecutive: index straight to the first one after `seq`.
  const uint64_t first = events_.front().seq;
  size_t at = seq + 1 <= first ? 0 : static_cast<size_t>(seq + 1 - first);
  for (; at < events_.size() && out.size() < max; ++at) out.push_back(events_[at]);
  return out;
}

uint64_t EventHub::last_seq() const {
  std::lock_guard lock(mu_);
  return next_seq_ - 1;
}

bool EventHub::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void EventHub::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

}  // namespace wf::api
