#include "pipeline/recent_ids.h"

#include <utility>

#include "core/hash.h"

namespace wf::pipeline {

bool RecentIds::Table::contains(uint64_t h) const {
  if (slots.empty()) return false;
  size_t mask = slots.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots[i] == h) return true;
    if (slots[i] == 0) return false;
  }
}

void RecentIds::Table::insert(uint64_t h) {
  if ((count + 1) * 2 > slots.size()) {  // keep the load factor <= 1/2
    std::vector<uint64_t> old = std::move(slots);
    slots.assign(old.empty() ? 1024 : old.size() * 2, 0);
    count = 0;
    for (uint64_t v : old) {
      if (v != 0) insert(v);
    }
  }
  size_t mask = slots.size() - 1;
  size_t i = h & mask;
  while (slots[i] != 0) i = (i + 1) & mask;
  slots[i] = h;
  ++count;
}

bool RecentIds::seen_or_add(std::string_view id, Instant t) {
  uint64_t h = hash_bytes(id) | 1;
  if (current_.contains(h) || previous_.contains(h)) return true;
  if (t >= generation_end_) {
    // Event time moved past this generation: the older one can no longer matter.
    std::swap(previous_, current_);
    current_.slots.assign(current_.slots.size(), 0);
    current_.count = 0;
    generation_end_ = t + horizon_us_;
  }
  current_.insert(h);
  return false;
}

}  // namespace wf::pipeline
