#include "pipeline/runner.h"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <optional>
#include <thread>

#include "core/thread.h"

namespace wf::pipeline {
namespace {

struct Slot {
  store::Batch batch;
  Arena arena;
  int64_t records = 0;  // read into this batch (facts, dead letters, dropped duplicates)
};

// One-batch handoff between the scoring thread and the writer thread.
class Handoff {
 public:
  // Blocks until the writer is idle, then gives it `slot`. False if the writer failed.
  bool put(Slot* slot) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return pending_ == nullptr || failed_; });
    if (failed_) return false;
    pending_ = slot;
    cv_.notify_all();
    return true;
  }
  // Waits until every handed-over batch is committed.
  void drain() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return (pending_ == nullptr && !busy_) || failed_; });
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }
  // Writer side: next batch, or nullptr when closed.
  Slot* take() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return pending_ != nullptr || closed_; });
    if (pending_ == nullptr) return nullptr;
    busy_ = true;
    return pending_;
  }
  void done(bool ok) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = nullptr;
    busy_ = false;
    if (!ok) failed_ = true;
    cv_.notify_all();
  }
  bool failed() {
    std::lock_guard<std::mutex> lock(mutex_);
    return failed_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  Slot* pending_ = nullptr;
  bool busy_ = false;
  bool closed_ = false;
  bool failed_ = false;
};

}  // namespace

Runner::Runner(stream::Source& source, store::Store& store, Processor& processor,
               const Clock& clock, RunnerOptions options)
    : source_(source), store_(store), processor_(processor), clock_(clock), options_(options) {}

RunnerSnapshot Runner::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  RunnerSnapshot s = snapshot_;
  s.p50_ns = latency_.percentile(0.50);
  s.p99_ns = latency_.percentile(0.99);
  s.latency_ns = latency_;
  s.source_lag = source_.lag();  // thread-safe by the Source contract
  return s;
}

Status Runner::run(const std::atomic<bool>& stop) {
  // A consumer group member restores state when partitions are assigned (on_assign).
  const bool assigned = source_.assigns_positions();
  if (options_.resume && !assigned) {
    WF_RETURN_IF_ERROR(processor_.restore_state(store_));
    if (source_.resumable()) {
      auto offset = store_.load_offset(source_.name());
      if (!offset.ok()) return offset.take_error();
      if (*offset > 0) WF_RETURN_IF_ERROR(source_.seek(*offset));
      std::lock_guard<std::mutex> lock(mutex_);
      snapshot_.resumed_from = *offset;
    }
  }

  Handoff handoff;
  Error writer_error;
  std::thread writer = spawn_quiet_thread([&] {
    std::vector<stream::Position> committed;
    Histogram end_to_end;
    Histogram commit_us;
    while (Slot* slot = handoff.take()) {
      const int64_t commit_start = clock_.monotonic_us();
      auto r = store_.commit(slot->batch);
      commit_us.record(static_cast<uint64_t>(clock_.monotonic_us() - commit_start));
      if (!r.ok()) {
        writer_error = r.take_error();
        handoff.done(false);
        return;
      }
      if (options_.sink != nullptr) {
        if (Status published = options_.sink->publish(slot->batch); !published.ok()) {
          writer_error = published.error();
          handoff.done(false);
          return;
        }
      }
      if (!slot->batch.positions.empty()) {
        committed.clear();
        for (const store::SourcePosition& p : slot->batch.positions) {
          committed.push_back({p.name, p.next, p.from});
        }
        source_.on_committed(committed);
      }
      if (!slot->batch.source_times_ms.empty()) {
        const int64_t now_ms = clock_.now() / 1000;
        for (int64_t t : slot->batch.source_times_ms) {
          end_to_end.record(static_cast<uint64_t>(now_ms > t ? now_ms - t : 0));
        }
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        snapshot_.end_to_end_ms = end_to_end;
        snapshot_.commit_us = commit_us;
        store_duplicates_ += r->duplicates;
        snapshot_.facts -= r->duplicates;
        snapshot_.duplicates += r->duplicates;
        snapshot_.alerts += r->alerts;
        ++snapshot_.batches;
        snapshot_.committed += slot->records;
      }
      handoff.done(true);
    }
  });

  Slot slots[2];
  int current = 0;
  stream::RecordBatch records;
  Status status;
  int64_t batch_started = clock_.monotonic_us();
  auto start_batch = [&](Slot& s) {
    s.batch.facts.clear();
    s.batch.dead_letters.clear();
    s.batch.positions.clear();
    s.batch.source_times_ms.clear();
    s.arena.reset();
    s.records = 0;
    s.batch.source = source_.name();
  };
  start_batch(slots[current]);
  size_t in_batch = 0;
  bool has_data = false;  // records (or a moved position) not yet committed

  auto flush = [&]() -> bool {
    Slot& s = slots[current];
    s.batch.received_at = clock_.now();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const ProcessorCounters& c = processor_.counters();
      snapshot_.records = c.records;
      snapshot_.facts = c.facts - store_duplicates_;
      snapshot_.duplicates = c.duplicates + store_duplicates_;
      snapshot_.dead_letters = c.dead_letters;
      snapshot_.flagged = c.flagged;
      snapshot_.monitored = c.monitored;
      snapshot_.rules_swaps = c.rules_swaps;
      latency_ = processor_.latency_ns();
    }
    if (!handoff.put(&s)) return false;
    current ^= 1;
    start_batch(slots[current]);
    in_batch = 0;
    has_data = false;
    batch_started = clock_.monotonic_us();
    return true;
  };

  bool writer_failed = false;
  // Partitions come and go inside source_.next(): everything read from them is committed
  // before they go; their positions and the state of their keys come from the store.
  struct Listener final : stream::PartitionListener {
    std::function<Status()> revoke;
    std::function<Status(const std::vector<std::string>&, bool, std::vector<int64_t>*)> assign;
    Status on_revoke(const std::vector<std::string>&) override { return revoke(); }
    Status on_assign(const std::vector<std::string>& positions, bool fresh,
                     std::vector<int64_t>* resume) override {
      return assign(positions, fresh, resume);
    }
  } listener;
  auto writer_idle = [&]() -> Status {
    handoff.drain();
    if (handoff.failed()) return writer_error;
    return Status::Ok();
  };
  listener.revoke = [&]() -> Status {
    if (has_data) (void)flush();  // a failed writer is reported by writer_idle()
    return writer_idle();
  };
  listener.assign = [&](const std::vector<std::string>& positions, bool fresh,
                        std::vector<int64_t>* resume) -> Status {
    WF_RETURN_IF_ERROR(writer_idle());  // the store is this thread's for a moment
    if (fresh && options_.resume) {
      processor_.reset_state();
      WF_RETURN_IF_ERROR(processor_.restore_state(store_, positions));
    }
    for (size_t i = 0; i < positions.size(); ++i) {
      auto offset = store_.load_offset(positions[i]);
      if (!offset.ok()) return offset.take_error();
      (*resume)[i] = *offset;
    }
    return Status::Ok();
  };
  if (assigned) source_.set_listener(&listener);

  while (!stop.load(std::memory_order_relaxed)) {
    size_t room = options_.batch_records - in_batch;
    Status read = source_.next(&records, room);
    if (!read.ok()) {
      status = read;
      break;
    }
    Slot& s = slots[current];
    if (options_.rules != nullptr) {
      if (auto pack = options_.rules->take()) processor_.swap_rules(std::move(pack));
    }
    processor_.process_all(records.records, &s.batch, &s.arena);
    in_batch += records.records.size();
    s.records += static_cast<int64_t>(records.records.size());
    if (!records.records.empty() || records.end_position != s.batch.end_offset) has_data = true;
    for (const stream::Record& r : records.records) {
      if (r.timestamp_ms > 0) s.batch.source_times_ms.push_back(r.timestamp_ms);
    }
    for (stream::Position& p : records.positions) {  // the newest position per partition
      auto it = std::find_if(s.batch.positions.begin(), s.batch.positions.end(),
                             [&](const auto& q) { return q.name == p.source; });
      if (it == s.batch.positions.end()) {
        s.batch.positions.push_back({std::move(p.source), p.from, p.next});
      } else {
        it->next = p.next;
      }
      has_data = true;
    }
    s.batch.end_offset = records.end_position;
    bool full = in_batch >= options_.batch_records;
    bool old = clock_.monotonic_us() - batch_started >= options_.max_batch_age_us;
    if (has_data && (full || old || records.end_of_input)) {
      if (!flush()) {
        writer_failed = true;
        break;
      }
    }
    if (records.end_of_input) break;
  }
  if (status.ok() && !writer_failed && has_data) writer_failed = !flush();
  if (assigned) source_.set_listener(nullptr);  // closing the consumer revokes later
  handoff.drain();
  handoff.close();
  writer.join();
  if (handoff.failed() || writer_failed) return writer_error;
  return status;
}

}  // namespace wf::pipeline
