// librdkafka's mock cluster: brokers that speak the real Kafka protocol on loopback,
// hosted in this process (for `walletflow kafka-dev`, tests and benchmarks). Owns the
// client handle that hosts it; brokers stop when this is destroyed.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "stream/kafka/kafka_handle.h"

namespace wf::stream::kafka {

// Topics walletflow uses (seed 000's names).
inline constexpr std::string_view kBronzeTopic = "walletflow-bronze-transactions";
inline constexpr std::string_view kSilverTopic = "walletflow-silver-transactions";
inline constexpr std::string_view kAlertsTopic = "walletflow-fraud-alerts";
inline constexpr std::string_view kDeadLetterTopic = "walletflow-dead-letters";

class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>> start(int brokers);
  ~MockCluster();

  // "127.0.0.1:port,..." for bootstrap.servers.
  std::string bootstrap() const;
  Status create_topic(std::string_view name, int partitions, int replication = 1);
  // Creates the four walletflow topics with `partitions` each.
  Status create_walletflow_topics(int partitions);
  rd_kafka_mock_cluster_t* raw() { return cluster_; }

  // One round of trouble for `kafka-dev --chaos`: every partition of every topic created
  // here moves its leader to the next broker, and the next few produce, fetch, offset
  // commit and heartbeat requests fail with retriable errors (leader moved, timeout, not
  // enough replicas, coordinator loading). Returns the errors injected.
  int disturb(int round);
  // Clears every request error no request has taken yet (the chaos is over).
  void calm();

 private:
  MockCluster() = default;
  Handle host_;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  int brokers_ = 0;
  std::vector<std::pair<std::string, int>> topics_;  // name, partitions
};

}  // namespace wf::stream::kafka
