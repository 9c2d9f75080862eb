// Where records come from: a file, stdin, a generator, later Kafka. A source hands out
// batches of records (one record = one line / message) with their positions, and can
// seek to a position stored with a committed batch, which is how processing resumes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wf::stream {

// Bytes readable after every record's end (simdjson reads ahead, never writes).
inline constexpr size_t kRecordPadding = 64;

struct Record {
  Record() = default;
  Record(std::string_view b, int64_t o, bool t, std::string_view s = {})
      : bytes(b), offset(o), truncated(t), source(s) {}

  std::string_view bytes;  // without the line terminator; kRecordPadding readable after
  int64_t offset = 0;      // position of the record's first byte (file) or its offset
  bool truncated = false;  // longer than the source's buffer: bytes is a prefix
  // Sources with several positions (Kafka partitions): the position's name, e.g.
  // "kafka:topic/3", valid for the source's lifetime; empty for single-position sources.
  std::string_view source;
  // When the record entered the source (Kafka's create time), ms since the epoch; 0 if
  // unknown. For end-to-end latency (entered -> committed in the store).
  int64_t timestamp_ms = 0;
};

// Where to resume one of a multi-position source's positions (a partition).
struct Position {
  std::string source;  // "kafka:topic/3"
  int64_t next = 0;    // the offset after the last record handed out
  // Where this position stood before these records: the stored position they continue
  // from (0 when none), so the store can refuse rows of a partition someone else took.
  int64_t from = 0;
};

struct RecordBatch {
  std::vector<Record> records;      // views valid until the next call to Source::next()
  int64_t end_position = 0;         // position to resume from after these records
  bool end_of_input = false;        // no more records will come (file fully read)
  std::vector<Position> positions;  // multi-position sources: positions these records moved
};

// Told by a source whose positions come and go (a Kafka consumer group member) when they
// do. Called on the thread that calls Source::next(), from inside it.
class PartitionListener {
 public:
  virtual ~PartitionListener() = default;
  // Positions are about to go to another consumer: when this returns, everything handed
  // out so far must be committed (the source drops what it read but did not hand out).
  virtual Status on_revoke(const std::vector<std::string>& positions) = 0;
  // Positions were assigned: fill `resume` (one per position) with where each resumes,
  // from the store. `fresh` when some of them were not held just before, so the rule
  // state of their keys must be rebuilt from the store.
  virtual Status on_assign(const std::vector<std::string>& positions, bool fresh,
                           std::vector<int64_t>* resume) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  // Stable identity stored with offsets, e.g. "file:/abs/path".
  virtual const std::string& name() const = 0;
  // Whether positions from an earlier run are meaningful (false for pipes).
  virtual bool resumable() const = 0;
  virtual Status seek(int64_t position) = 0;
  // Fills `out` with up to `max_records` records; may return fewer (or none with
  // end_of_input) when input is exhausted.
  virtual Status next(RecordBatch* out, size_t max_records) = 0;
  // Called (from the store's writer thread) once `positions` are committed in the store,
  // so a source with its own offset bookkeeping (Kafka's committed offsets, which make
  // consumer lag visible to standard tools) can follow. Must be thread-safe.
  virtual void on_committed(const std::vector<Position>& /*positions*/) {}
  // Records known to be waiting in the source beyond what was handed out (Kafka: the sum
  // of assigned partitions' lag); -1 when the source cannot tell. Any thread.
  virtual int64_t lag() const { return -1; }
  // Sources whose positions are assigned while running (consumer groups) report
  // assignments here; the state to score them with is restored then, not at start.
  virtual bool assigns_positions() const { return false; }
  virtual void set_listener(PartitionListener* /*listener*/) {}
};

}  // namespace wf::stream
