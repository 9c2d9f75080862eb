// `serve` beside a pipeline that runs elsewhere (`process` on Kafka, `run` in another
// process): the stream's rule state rebuilt from the store, then kept current by
// following every commit, so POST /api/v1/score decides with the state the stream has
// and GET /api/v1/stream carries the stream's decisions and alerts.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "api/event_hub.h"
#include "app/live_stats.h"
#include "core/result.h"
#include "pipeline/processor.h"
#include "pipeline/rules_mailbox.h"

namespace wf::app {

class Follower {
 public:
  // `processor` is used under `mutex` (scoring shares it).
  Follower(std::string store_uri, pipeline::Processor& processor, std::mutex& mutex,
           api::EventHub& hub, int64_t poll_us = 200'000);
  ~Follower();

  // Rules reloaded from a watched file are swapped in between polls.
  void set_rules(pipeline::RulesMailbox* mailbox) { rules_ = mailbox; }
  void start();  // a thread: restore, then follow
  void stop();
  bool ready() const { return ready_.load(); }  // the state is restored
  int64_t folded() const { return folded_.load(); }
  // The followed facts as the overview's live figures (decision time as stored).
  LiveSample sample() const;

  // One poll: the facts committed since the last one folded and published. Public for
  // tests; the thread calls it every poll_us.
  Status poll(store::Store& store);
  Status restore(store::Store& store);

 private:
  void loop();

  std::string uri_;
  pipeline::Processor& processor_;
  std::mutex& mutex_;
  api::EventHub& hub_;
  int64_t poll_us_;
  pipeline::RulesMailbox* rules_ = nullptr;
  int64_t last_ = 0;  // the highest sequence seen
  // PostgreSQL commits of parallel writers become visible out of order: commit numbers
  // below the last seen that showed no rows yet, with when they were first missed. They
  // are looked for again until they settle (commits without facts never show any).
  std::map<int64_t, int64_t> missing_;
  std::atomic<bool> ready_{false};
  std::atomic<int64_t> folded_{0};
  mutable std::mutex sample_mu_;
  LiveSample sample_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wf::app
