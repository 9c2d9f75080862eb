// Bounded disorder for simulated streams: each line gets a key = event time + a random
// delay in [0, max_disorder_us] (kept increasing per user, so every user's events stay in
// order and the per-user rules see exactly what an in-order stream shows), and lines
// leave in key order once no later-generated event can have a smaller key. An event is
// then never emitted after one more than max_disorder_us younger than it.
#include <algorithm>

#include "gen/stream_impl_internal.h"

namespace wf::gen {

bool StreamGenerator::Impl::next_disordered(std::string* out, Label* label) {
  auto key_greater = [this](uint32_t a, uint32_t b) {
    const Slot& x = slots_[a];
    const Slot& y = slots_[b];
    return x.key != y.key ? x.key > y.key : x.seq > y.seq;
  };
  if (user_key_.empty()) user_key_.assign(users_.size(), INT64_MIN);
  // Generated event times never decrease, so a key at or below the latest generated
  // time cannot be undercut by anything generated later.
  while (ready_.empty() || slots_[ready_.front()].key > frontier_) {
    if (free_slots_.empty()) {
      free_slots_.push_back(static_cast<uint32_t>(slots_.size()));
      slots_.emplace_back();
    }
    const uint32_t i = free_slots_.back();
    free_slots_.pop_back();
    Slot& slot = slots_[i];
    slot.line.clear();
    slot.ok = produce(false, 0, &slot.line, &slot.label);
    const Instant delay =
        static_cast<Instant>(rng_.below(static_cast<uint64_t>(options_.max_disorder_us) + 1));
    if (slot.ok) {
      frontier_ = std::max(frontier_, last_t_);
      Instant& user_key = user_key_[static_cast<size_t>(last_user_)];
      slot.key = std::max(last_t_ + delay, user_key + 1);
      user_key = slot.key;
    } else {
      // Malformed lines have no trustworthy time; they ride along near the frontier.
      slot.key = (frontier_ == INT64_MIN ? options_.start : frontier_) + delay;
    }
    slot.seq = seq_++;
    ready_.push_back(i);
    std::push_heap(ready_.begin(), ready_.end(), key_greater);
  }
  std::pop_heap(ready_.begin(), ready_.end(), key_greater);
  const uint32_t i = ready_.back();
  ready_.pop_back();
  free_slots_.push_back(i);
  const Slot& slot = slots_[i];
  out->append(slot.line);
  if (slot.ok) {
    label->transaction_id.assign(slot.label.transaction_id);
    label->is_fraud = slot.label.is_fraud;
    label->pattern.assign(slot.label.pattern);
  }
  return slot.ok;
}

}  // namespace wf::gen
