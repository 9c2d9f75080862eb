// Per-user rule state: the recent transaction times the velocity rule counts, the
// previous location and time for location jumps, and the last-activity time for
// dormancy. Users are dense indexes (assigned by the pipeline from dim_users, new users
// appended), so a lookup is an array access. Owned by one thread (the scoring thread of
// a shard); not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

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

  // Internal layout is private to the engine.
  friend class Engine;

 private:
  struct Slot;
  int velocity_capacity_;
  std::vector<Instant> last_activity_;
  std::vector<Instant> last_seen_;  // time of the previous located transaction
  std::vector<float> last_lat_;
  std::vector<float> last_lon_;
  std::vector<Instant> recent_;  // velocity_capacity_ times per user, ring buffer
  std::vector<uint8_t> recent_head_;
  std::vector<uint8_t> recent_count_;
};

}  // namespace wf::rules
