// Per-user rule state: the recent transaction times the velocity rule counts, the
// previous location and time for location jumps, and the last-activity time for
// dormancy. Users are dense indexes (assigned by the pipeline from dim_users, new users
// appended), so a lookup is an array access. Owned by one thread (the scoring thread of
// a shard); not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "core/huge_page_allocator.h"
#include "core/time.h"

namespace wf::rules {

class UserStateTable {
 public:
  // `velocity_capacity` is how many recent times per user the velocity rule needs
  // (its max_count); 0 when the pack has no velocity rule.
  explicit UserStateTable(int velocity_capacity = 0);

  // Makes index `user` valid; a new user's last activity starts at `last_activity`
  // (dim_users.last_txn_at, 0 = never).
  void ensure(uint32_t user, Instant last_activity);
  size_t size() const;
  // Raises the user's last activity to `t` (restore on restart); never lowers it.
  void set_last_activity(uint32_t user, Instant t);

  // Forgets recent times and locations older than `before` (the last-activity time is
  // kept); returns how many users had state dropped. Bounds memory for idle users.
  size_t expire(Instant before);
  // Bytes of state held per user (all tables together, divided by size()).
  double bytes_per_user() const;
  // Hints the CPU to load `user`'s state; the scoring loop calls it a few events ahead
  // so the cache miss overlaps decoding.
  void prefetch(uint32_t user) const {
    if (user < size_) {
      const char* p = reinterpret_cast<const char*>(words_.data() + size_t{user} * stride_);
      __builtin_prefetch(p, 1);
      __builtin_prefetch(p + 64, 1);
    }
  }

  // Internal layout is private to the engine (see user_state_internal.h).
  friend class Engine;

 private:
  // One contiguous block of uint32 words per user: a fixed header, then the velocity
  // ring. A user's whole state is adjacent in memory, so scoring touches 1-2 cache lines.
  uint32_t* slot_words(uint32_t user) { return words_.data() + size_t{user} * stride_; }

  int velocity_capacity_;  // the pack's largest max_count
  int ring_capacity_;      // velocity_capacity_ newest times plus as many for late events
  size_t stride_;          // words per user
  size_t size_ = 0;        // users
  std::vector<uint32_t, HugePageAllocator<uint32_t>> words_;
};

}  // namespace wf::rules
