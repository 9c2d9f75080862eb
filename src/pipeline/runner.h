// Drives one stream: source -> Processor -> Store, exactly once. The calling thread reads
// and scores; writer threads commit earlier batches meanwhile, so the store's write time
// overlaps scoring (one writer for SQLite; PostgreSQL can take several connections, whose
// batches are written at the same time and commit in order). Each committed batch carries the
// source position after its last record; on start the source is sought to the stored position and
// the rule state rebuilt from the store.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "core/histogram.h"
#include "pipeline/processor.h"
#include "pipeline/rules_mailbox.h"
#include "store/store.h"
#include "stream/source.h"

namespace wf::pipeline {

// Receives each batch once the store has committed it (the writer thread), e.g. to
// publish facts, alerts and dead letters to output topics. A failure stops the run like
// a store failure; the batch stays committed, so downstream sees it at least once
// (records are keyed for deduplication).
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  virtual Status publish(const store::Batch& batch) = 0;
};

struct RunnerOptions {
  // Larger transactions share B-tree pages between rows: 16384 stores ~1.3x the rows per
  // second of 8192 (bench --scenario kafka and embedded); 32768 loses the overlap of
  // scoring and writing on shorter runs.
  size_t batch_records = 16384;
  // A partial batch is committed once it is this old (live streams stay fresh).
  int64_t max_batch_age_us = 25'000;
  bool resume = true;  // seek to the stored offset and restore state first
  // When set, a pack posted here replaces the Processor's rules before the next read:
  // every record is scored by one whole rule set (hot reload).
  RulesMailbox* rules = nullptr;
  BatchSink* sink = nullptr;  // optional
  // Held while the Processor scores a read, when others use it too (POST /api/v1/score
  // in `run`): they then see the state between reads, never in the middle of one.
  std::mutex* processor_mutex = nullptr;
  // More connections to the store (Store::open_writer): batches are written on up to
  // 1 + extra_writers.size() connections at once, and still commit in order.
  std::vector<store::Store*> extra_writers;
};

// Totals since start, safe to read from any thread.
struct RunnerSnapshot {
  int64_t records = 0;
  int64_t facts = 0;  // rows stored (or on their way to the store)
  int64_t dead_letters = 0;
  int64_t duplicates = 0;  // resent transaction ids, dropped
  int64_t flagged = 0;
  int64_t monitored = 0;
  int64_t alerts = 0;
  int64_t batches = 0;
  int64_t committed = 0;  // records whose batch the store has committed
  uint64_t p50_ns = 0;    // since start
  uint64_t p99_ns = 0;
  Histogram latency_ns;  // cumulative, for per-interval percentiles
  int64_t resumed_from = 0;
  int64_t rules_swaps = 0;                                 // rule packs swapped in while running
  std::vector<std::pair<std::string, int64_t>> rule_hits;  // events each rule fired on
  // Record entered the source -> its batch committed in the store, milliseconds
  // (sources that know when records entered them: Kafka). Cumulative.
  Histogram end_to_end_ms;
  Histogram commit_us;      // store commit time per batch, microseconds. Cumulative.
  int64_t source_lag = -1;  // records waiting in the source (Kafka lag); -1 unknown
};

class Runner {
 public:
  Runner(stream::Source& source, store::Store& store, Processor& processor, const Clock& clock,
         RunnerOptions options = {});

  // Runs until end of input or until `stop` becomes true; then commits what it has.
  Status run(const std::atomic<bool>& stop);
  RunnerSnapshot snapshot() const;

 private:
  stream::Source& source_;
  store::Store& store_;
  Processor& processor_;
  const Clock& clock_;
  RunnerOptions options_;

  mutable std::mutex mutex_;  // guards snapshot_ and latency_
  RunnerSnapshot snapshot_;
  int64_t store_duplicates_ = 0;  // ids the store already held
  Histogram latency_;
};

}  // namespace wf::pipeline
