// A Kafka producer for walletflow's topics: idempotent (no duplicates or reordering
// within a partition across retries), keyed records, delivery reports counted. The
// caller's thread serves delivery callbacks through send() and flush(). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "stream/kafka/kafka_handle.h"

namespace wf::stream::kafka {

struct ProducerCounts {
  int64_t sent = 0;       // accepted into the local queue
  int64_t delivered = 0;  // acknowledged by the brokers
  int64_t failed = 0;     // permanently failed (after librdkafka's retries)
};

class Producer {
 public:
  // `properties` (from --kafka-config) come after walletflow's defaults, so they win.
  static Result<std::unique_ptr<Producer>> open(std::string_view bootstrap,
                                                const std::vector<Property>& properties);
  ~Producer();

  // Queues one record (key, value and headers copied). Waits while the local queue is
  // full.
  Status send(std::string_view topic, std::string_view key, std::string_view value);
  Status send(std::string_view topic, std::string_view key, std::string_view value,
              const std::vector<std::pair<std::string_view, std::string_view>>& headers);
  // Waits up to `timeout_ms` for every queued record's delivery report; kIo if some are
  // still outstanding or any failed (the first failure's reason).
  Status flush(int timeout_ms);
  ProducerCounts counts() const { return counts_; }

 private:
  Producer() = default;
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);

  Handle rk_;
  ProducerCounts counts_;
  std::string first_error_;
};

}  // namespace wf::stream::kafka
