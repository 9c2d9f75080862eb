// A Kafka topic as a Source, read by a consumer group. Exactly once into the store: the
// position of every partition ("kafka:TOPIC/P" -> next offset) commits with the rows in
// the store's transaction, and an assigned partition resumes from that stored position,
// never from Kafka's own committed offset. Kafka's committed offsets follow the store
// (on_committed) so consumer lag shows in standard tools. With `stop_at_end` the source
// ends once every assigned partition is read to its end (batch processing, tests).
//
// Several instances share a group: on revocation the listener (the Runner) commits what
// was handed out before the partitions go; on assignment it reads their positions from
// the store and rebuilds rule state when partitions are new to this instance. Records
// read but not handed out when a partition is revoked are dropped (the next owner reads
// them). Both eager and cooperative assignors work.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "stream/kafka/kafka_handle.h"
#include "stream/source.h"

namespace wf::stream::kafka {

struct KafkaSourceOptions {
  std::string bootstrap;
  std::string topic;
  std::string group = "walletflow";
  std::vector<Property> properties;  // --kafka-config, after walletflow's defaults
  bool stop_at_end = false;
  int metadata_timeout_ms = 10'000;
};

class KafkaSource : public Source {
 public:
  // Connects and learns the topic's partitions; no partition is assigned yet.
  static Result<std::unique_ptr<KafkaSource>> open(KafkaSourceOptions options);
  ~KafkaSource() override;

  // "kafka:TOPIC/P" for each of the topic's partitions (load their stored positions).
  const std::vector<std::string>& position_names() const { return position_names_; }
  // Without a listener: where to resume each partition; partitions without one start at
  // the beginning. Call before the first next().
  void set_stored_positions(const std::map<std::string, int64_t>& positions);
  // Subscribes the group; partitions arrive on the first next().
  Status start();
  // Partitions assigned to this member now (any thread).
  int assigned_partitions() const { return assigned_count_.load(); }

  const std::string& name() const override { return name_; }
  bool resumable() const override { return false; }  // per partition, on assignment
  Status seek(int64_t) override { return Status::Ok(); }
  Status next(RecordBatch* out, size_t max_records) override;
  void on_committed(const std::vector<Position>& positions) override;
  int64_t lag() const override;
  bool assigns_positions() const override { return true; }
  void set_listener(PartitionListener* listener) override { listener_ = listener; }

  // Consumer metrics (any thread).
  struct Metrics {
    int64_t rebalances = 0;     // assignments and revocations received
    int64_t fetched = 0;        // records handed out
    int64_t commits = 0;        // Kafka offset commits issued after store commits
    int64_t commit_errors = 0;  // of those, refused at once or failed by the broker
    std::vector<std::pair<int32_t, int64_t>> lag;  // assigned partition -> records behind
  };
  Metrics metrics() const;

 private:
  KafkaSource() = default;
  static void on_offset_commit(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* offsets, void* opaque);
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void assign(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions,
              const std::vector<int32_t>& ours, const std::vector<std::string>& names,
              bool cooperative);
  void revoke(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions,
              const std::vector<int32_t>& ours, const std::vector<std::string>& names,
              bool cooperative);
  int32_t partition_of(const std::string& position_name) const;

  KafkaSourceOptions options_;
  Handle rk_;
  std::string name_;                         // "kafka:TOPIC"
  std::vector<std::string> position_names_;  // index = partition
  std::map<std::string, int64_t> stored_;
  std::set<int32_t> assigned_;
  std::set<int32_t> at_end_;
  std::set<int32_t> held_;     // assigned, and not anyone else's since our state was built
  std::set<int32_t> dropped_;  // revoked inside the current poll
  PartitionListener* listener_ = nullptr;
  Error callback_error_;  // a listener failure, returned by next()
  std::string buffer_;    // this batch's payloads, each followed by kRecordPadding bytes
  std::atomic<int64_t> commit_errors_{0};
  std::atomic<int> assigned_count_{0};
  std::atomic<int64_t> rebalances_{0};
  std::atomic<int64_t> fetched_{0};
  std::atomic<int64_t> commits_{0};
  // Per partition: the next offset to hand out (-1 unknown), and whether it is assigned.
  std::unique_ptr<std::atomic<int64_t>[]> next_;
  std::unique_ptr<std::atomic<bool>[]> owned_;
};

}  // namespace wf::stream::kafka
