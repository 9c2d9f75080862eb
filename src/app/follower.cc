#include "app/follower.h"

#include <algorithm>
#include <deque>
#include <set>

#include "core/log.h"
#include "core/thread.h"
#include "store/store.h"

namespace wf::app {
namespace {

constexpr int64_t kCommitShift = 20;  // PostgreSQL's ingest_seq: commit << 20 | row
// How long a commit number skipped over is looked for: a PostgreSQL writer retrying
// after a broken connection keeps its number, and may commit well after its successors.
constexpr int64_t kSettleUs = 5 * kMicrosPerMinute;
// Commit numbers below the newest that are looked for: at restore (other writers may
// still have been committing lower ones) and at most in one gap.
constexpr int64_t kRecentCommits = 8;
constexpr int64_t kMaxGap = 64;
constexpr int64_t kPageRows = 20'000;

// Stored facts copied out of a scan (its views die with the row), then published as
// one batch.
struct Copied {
  std::deque<std::string> text;
  store::Batch batch;

  std::string_view keep(std::string_view s) { return text.emplace_back(s); }
};

}  // namespace

Follower::Follower(std::string store_uri, pipeline::Processor& processor, std::mutex& mutex,
                   api::EventHub& hub, int64_t poll_us)
    : uri_(std::move(store_uri)),
      processor_(processor),
      mutex_(mutex),
      hub_(hub),
      poll_us_(poll_us) {}

Follower::~Follower() { stop(); }

void Follower::start() {
  thread_ = spawn_quiet_thread([this] { loop(); });
}

void Follower::stop() {
  {
    std::lock_guard lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

LiveSample Follower::sample() const {
  std::lock_guard lock(sample_mu_);
  return sample_;
}

Status Follower::restore(store::Store& store) {
  std::lock_guard lock(mutex_);
  // The latest sequence first: what commits during the restore is followed afterwards
  // (and folded once, as fold() skips what it has seen).
  auto last = store.last_fact_seq();
  if (!last.ok()) return last.take_error();
  last_ = *last;
  WF_RETURN_IF_ERROR(processor_.restore_state(store));
  if (store.kind() == "postgresql") {
    const int64_t newest = last_ >> kCommitShift;
    const int64_t now = SystemClock().monotonic_us();
    for (int64_t c = std::max<int64_t>(1, newest - kRecentCommits); c < newest; ++c) {
      missing_.emplace(c, now);
    }
  }
  ready_ = true;
  return Status::Ok();
}

Status Follower::poll(store::Store& store) {
  if (rules_ != nullptr) {
    if (auto update = rules_->take_both(); update.pack) {
      std::lock_guard lock(mutex_);
      processor_.swap_rules(std::move(update.pack));
      if (update.model) processor_.replace_model(std::move(update.model));
    }
  }
  const bool commits = store.kind() == "postgresql";
  const int64_t now = SystemClock().monotonic_us();
  Copied copied;
  std::set<int64_t> seen_commits;
  auto each = [&](const store::StoredFact& f, int64_t seq) {
    if (commits) seen_commits.insert(seq >> kCommitShift);
    last_ = std::max(last_, seq);
    std::string_view alert_type;  // one lock per row: scoring waits between rows only
    {
      std::lock_guard lock(mutex_);
      if (!processor_.fold(f)) return;
      if (f.verdict == domain::Verdict::kFlag) alert_type = processor_.alert_type_of(f.rules_fired);
    }
    ++folded_;
    {
      std::lock_guard lock(sample_mu_);
      ++sample_.total;
      sample_.flagged += f.verdict == domain::Verdict::kFlag;
      sample_.monitored += f.verdict == domain::Verdict::kMonitor;
      sample_.latency_ns.record(static_cast<uint64_t>(f.processing_us) * 1000);
    }
    store::FactRow row;
    row.transaction_id = copied.keep(f.tx.transaction_id);
    row.event_ts = f.tx.event_ts;
    row.user_id = copied.keep(f.tx.user_id);
    row.merchant_id = copied.keep(f.tx.merchant_id);
    row.transaction_type = domain::tx_type_name(f.tx.type);
    row.amount_php = f.amount_php;
    row.fraud_score = f.fraud_score;
    row.verdict = f.verdict;
    row.rules_fired = copied.keep(f.rules_fired);
    row.reasons = copied.keep(f.reasons);
    row.ruleset_version = copied.keep(f.ruleset_version);
    if (!alert_type.empty()) row.alert_type = copied.keep(alert_type);
    copied.batch.facts.push_back(row);
  };
  // Commits that were missing: looked for again, each its own range, a page at a time.
  for (auto it = missing_.begin(); it != missing_.end();) {
    const int64_t c = it->first;
    int64_t from = (c << kCommitShift) - 1;
    for (;;) {
      int64_t rows = 0;
      WF_RETURN_IF_ERROR(store.scan_facts_after(from, ((c + 1) << kCommitShift) - 1, kPageRows,
                                                [&](const store::StoredFact& f, int64_t seq) {
                                                  ++rows;
                                                  from = seq;
                                                  each(f, seq);
                                                }));
      if (rows < kPageRows) break;
    }
    if (seen_commits.count(c) != 0 || now - it->second > kSettleUs) {
      it = missing_.erase(it);
    } else {
      ++it;
    }
  }
  const int64_t before = last_;
  for (;;) {  // everything after the last seen, a page at a time
    const int64_t from = last_;
    int64_t rows = 0;
    WF_RETURN_IF_ERROR(store.scan_facts_after(from, INT64_MAX, kPageRows,
                                              [&](const store::StoredFact& f, int64_t seq) {
                                                ++rows;
                                                each(f, seq);
                                              }));
    if (rows < kPageRows) break;
  }
  if (commits && last_ > before) {
    // Commits between the last seen before this poll and now that showed no row.
    // (The latest kMaxGap of them: a longer gap is commits that held no facts, such as
    // batches of dead letters only, or a store whose early facts were purged.)
    const int64_t newest = last_ >> kCommitShift;
    for (int64_t c = std::max((before >> kCommitShift) + 1, newest - kMaxGap); c < newest; ++c) {
      if (seen_commits.count(c) == 0) missing_.emplace(c, now);
    }
  }
  if (!copied.batch.facts.empty()) hub_.publish_batch(copied.batch);
  return Status::Ok();
}

void Follower::loop() {
  std::unique_ptr<store::Store> store;
  bool restored = false;
  int64_t wait_us = 0;
  for (;;) {
    {
      std::unique_lock lock(stop_mu_);
      if (stop_cv_.wait_for(lock, std::chrono::microseconds(wait_us), [this] { return stop_; })) {
        return;
      }
    }
    wait_us = poll_us_;
    if (!store) {
      auto opened = store::open_store(uri_);
      if (!opened.ok()) {
        log::warn("serve: following the store: " + opened.error().message);
        wait_us = 5 * kMicrosPerSecond;
        continue;
      }
      store = std::move(*opened);
    }
    Status s = restored ? poll(*store) : restore(*store);
    if (!s.ok()) {
      log::warn("serve: following the store: " + s.error().message);
      store.reset();  // reconnect
      wait_us = 5 * kMicrosPerSecond;
      continue;
    }
    if (!restored) {
      restored = true;
      log::info("serve: stream state restored from the store; following new commits");
    }
  }
}

}  // namespace wf::app
