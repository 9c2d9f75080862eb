#include "app/kafka_outputs.h"

#include "app/kafka_sink.h"
#include "core/json_writer.h"
#include "stream/kafka/mock_cluster.h"

namespace wf::app {

Result<std::unique_ptr<KafkaOutputs>> KafkaOutputs::open(const std::string& brokers,
                                                         const Args& args) {
  auto producer = open_producer(brokers, args);
  if (!producer.ok()) return producer.take_error();
  auto out = std::make_unique<KafkaOutputs>();
  out->producer_ = std::move(*producer);
  return out;
}

Status KafkaOutputs::publish(const store::Batch& batch) {
  using stream::kafka::kAlertsTopic;
  using stream::kafka::kDeadLetterTopic;
  using stream::kafka::kSilverTopic;
  for (const store::FactRow& f : batch.facts) {
    json_.clear();
    JsonWriter w(&json_);
    w.begin_object();
    w.key("transaction_id").string(f.transaction_id);
    w.key("event_ts").string(format_utc(f.event_ts));
    w.key("user_id").string(f.user_id);
    if (!f.merchant_id.empty()) w.key("merchant_id").string(f.merchant_id);
    w.key("transaction_type").string(f.transaction_type);
    w.key("amount_minor").number(f.amount_minor);
    w.key("currency").string(f.currency);
    w.key("amount_php").number(f.amount_php);
    if (!f.channel.empty()) w.key("channel").string(f.channel);
    w.key("status").string(f.status);
    if (!f.country.empty()) w.key("country").string(f.country);
    if (!f.city.empty()) w.key("city").string(f.city);
    if (f.has_location) {
      w.key("lat").number(f.lat, 6);
      w.key("lon").number(f.lon, 6);
    }
    if (!f.device_id.empty()) w.key("device_id").string(f.device_id);
    if (!f.ip_hash.empty()) w.key("ip_hash").string(f.ip_hash);
    if (!f.phone_hash.empty()) w.key("phone_hash").string(f.phone_hash);
    w.key("fraud_score").number(int64_t{f.fraud_score});
    w.key("decision").string(domain::verdict_name(f.verdict));
    w.key("rules_fired").string(f.rules_fired);
    if (!f.reasons.empty()) w.key("reasons").string(f.reasons);
    w.key("ruleset_version").string(f.ruleset_version);
    w.end_object();
    WF_RETURN_IF_ERROR(producer_->send(kSilverTopic, f.transaction_id, json_));
    if (f.verdict != domain::Verdict::kFlag) continue;
    json_.clear();
    JsonWriter a(&json_);
    a.begin_object();
    a.key("transaction_id").string(f.transaction_id);
    a.key("user_id").string(f.user_id);
    a.key("alert_type").string(f.alert_type);
    a.key("fraud_score").number(int64_t{f.fraud_score});
    a.key("amount_php").number(f.amount_php);
    a.key("created_at").string(format_utc(f.event_ts));
    a.key("status").string("NEW");
    if (!f.reasons.empty()) a.key("reasons").string(f.reasons);
    a.end_object();
    WF_RETURN_IF_ERROR(producer_->send(kAlertsTopic, f.transaction_id, json_));
  }
  for (const store::DeadLetterRow& d : batch.dead_letters) {
    std::string_view source = d.source.empty() ? batch.source : d.source;
    std::string offset = std::to_string(d.source_offset);
    key_.assign(source).append("@").append(offset);
    WF_RETURN_IF_ERROR(producer_->send(kDeadLetterTopic, key_, d.raw,
                                       {{"error_code", errc_name(d.code)},
                                        {"message", d.message},
                                        {"source", source},
                                        {"offset", offset}}));
  }
  return Status::Ok();
}

Status KafkaOutputs::finish() { return producer_->flush(60'000); }

}  // namespace wf::app
