// Transaction ids scored within the last one to two horizons of event time, as 64-bit
// hashes, so a resent transaction is recognised before it touches rule state (the store
// would drop the row, but a velocity ring would already have counted it). Older resends
// cannot change what a window rule sees. Two generations rotate as event time passes,
// which bounds memory to the ids of two horizons. Owned by the scoring thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace wf::pipeline {

class RecentIds {
 public:
  explicit RecentIds(int64_t horizon_us) : horizon_us_(horizon_us) {}

  // True when `id` is already known (a duplicate); otherwise remembers it, at time t.
  bool seen_or_add(std::string_view id, Instant t);
  size_t size() const { return current_.count + previous_.count; }

 private:
  struct Table {
    std::vector<uint64_t> slots;  // 0 = empty
    size_t count = 0;
    bool contains(uint64_t h) const;
    void insert(uint64_t h);
  };

  int64_t horizon_us_;
  Instant generation_end_ = 0;
  Table current_;
  Table previous_;
};

}  // namespace wf::pipeline
