// `generate --kafka`: sends generated lines to a Kafka topic, one record per line, keyed
// by the event's user_id (so a user's events stay in order on one partition; orders by
// their product_id, which most of seed 004's rules are keyed by), through the idempotent
// Producer. Options: --kafka BROKERS|@FILE, --topic, --kafka-config.
#pragma once

#include <memory>
#include <string>

#include "app/args.h"
#include "core/result.h"
#include "store/store.h"
#include "stream/kafka/mock_cluster.h"
#include "stream/kafka/producer.h"
#include "stream/source.h"

namespace wf::app {

class KafkaSink {
 public:
  // --topic, else `default_topic`; records keyed by the line's `key_field`.
  static Result<std::unique_ptr<KafkaSink>> open(
      const Args& args, std::string_view default_topic = stream::kafka::kBronzeTopic,
      std::string_view key_field = "user_id");

  // Sends every complete line in `buffer` and removes them from it.
  Status send_lines(std::string* buffer);
  // Sends what is left and waits for every delivery report (up to 60 s).
  Status finish();
  const std::string& topic() const { return topic_; }
  stream::kafka::ProducerCounts counts() const { return producer_->counts(); }

 private:
  std::unique_ptr<stream::kafka::Producer> producer_;
  std::string topic_;
  std::string key_quote_;  // "field":"
};

// --kafka's value: "host:port,..." as is, or "@FILE" read from FILE (first line).
Result<std::string> resolve_bootstrap(const std::string& value);
// The librdkafka properties of --kafka-config FILE (none without it).
Result<std::vector<stream::kafka::Property>> kafka_config_option(const Args& args);
// An idempotent producer to `brokers` (host:port,... or @FILE) with --kafka-config.
Result<std::unique_ptr<stream::kafka::Producer>> open_producer(const std::string& brokers,
                                                               const Args& args);

// kafka://BROKERS/TOPIC?group=NAME[&until=end]
struct KafkaUrl {
  std::string brokers;  // may be @FILE
  std::string topic;
  std::string group = "walletflow";
  bool until_end = false;
};
Result<KafkaUrl> parse_kafka_url(const std::string& url);

// A started KafkaSource for `url` (with --kafka-config), a member of the URL's group; the
// Runner resumes each partition it is assigned from the position the store holds.
Result<std::unique_ptr<stream::Source>> open_kafka_source(const KafkaUrl& url, const Args& args);

}  // namespace wf::app
