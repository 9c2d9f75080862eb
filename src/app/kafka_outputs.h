// process --publish: after each committed batch, every fact goes to
// walletflow-silver-transactions, every FLAG fact to walletflow-fraud-alerts, and every
// dead letter (its redacted raw bytes, with error code, message, source and offset as
// headers) to walletflow-dead-letters. Keys: the transaction id (facts, alerts) and
// "source@offset" (dead letters), so consumers can deduplicate a batch published again
// after a crash. PII leaves only as HMAC digests, as in the store. Runs on the store's
// writer thread.
// Orders (the ecommerce profile, seed 004) go out as seed 004's engine sends them instead:
// every order, enriched (amount_numeric, event_ts, source) and with status Genuine or
// Fraud, to processed_orders, and the Fraud ones to fraud_alert.
#pragma once

#include <memory>
#include <string>

#include "app/args.h"
#include "pipeline/runner.h"
#include "stream/kafka/producer.h"

namespace wf::app {

struct OutputShape {
  bool orders = false;         // seed 004's topics and order records
  int utc_offset_minutes = 0;  // created_date's local time (orders)
};

class KafkaOutputs : public pipeline::BatchSink {
 public:
  // `brokers`: host:port,... or @FILE.
  static Result<std::unique_ptr<KafkaOutputs>> open(const std::string& brokers, const Args& args,
                                                    OutputShape shape = {});
  Status publish(const store::Batch& batch) override;
  // Waits for every delivery report; call once at the end.
  Status finish();
  stream::kafka::ProducerCounts counts() const { return producer_->counts(); }

 private:
  Status publish_order(const store::FactRow& f, std::string_view source);

  std::unique_ptr<stream::kafka::Producer> producer_;
  OutputShape shape_;
  std::string json_;
  std::string key_;
};

}  // namespace wf::app
