#include "stream/kafka/mock_cluster.h"

#include <algorithm>

namespace wf::stream::kafka {
namespace {
// Kafka protocol API keys (rdkafka_proto.h is not installed).
constexpr int16_t kProduce = 0, kFetch = 1, kOffsetCommit = 8, kHeartbeat = 12;
}  // namespace

Result<std::unique_ptr<MockCluster>> MockCluster::start(int brokers) {
  auto conf = make_conf("", {});
  if (!conf.ok()) return conf.take_error();
  // The host handle only hosts the brokers; it never connects anywhere.
  WF_RETURN_IF_ERROR(set(conf->get(), "log_level", "3"));
  auto host = make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!host.ok()) return host.take_error();
  std::unique_ptr<MockCluster> m(new MockCluster());
  m->host_ = std::move(*host);
  m->cluster_ = rd_kafka_mock_cluster_new(m->host_.get(), brokers);
  if (m->cluster_ == nullptr) {
    return make_error(
        Errc::kIo, "cannot start a mock Kafka cluster of " + std::to_string(brokers) + " brokers");
  }
  m->brokers_ = brokers;
  return m;
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

std::string MockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

Status MockCluster::create_topic(std::string_view name, int partitions, int replication) {
  std::string topic(name);
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions,
                                                       std::min(replication, brokers_));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::kIo, "mock topic '" + topic + "': " + rd_kafka_err2str(err));
  }
  topics_.emplace_back(topic, partitions);
  return Status::Ok();
}

int MockCluster::disturb(int round) {
  for (const auto& [topic, partitions] : topics_) {
    for (int p = 0; p < partitions; ++p) {
      rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), p, (p + round) % brokers_ + 1);
    }
  }
  // Produce and fetch errors no request took do not pile up (clients retry those);
  // offset-commit and heartbeat errors wait for the next commit or heartbeat.
  for (int16_t api : {kProduce, kFetch}) rd_kafka_mock_clear_request_errors(cluster_, api);
  rd_kafka_mock_push_request_errors(
      cluster_, kProduce, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  rd_kafka_mock_push_request_errors(cluster_, kFetch, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                    RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  rd_kafka_mock_push_request_errors(cluster_, kOffsetCommit, 2, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                    RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
  rd_kafka_mock_push_request_errors(cluster_, kHeartbeat, 1,
                                    RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
  return 9;
}

void MockCluster::calm() {
  for (int16_t api : {kProduce, kFetch, kOffsetCommit, kHeartbeat}) {
    rd_kafka_mock_clear_request_errors(cluster_, api);
  }
}

Status MockCluster::create_walletflow_topics(int partitions) {
  for (std::string_view t : {kBronzeTopic, kSilverTopic, kAlertsTopic, kDeadLetterTopic}) {
    WF_RETURN_IF_ERROR(create_topic(t, partitions, 3));
  }
  return Status::Ok();
}

}  // namespace wf::stream::kafka
