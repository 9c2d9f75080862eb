#include "pipeline/runner.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <optional>
#include <thread>

#include "core/thread.h"

namespace wf::pipeline {
namespace {

struct Slot {
  store::Batch batch;
  Arena arena;
  int64_t records = 0;   // read into this batch (facts, dead letters, dropped duplicates)
  int64_t sequence = 0;  // order of the batch in the run, from 1
};

// Batches from the scoring thread to W writer threads. At most W are in flight; each
// has a sequence number, and the writers take them in order. A writer may write its
// batch's rows while the previous one is still being written, but takes its place in
// processing order, and commits, only after the previous batch did (wait_ordered,
// wait_committed): batches commit in the order they were read.
class WriteQueue {
 public:
  explicit WriteQueue(size_t writers) : writers_(writers) {}

  // Blocks until fewer than W batches are in flight, then queues `slot`. False if a
  // writer failed.
  bool put(Slot* slot) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return in_flight_ < writers_ || failed_; });
    if (failed_) return false;
    slot->sequence = next_sequence_++;
    queue_.push_back(slot);
    ++in_flight_;
    cv_.notify_all();
    return true;
  }
  // Waits until every queued batch is committed (or a writer failed).
  void drain() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return in_flight_ == 0 || failed_; });
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }
  // Writer side: the next batch in order, or nullptr once closed (or failed).
  Slot* take() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return !queue_.empty() || closed_ || failed_; });
    if (queue_.empty() || failed_) return nullptr;
    Slot* slot = queue_.front();
    queue_.pop_front();
    return slot;
  }
  bool wait_ordered(int64_t sequence) { return wait_for(&ordered_, sequence); }
  void mark_ordered(int64_t sequence) { mark(&ordered_, sequence); }
  bool wait_committed(int64_t sequence) { return wait_for(&committed_, sequence); }
  // The batch is committed and handled (or, with ok = false, failed: everything stops).
  void done(int64_t sequence, bool ok) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ok) {
      committed_ = std::max(committed_, sequence);
      ordered_ = std::max(ordered_, sequence);
    } else {
      failed_ = true;
    }
    --in_flight_;
    cv_.notify_all();
  }
  bool failed() {
    std::lock_guard<std::mutex> lock(mutex_);
    return failed_;
  }

 private:
  // Waits until `*mark` reaches the batch before `sequence`; false if a writer failed.
  bool wait_for(const int64_t* mark, int64_t sequence) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return *mark >= sequence - 1 || failed_; });
    return !failed_;
  }
  void mark(int64_t* mark, int64_t sequence) {
    std::lock_guard<std::mutex> lock(mutex_);
    *mark = std::max(*mark, sequence);
    cv_.notify_all();
  }

  const size_t writers_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Slot*> queue_;
  size_t in_flight_ = 0;
  int64_t next_sequence_ = 1;
  int64_t ordered_ = 0;    // batches up to here have their place in processing order
  int64_t committed_ = 0;  // batches up to here are committed and handled
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

  // One writer per store connection: the Runner's store, then options_.extra_writers.
  std::vector<store::Store*> stores = {&store_};
  for (store::Store* extra : options_.extra_writers) stores.push_back(extra);
  WriteQueue queue(stores.size());
  std::mutex error_mutex;
  Error writer_error;
  Histogram end_to_end;  // guarded by mutex_
  Histogram commit_us;
  auto write = [&](store::Store& store) {
    std::vector<stream::Position> committed;
    while (Slot* slot = queue.take()) {
      const int64_t sequence = slot->sequence;
      store::Store::CommitGate gate;
      gate.before_ordering = [&]() -> Status {
        if (queue.wait_ordered(sequence)) return Status::Ok();
        return make_error(Errc::kStore, "an earlier batch failed");
      };
      gate.ordered = [&] { queue.mark_ordered(sequence); };
      gate.before_commit = [&]() -> Status {
        if (queue.wait_committed(sequence)) return Status::Ok();
        return make_error(Errc::kStore, "an earlier batch failed");
      };
      const int64_t commit_start = clock_.monotonic_us();
      auto r = store.commit(slot->batch, gate);
      const int64_t commit_time = clock_.monotonic_us() - commit_start;
      Status handled = r.ok() ? Status::Ok() : Status(r.error());
      // Rows are committed: publish and follow in order, after the previous batch's.
      if (handled.ok() && !queue.wait_committed(sequence)) {
        handled = make_error(Errc::kStore, "an earlier batch failed");
      }
      if (handled.ok() && options_.sink != nullptr) handled = options_.sink->publish(slot->batch);
      if (!handled.ok()) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (writer_error.code == Errc::kOk) writer_error = handled.error();
        queue.done(sequence, false);
        return;
      }
      if (!slot->batch.positions.empty()) {
        committed.clear();
        for (const store::SourcePosition& p : slot->batch.positions) {
          committed.push_back({p.name, p.next, p.from});
        }
        source_.on_committed(committed);
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!slot->batch.source_times_ms.empty()) {
          const int64_t now_ms = clock_.now() / 1000;
          for (int64_t t : slot->batch.source_times_ms) {
            end_to_end.record(static_cast<uint64_t>(now_ms > t ? now_ms - t : 0));
          }
        }
        commit_us.record(static_cast<uint64_t>(commit_time));
        snapshot_.end_to_end_ms = end_to_end;
        snapshot_.commit_us = commit_us;
        store_duplicates_ += r->duplicates;
        snapshot_.facts -= r->duplicates;
        snapshot_.duplicates += r->duplicates;
        snapshot_.alerts += r->alerts;
        ++snapshot_.batches;
        snapshot_.committed += slot->records;
      }
      queue.done(sequence, true);
    }
  };
  std::vector<std::thread> writers;
  for (store::Store* st : stores) writers.push_back(spawn_quiet_thread([&, st] { write(*st); }));

  // One slot being filled, and one per writer in flight. Batches complete in order, so
  // the next slot round-robin is free once put() has returned.
  std::vector<Slot> slots(stores.size() + 1);
  size_t current = 0;
  stream::RecordBatch records;
  Status status;
  int64_t batch_started = clock_.monotonic_us();
  auto start_batch = [&](Slot& s) {
    s.batch.facts.clear();
    s.batch.dead_letters.clear();
    s.batch.dropped_duplicates.clear();
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
      snapshot_.rule_hits = processor_.rule_hits();
      latency_ = processor_.latency_ns();
    }
    if (!queue.put(&s)) return false;
    current = (current + 1) % slots.size();
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
    queue.drain();
    if (queue.failed()) {
      std::lock_guard<std::mutex> lock(error_mutex);
      return writer_error;
    }
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
    {
      // Shared with synchronous scoring (the API) when a mutex is given.
      std::unique_lock<std::mutex> shared;
      if (options_.processor_mutex != nullptr) {
        shared = std::unique_lock<std::mutex>(*options_.processor_mutex);
      }
      if (options_.rules != nullptr) {
        if (auto update = options_.rules->take_both(); update.pack) {
          processor_.swap_rules(std::move(update.pack));
          if (update.model) processor_.replace_model(std::move(update.model));
        }
      }
      processor_.process_all(records.records, &s.batch, &s.arena);
    }
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
  queue.drain();
  queue.close();
  for (std::thread& w : writers) w.join();
  if (queue.failed() || writer_failed) return writer_error;
  return status;
}

}  // namespace wf::pipeline
