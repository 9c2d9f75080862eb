// The Engine's per-key state: resolving each key group's slot for an event, computing
// stateful features from it, and folding the event in afterwards. Slot layouts are in
// program.h.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "rules/engine.h"
#include "rules/engine_internal.h"
#include "rules/program.h"

namespace wf::rules {
namespace {

using internal::Column;
using internal::Feature;
using internal::FeatureKind;
using internal::hash32;
using internal::hash_value;
using internal::kMissing;
using internal::mix;
using internal::Reg;
using internal::Ring;
using internal::sat_sub;
using internal::Type;

// Ring entries older than this (relative to a new time that no longer fits the 32-bit
// offset) are beyond any window (compiler.h bounds windows to 30 days) and are dropped
// when the base moves.
constexpr int64_t kRingKeepMs = 31LL * 86'400'000;
void put_value(uint32_t* w, const Reg& r, Type t) {
  if (t == Type::kNumber) {
    store_double(w, r.null ? std::nan("") : r.d);
  } else {
    store64(w, r.null ? kMissing : r.i);
  }
}

}  // namespace

// Keeps the `capacity` newest times sorted, so a late event is counted against the
// times around its own.
void internal::ring_record(const Ring& ring, uint32_t* rw, int64_t t_ms, const Reg* regs) {
  const int cap = ring.capacity;
  if (cap == 0) return;
  uint32_t* times = rw + 3;
  int n = static_cast<int>(rw[2]);
  int64_t base = load64(rw);
  auto move = [&](int to, int from) {
    times[to] = times[from];
    for (const Column& c : ring.columns) {
      uint32_t* col = rw + c.offset;
      if (c.hashed) {
        col[to] = col[from];
      } else {
        col[2 * to] = col[2 * from];
        col[2 * to + 1] = col[2 * from + 1];
      }
    }
  };
  auto put = [&](int at, uint32_t offset) {
    times[at] = offset;
    for (const Column& c : ring.columns) {
      const Reg& v = regs[c.value_reg];
      uint32_t* col = rw + c.offset;
      if (c.hashed) {
        col[at] = v.null ? 0 : hash32(v, c.type);
      } else {
        put_value(col + 2 * at, v, c.type);
      }
    }
  };
  if (n == 0) {
    store64(rw, t_ms);
    put(0, 0);
    rw[2] = 1;
    return;
  }
  if (t_ms < base) {
    // Older than every kept time: keep it only if there is room, by moving the base down.
    if (n == cap) return;
    int64_t shift = base - t_ms;
    if (shift > int64_t{UINT32_MAX} - times[n - 1]) return;  // no window reaches that far
    for (int i = n; i > 0; --i) {
      move(i, i - 1);
      times[i] += static_cast<uint32_t>(shift);
    }
    put(0, 0);
    store64(rw, t_ms);
    rw[2] = static_cast<uint32_t>(n + 1);
    return;
  }
  int64_t offset = t_ms - base;
  if (offset > int64_t{UINT32_MAX}) {
    // The new time does not fit: forget times too old to matter, rebase on the oldest left.
    int drop = 0;
    while (drop < n && base + times[drop] < t_ms - kRingKeepMs) ++drop;
    n -= drop;
    const int64_t new_base = n > 0 ? base + times[drop] : t_ms;
    const uint32_t delta = n > 0 ? times[drop] : 0;
    for (int i = 0; i < n; ++i) {
      move(i, i + drop);
      times[i] -= delta;
    }
    store64(rw, new_base);
    offset = t_ms - new_base;
  }
  if (n == cap) {
    if (offset < times[0]) {
      rw[2] = static_cast<uint32_t>(n);
      return;  // older than the `capacity` newest
    }
    for (int i = 0; i + 1 < n; ++i) move(i, i + 1);
    --n;
  }
  int i = n;
  for (; i > 0 && times[i - 1] > offset; --i) move(i, i - 1);
  put(i, static_cast<uint32_t>(offset));
  rw[2] = static_cast<uint32_t>(n + 1);
}

Engine::Engine(const RulePack& pack) : pack_(&pack), prog_(&pack.program()) {
  regs_ = prog_->constants;
  for (size_t g = 0; g < prog_->groups.size(); ++g) {
    tables_.emplace_back(prog_->groups[g].stride, prog_->groups[g].dense_user);
    if (prog_->groups[g].dense_user) user_table_ = static_cast<int>(g);
  }
  slots_.assign(prog_->groups.size(), nullptr);
  lookup_slots_.assign(prog_->lookups.size(), nullptr);
}

Engine::~Engine() = default;

bool Engine::filter_passes(int32_t reg) const {
  if (reg < 0) return true;
  const Reg& r = regs_[static_cast<size_t>(reg)];
  return !r.null && r.i != 0;
}

void Engine::ensure_user(uint32_t user, Instant last_seen) {
  if (user_table_ < 0) return;
  KeyTable& t = tables_[static_cast<size_t>(user_table_)];
  if (user < t.keys()) return;
  store64(t.dense_slot(user), last_seen);
}

void Engine::set_last_seen(uint32_t user, Instant t) {
  if (user_table_ < 0) return;
  uint32_t* slot = tables_[static_cast<size_t>(user_table_)].dense_slot(user);
  if (t > load64(slot)) store64(slot, t);
}

namespace {

uint32_t ring_words(const Ring& r) {
  uint32_t words = 3 + static_cast<uint32_t>(r.capacity);
  for (const internal::Column& c : r.columns) {
    words += static_cast<uint32_t>(r.capacity) * (c.hashed ? 1 : 2);
  }
  return words;
}

bool same_columns(const Ring& a, const Ring& b) {
  if (a.capacity != b.capacity || a.columns.size() != b.columns.size()) return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    if (a.columns[i].signature != b.columns[i].signature ||
        a.columns[i].hashed != b.columns[i].hashed || a.columns[i].type != b.columns[i].type) {
      return false;
    }
  }
  return true;
}

bool same_attrs(const internal::PrevBlock& a, const internal::PrevBlock& b) {
  if (a.attrs.size() != b.attrs.size()) return false;
  for (size_t i = 0; i < a.attrs.size(); ++i) {
    if (a.attrs[i].name != b.attrs[i].name || a.attrs[i].type != b.attrs[i].type) return false;
  }
  return true;
}

}  // namespace

size_t Engine::adopt(const Engine& old) {
  const internal::Program& np = *prog_;
  const internal::Program& op = *old.prog_;
  struct Copy {
    uint32_t from, to, words;
  };
  size_t carried = 0;
  for (size_t g = 0; g < np.groups.size(); ++g) {
    size_t og = 0;
    while (og < op.groups.size() && op.groups[og].signature != np.groups[g].signature) ++og;
    if (og == op.groups.size()) continue;
    std::vector<Copy> plan{{0, 0, internal::kHeaderWords}};
    for (const Ring& r : np.rings) {
      if (r.group != g) continue;
      for (const Ring& o : op.rings) {
        if (o.group == og && o.signature == r.signature && same_columns(o, r)) {
          plan.push_back({o.offset, r.offset, ring_words(r)});
        }
      }
    }
    for (const internal::PrevBlock& b : np.prevs) {
      if (b.group != g) continue;
      for (const internal::PrevBlock& o : op.prevs) {
        if (o.group == og && o.signature == b.signature && same_attrs(o, b)) {
          plan.push_back({o.offset, b.offset, 3 + 2 * static_cast<uint32_t>(b.attrs.size())});
        }
      }
    }
    for (const internal::StreakBlock& b : np.streaks) {
      for (const internal::StreakBlock& o : op.streaks) {
        if (b.group == g && o.group == og && o.signature == b.signature) {
          plan.push_back({o.offset, b.offset, 3});
        }
      }
    }
    for (const internal::SeqRunBlock& b : np.seqruns) {
      for (const internal::SeqRunBlock& o : op.seqruns) {
        if (b.group == g && o.group == og && o.signature == b.signature) {
          plan.push_back({o.offset, b.offset, 5});
        }
      }
    }
    carried += plan.size() - 1;
    KeyTable& table = tables_[g];
    old.tables_[og].for_each([&](uint64_t key, const uint32_t* words) {
      uint32_t* dst =
          table.dense() ? table.dense_slot(static_cast<uint32_t>(key)) : table.hashed_slot(key);
      for (const Copy& c : plan) {
        std::memcpy(dst + c.to, words + c.from, sizeof(uint32_t) * c.words);
      }
    });
  }
  strings_ = old.strings_;  // kept string attributes are ids into it
  next_expire_ = old.next_expire_;
  return carried;
}

size_t Engine::users() const {
  return user_table_ < 0 ? 0 : tables_[static_cast<size_t>(user_table_)].keys();
}

double Engine::bytes_per_user() const {
  size_t n = users();
  if (n == 0) return 0;
  size_t bytes = 0;
  for (const KeyTable& t : tables_) bytes += t.bytes();
  return static_cast<double>(bytes) / static_cast<double>(n);
}

size_t Engine::expire(Instant now) {
  size_t dropped = 0;
  if (prog_->idle_expiry_us <= 0) return 0;
  for (KeyTable& t : tables_) dropped += t.expire(sat_sub(now, prog_->idle_expiry_us));
  return dropped;
}

uint64_t Engine::key_hash(const std::vector<uint16_t>& regs, const std::vector<Type>& types,
                          bool* missing) const {
  // Values only (not field names): a lookup by other fields with equal values finds the
  // same key.
  uint64_t h = 0x8f1bbcdcca62c1d6ULL;
  for (size_t k = 0; k < regs.size(); ++k) {
    const Reg& r = regs_[regs[k]];
    *missing |= r.null;
    h = mix(h ^ hash_value(r, types[k])) + k;
  }
  return h;
}

void Engine::prologue(const Event& e) {
  ev_ = &e;
  computed_ = 0;
  const Instant t = e.tx->event_ts;
  if (t >= next_expire_ && prog_->idle_expiry_us > 0) {
    // Sweep hashed keys a few times per expiry period of event time.
    if (next_expire_ != 0) expire(t);
    const int64_t step = std::max<int64_t>(prog_->idle_expiry_us / 4, 1);
    next_expire_ = t > INT64_MAX - step ? INT64_MAX : t + step;  // events may carry any time
  }
  run(0, prog_->prologue_end);
  for (size_t g = 0; g < prog_->groups.size(); ++g) {
    const internal::KeyGroup& group = prog_->groups[g];
    if (group.dense_user) {
      slots_[g] = tables_[g].dense_slot(e.user);
      continue;
    }
    bool missing = false;
    const uint64_t h = key_hash(group.field_regs, group.field_types, &missing);
    slots_[g] = missing ? nullptr : tables_[g].hashed_slot(h);
  }
  // Lookups after every insert above, so no rehash moves the slots they point at.
  for (size_t l = 0; l < prog_->lookups.size(); ++l) {
    const internal::LookupKey& key = prog_->lookups[l];
    bool missing = false;
    const uint64_t h = key_hash(key.field_regs, key.field_types, &missing);
    lookup_slots_[l] = missing ? nullptr : tables_[key.group].find(h);
  }
}

}  // namespace wf::rules
