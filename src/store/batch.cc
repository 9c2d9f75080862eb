#include "store/store.h"

namespace wf::store {

std::vector<Instant> last_event_times(const Batch& batch, Instant* own_last) {
  std::vector<Instant> last(batch.positions.size(), 0);
  *own_last = 0;
  size_t hint = 0;  // rows of one position usually come together
  for (const FactRow& f : batch.facts) {
    if (f.source.empty()) {
      *own_last = f.event_ts;
      continue;
    }
    if (hint >= batch.positions.size() || batch.positions[hint].name != f.source) {
      hint = 0;
      while (hint < batch.positions.size() && batch.positions[hint].name != f.source) ++hint;
    }
    if (hint < batch.positions.size()) last[hint] = f.event_ts;
  }
  return last;
}

}  // namespace wf::store
