// process --publish: after each committed batch, every fact goes to
// walletflow-silver-transactions, every FLAG fact to walletflow-fraud-alerts, and every
// dead letter (its redacted raw bytes, with error code, message, source and offset as
// headers) to walletflow-dead-letters. Keys: the transaction id (facts, alerts) and
// "source@offset" (dead letters), so consumers can deduplicate a batch published again
// after a crash. PII leaves only as HMAC digests, as in the store. Runs on the store's
// writer thread.
#pragma once

#include <memory>
#include <string>

#include "app/args.h"
#include "pipeline/runner.h"
#include "stream/kafka/producer.h"

namespace wf::app {

class KafkaOutputs : public pipeline::BatchSink {
 public:
  // `brokers`: host:port,... or @FILE.
  static Result<std::unique_ptr<KafkaOutputs>> open(const std::string& brokers, const Args& args);
  Status publish(const store::Batch& batch) override;
  // Waits for every delivery report; call once at the end.
  Status finish();
  stream::kafka::ProducerCounts counts() const { return producer_->counts(); }

 private:
  std::unique_ptr<stream::kafka::Producer> producer_;
  std::string json_;
  std::string key_;
};

}  // namespace wf::app
