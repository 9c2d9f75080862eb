// Live decisions and alerts for GET /api/v1/stream (server-sent events): a bounded ring
// of the latest events, each with a sequence number, that any number of subscribers
// read from where they are. Publishing never waits for readers; a reader too far behind
// skips to the oldest event still held.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace wf::api {

struct HubEvent {
  uint64_t seq = 0;
  std::string type;  // decision, alert
  std::string decision;
  int score = 0;
  std::string user_id;
  std::string json;  // the event's data line
};

class EventHub {
 public:
  explicit EventHub(size_t capacity = 50'000) : capacity_(capacity) {}

  void publish(HubEvent event);
  // A committed batch: one decision per fact, one alert per FLAG fact.
  void publish_batch(const store::Batch& batch);
  // The events after `seq` (at most `max`), waiting up to `timeout_us` for one.
  std::vector<HubEvent> after(uint64_t seq, int64_t timeout_us, size_t max = 1000);
  uint64_t last_seq() const;
  void close();  // wakes every reader for good (shutdown)
  bool closed() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HubEvent> events_;
  uint64_t next_seq_ = 1;
  bool closed_ = false;
};

}  // namespace wf::api
