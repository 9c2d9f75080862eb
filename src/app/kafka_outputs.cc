#include "app/kafka_outputs.h"

#include "app/kafka_sink.h"
#include "core/json_writer.h"
#include "stream/kafka/mock_cluster.h"

namespace wf::app {

Result<std::unique_ptr<KafkaOutputs>> KafkaOutputs::open(const std::string& brokers,
                                                         const Args& args, OutputShape shape) {
  auto producer = open_producer(brokers, args);
  if (!producer.ok()) return producer.take_error();
  auto out = std::make_unique<KafkaOutputs>();
  out->producer_ = std::move(*producer);
  out->shape_ = shape;
  return out;
}

Status KafkaOutputs::publish_order(const store::FactRow& f, std::string_view source) {
  const bool fraud = f.verdict == domain::Verdict::kFlag;
  auto currency = Currency::from_code(f.currency);
  const int exponent = currency.ok() ? currency->exponent() : 2;
  std::string amount = format_minor_units(f.amount_minor, exponent);
  // As the order sent it: whole amounts without a fraction ("4607500").
  if (size_t dot = amount.find('.');
      dot != std::string::npos && amount.find_first_not_of('0', dot + 1) == std::string::npos) {
    amount.resize(dot);
  }
  json_.clear();
  JsonWriter w(&json_);
  w.begin_object();
  w.key("order_id").string(f.transaction_id);
  w.key("user_id").string(f.user_id);
  if (!f.product_id.empty()) w.key("product_id").string(f.product_id);
  w.key("quantity").number(f.quantity);
  w.key("amount").string(amount);
  w.key("amount_numeric").raw(amount);
  w.key("currency").string(f.currency);
  if (!f.country.empty()) w.key("country").string(f.country);
  w.key("created_date").string(format_rfc3339_offset(f.event_ts, shape_.utc_offset_minutes));
  w.key("event_ts").string(format_utc(f.event_ts));
  w.key("status").string(fraud ? "Fraud" : "Genuine");
  w.key("source").string(source);
  w.key("fraud_score").number(int64_t{f.fraud_score});
  w.key("rules_fired").string(f.rules_fired);
  if (!f.reasons.empty()) w.key("reasons").string(f.reasons);
  w.key("ruleset_version").string(f.ruleset_version);
  w.end_object();
  WF_RETURN_IF_ERROR(producer_->send("processed_orders", f.transaction_id, json_));
  if (fraud) WF_RETURN_IF_ERROR(producer_->send("fraud_alert", f.transaction_id, json_));
  return Status::Ok();
}

Status KafkaOutputs::publish(const store::Batch& batch) {
  using stream::kafka::kAlertsTopic;
  using stream::kafka::kDeadLetterTopic;
  using stream::kafka::kSilverTopic;
  for (const store::FactRow& f : batch.facts) {
    if (shape_.orders) {
      WF_RETURN_IF_ERROR(publish_order(f, f.source.empty() ? batch.source : f.source));
      continue;
    }
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
