#include "store/store.h"

namespace wf::store {

PositionTally tally_positions(const Batch& batch) {
  const size_t n = batch.positions.size();
  PositionTally t;
  t.last_ts.assign(n + 1, 0);
  t.records.assign(n + 1, 0);
  t.duplicates.assign(n + 1, 0);
  t.fact_index.resize(batch.facts.size());
  size_t hint = 0;  // rows of one position usually come together
  auto index_of = [&](std::string_view source) -> size_t {
    if (source.empty()) return n;
    if (hint >= n || batch.positions[hint].name != source) {
      hint = 0;
      while (hint < n && batch.positions[hint].name != source) ++hint;
    }
    return hint;  // n (the batch's own source) when no position has that name
  };
  for (size_t i = 0; i < batch.facts.size(); ++i) {
    const FactRow& f = batch.facts[i];
    const size_t at = index_of(f.source);
    t.fact_index[i] = static_cast<uint32_t>(at);
    t.last_ts[at] = f.event_ts;
    ++t.records[at];
  }
  for (const DeadLetterRow& d : batch.dead_letters) ++t.records[index_of(d.source)];
  for (std::string_view source : batch.dropped_duplicates) {
    const size_t at = index_of(source);
    ++t.records[at];
    ++t.duplicates[at];
  }
  return t;
}

}  // namespace wf::store
