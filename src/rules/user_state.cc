#include "rules/user_state.h"

#include <algorithm>

#include "rules/pack_internal.h"
#include "rules/user_state_internal.h"

namespace wf::rules {
namespace internal {

void SlotRef::record_time(int64_t t_ms) {
  if (capacity_ == 0) return;
  uint32_t* ring = w_ + kHeaderWords;
  int n = ring_size();
  int64_t base = load64(6);
  if (n == 0) {
    store64(6, t_ms);
    ring[0] = 0;
    set_ring_size(1);
    return;
  }
  if (t_ms < base) {
    // Older than every kept time: keep it only if there is room, by moving the base down.
    if (n == capacity_) return;
    int64_t shift = base - t_ms;
    if (shift > int64_t{UINT32_MAX} - ring[n - 1]) return;  // no window reaches that far
    for (int i = n; i > 0; --i) ring[i] = ring[i - 1] + static_cast<uint32_t>(shift);
    ring[0] = 0;
    store64(6, t_ms);
    set_ring_size(n + 1);
    return;
  }
  int64_t offset = t_ms - base;
  if (offset > int64_t{UINT32_MAX}) {
    // The new time does not fit: forget times too old to matter, rebase on the oldest left.
    int drop = 0;
    while (drop < n && base + ring[drop] < t_ms - kRingKeepMs) ++drop;
    n -= drop;
    int64_t new_base = n > 0 ? base + ring[drop] : t_ms;
    uint32_t delta = n > 0 ? ring[drop] : 0;
    for (int i = 0; i < n; ++i) ring[i] = ring[i + drop] - delta;
    store64(6, new_base);
    offset = t_ms - new_base;
  }
  if (n == capacity_) {
    if (offset < ring[0]) return;  // older than the `capacity` newest
    std::memmove(ring, ring + 1, sizeof(uint32_t) * (n - 1));
    --n;
  }
  int i = n;
  for (; i > 0 && ring[i - 1] > offset; --i) ring[i] = ring[i - 1];
  ring[i] = static_cast<uint32_t>(offset);
  set_ring_size(n + 1);
}

bool SlotRef::drop_times_before(int64_t before_ms) {
  uint32_t* ring = w_ + kHeaderWords;
  const int n = ring_size();
  const int64_t base = load64(6);
  int drop = 0;
  while (drop < n && base + ring[drop] < before_ms) ++drop;
  if (drop == 0) return false;
  std::memmove(ring, ring + drop, sizeof(uint32_t) * (n - drop));
  set_ring_size(n - drop);
  return true;
}

}  // namespace internal

UserStateTable::UserStateTable(int velocity_capacity)
    : velocity_capacity_(
          std::clamp(velocity_capacity, 0, static_cast<int>(internal::kMaxVelocityCount))),
      ring_capacity_(2 * velocity_capacity_),
      stride_(internal::kHeaderWords + static_cast<size_t>(ring_capacity_)) {}

void UserStateTable::ensure(uint32_t user, Instant last_activity) {
  if (user < size_) return;
  const size_t new_size = size_t{user} + 1;
  const size_t needed = new_size * stride_;
  if (needed > words_.capacity()) {
    // Grow by a quarter, not the usual doubling: this table is most of the process's
    // memory, and bytes_per_user() counts the slack honestly.
    size_t grown = words_.capacity() + words_.capacity() / 4 + 1024 * stride_;
    words_.reserve(std::max(needed, grown));
  }
  words_.resize(needed, 0);
  size_ = new_size;
  internal::SlotRef(slot_words(user), ring_capacity_).set_last_activity(last_activity);
}

size_t UserStateTable::size() const { return size_; }

void UserStateTable::set_last_activity(uint32_t user, Instant t) {
  if (user >= size_) return;
  internal::SlotRef slot(slot_words(user), ring_capacity_);
  if (t > slot.last_activity()) slot.set_last_activity(t);
}

size_t UserStateTable::expire(Instant before) {
  const int64_t before_ms = internal::floor_ms(before);
  size_t users = 0;
  for (size_t u = 0; u < size_; ++u) {
    internal::SlotRef slot(words_.data() + u * stride_, ring_capacity_);
    bool dropped = slot.drop_times_before(before_ms);
    if (slot.has_location() && slot.location_time() < before) {
      slot.clear_location();
      dropped = true;
    }
    users += dropped ? 1 : 0;
  }
  return users;
}

double UserStateTable::bytes_per_user() const {
  if (size_ == 0) return 0;
  return static_cast<double>(words_.capacity() * sizeof(uint32_t)) / static_cast<double>(size_);
}

}  // namespace wf::rules
