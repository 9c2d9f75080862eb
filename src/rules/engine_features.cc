// Stateful features computed from a key's slot (the state before this event), and the
// fold that records the event afterwards.
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
using internal::PrevBlock;
using internal::Reg;
using internal::Ring;
using internal::sat_sub;
using internal::to_int;
using internal::trailing_number;
using internal::Type;

// Accumulates the values of a window: integers exactly, numbers as doubles.
struct Acc {
  int64_t n = 0;
  int64_t isum = 0;
  double dsum = 0;
  double dsq = 0;
  int64_t imin = INT64_MAX, imax = INT64_MIN;
  double dmin = HUGE_VAL, dmax = -HUGE_VAL;

  void add_int(int64_t v) {
    ++n;
    isum = static_cast<int64_t>(static_cast<uint64_t>(isum) + static_cast<uint64_t>(v));
    dsum += static_cast<double>(v);
    dsq += static_cast<double>(v) * static_cast<double>(v);
    imin = std::min(imin, v);
    imax = std::max(imax, v);
  }
  void add_double(double v) {
    ++n;
    dsum += v;
    dsq += v * v;
    dmin = std::min(dmin, v);
    dmax = std::max(dmax, v);
  }
};

}  // namespace

void Engine::compute_feature(uint32_t index) {
  const Feature& f = prog_->features[index];
  Reg& out = regs_[f.reg];
  out = Reg{};  // missing, and nothing of the last event's value left (a string of length 0)
  const uint32_t* slot =
      f.lookup >= 0 ? lookup_slots_[static_cast<size_t>(f.lookup)] : slots_[f.group];
  if (slot == nullptr) return;
  const Instant t = ev_->tx->event_ts;
  switch (f.kind) {
    case FeatureKind::kLastSeen: {
      int64_t v = load64(slot);
      out.null = v == 0;
      out.i = v;
      return;
    }
    case FeatureKind::kPrevTime:
    case FeatureKind::kPrevAge:
    case FeatureKind::kPrevAttr: {
      const PrevBlock& pb = prog_->prevs[f.block];
      const uint32_t* b = slot + pb.offset;
      if (!(b[2] & 1)) return;
      const int64_t ts = load64(b);
      const int64_t age = sat_sub(t, ts);
      if (pb.within_us > 0 && (age > pb.within_us || age < -pb.within_us)) return;
      if (f.kind == FeatureKind::kPrevTime) {
        out.i = ts;
        out.null = false;
        return;
      }
      if (f.kind == FeatureKind::kPrevAge) {
        out.i = age;
        out.null = false;
        return;
      }
      const internal::PrevAttr& attr = pb.attrs[f.column];
      if (!((b[2] >> (1 + f.column)) & 1)) return;
      const uint32_t* w = b + attr.offset;
      out.null = false;
      switch (attr.type) {
        case Type::kLocation:
          out.d = load_float(w);
          out.d2 = load_float(w + 1);
          break;
        case Type::kNumber:
          out.d = load_double(w);
          break;
        case Type::kString: {
          std::string_view s = strings_.get(w[0]);
          out.s = s.data();
          out.i = static_cast<int64_t>(s.size());
          out.null = s.empty();
          break;
        }
        default:
          out.i = load64(w);
          break;
      }
      return;
    }
    case FeatureKind::kStreak: {
      const internal::StreakBlock& sb = prog_->streaks[f.block];
      const Reg& v = regs_[sb.value_reg];
      if (v.null) return;
      const uint32_t* b = slot + sb.offset;
      const uint64_t h = hash_value(v, sb.value_type);
      out.null = false;
      out.i = (b[2] > 0 && static_cast<uint64_t>(load64(b)) == h) ? int64_t{b[2]} + 1 : 1;
      return;
    }
    case FeatureKind::kSeqRun: {
      const internal::SeqRunBlock& sb = prog_->seqruns[f.block];
      int64_t num;
      if (!trailing_number(regs_[sb.id_reg], sb.id_type, &num)) return;
      const uint32_t* b = slot + sb.offset;
      const int64_t gap = sat_sub(t, load64(b + 2));
      const bool next =
          b[4] > 0 && num == load64(b) + 1 && gap <= sb.within_us && gap >= -sb.within_us;
      out.null = false;
      out.i = next ? int64_t{b[4]} + 1 : 1;
      return;
    }
    default:
      break;
  }

  // Windowed aggregates: kept entries in [t - window, t] plus this event.
  const Ring& ring = prog_->rings[f.block];
  const uint32_t* rw = slot + ring.offset;
  const int64_t base = load64(rw);
  const int n = static_cast<int>(rw[2]);
  const uint32_t* times = rw + 3;
  const int64_t lo = floor_ms(sat_sub(t, f.window_us)) - base;
  const int64_t hi = floor_ms(t) - base;
  int first = n, last = -1;  // entries [first, last] are in the window (times are sorted)
  if (n > 0 && hi >= 0 && lo <= int64_t{UINT32_MAX} && lo <= hi) {
    const uint32_t lo32 = lo < 0 ? 0 : static_cast<uint32_t>(lo);
    const uint32_t hi32 = hi > int64_t{UINT32_MAX} ? UINT32_MAX : static_cast<uint32_t>(hi);
    first = 0;
    while (first < n && times[first] < lo32) ++first;
    last = n - 1;
    while (last >= first && times[last] > hi32) --last;
  }
  const bool current = !f.prior && filter_passes(ring.filter_reg);
  if (f.kind == FeatureKind::kCount) {
    out.null = false;
    out.i = std::max(0, last - first + 1) + (current ? 1 : 0);
    return;
  }
  const Column& col = ring.columns[f.column];
  const uint32_t* cw = rw + col.offset;
  const Reg& now = regs_[col.value_reg];
  if (f.kind == FeatureKind::kDistinct) {
    uint32_t seen[internal::kMaxRingCapacity + 1];
    int k = 0;
    for (int i = first; i <= last; ++i) {
      if (cw[i] != 0) seen[k++] = cw[i];
    }
    if (current && !now.null) seen[k++] = hash32(now, col.type);
    std::sort(seen, seen + k);
    out.null = false;
    out.i = std::unique(seen, seen + k) - seen;
    return;
  }
  const bool real = col.type == Type::kNumber;
  Acc acc;
  for (int i = first; i <= last; ++i) {
    if (real) {
      double v = load_double(cw + 2 * i);
      if (!std::isnan(v)) acc.add_double(v);
    } else {
      int64_t v = load64(cw + 2 * i);
      if (v != kMissing) acc.add_int(v);
    }
  }
  if (current && !now.null) real ? acc.add_double(now.d) : acc.add_int(now.i);
  const bool int_result = f.type != Type::kNumber;
  switch (f.kind) {
    case FeatureKind::kSum:
      out.null = false;
      if (real) {
        out.d = acc.dsum;
      } else {
        out.i = acc.isum;
      }
      return;
    case FeatureKind::kMin:
    case FeatureKind::kMax:
      if (acc.n == 0) return;
      out.null = false;
      if (real) {
        out.d = f.kind == FeatureKind::kMin ? acc.dmin : acc.dmax;
      } else {
        out.i = f.kind == FeatureKind::kMin ? acc.imin : acc.imax;
      }
      return;
    case FeatureKind::kAvg:
    case FeatureKind::kStddev: {
      if (acc.n == 0) return;
      const double mean = acc.dsum / static_cast<double>(acc.n);
      double v = mean;
      if (f.kind == FeatureKind::kStddev) {
        double var = acc.dsq / static_cast<double>(acc.n) - mean * mean;
        v = std::sqrt(var > 0 ? var : 0);  // population deviation of the window
      }
      out.null = false;
      if (int_result) {
        out.i = to_int(v);
      } else {
        out.d = v;
      }
      return;
    }
    default:
      return;
  }
}

void Engine::fold() {
  const Instant t = ev_->tx->event_ts;
  const int64_t t_ms = floor_ms(t);
  for (size_t g = 0; g < slots_.size(); ++g) {
    if (slots_[g] != nullptr && t > load64(slots_[g])) store64(slots_[g], t);
  }
  for (const Ring& ring : prog_->rings) {
    uint32_t* slot = slots_[ring.group];
    if (slot != nullptr && filter_passes(ring.filter_reg)) {
      internal::ring_record(ring, slot + ring.offset, t_ms, regs_.data());
    }
  }
  for (const PrevBlock& pb : prog_->prevs) {
    uint32_t* slot = slots_[pb.group];
    if (slot == nullptr || !filter_passes(pb.filter_reg)) continue;
    uint32_t* b = slot + pb.offset;
    if ((b[2] & 1) && t < load64(b)) continue;  // keep the newest by event time
    store64(b, t);
    uint32_t flags = 1;
    for (size_t i = 0; i < pb.attrs.size(); ++i) {
      const internal::PrevAttr& attr = pb.attrs[i];
      const Reg& v = regs_[attr.value_reg];
      uint32_t* w = b + attr.offset;
      if (v.null) continue;
      switch (attr.type) {
        case Type::kLocation:
          store_float(w, static_cast<float>(v.d));
          store_float(w + 1, static_cast<float>(v.d2));
          break;
        case Type::kNumber:
          store_double(w, v.d);
          break;
        case Type::kString: {
          // Usually the same as last time (a user's city): compare before interning.
          std::string_view value(v.s, static_cast<size_t>(v.i));
          if (strings_.get(w[0]) != value) w[0] = strings_.intern(value);
          break;
        }
        default:
          store64(w, v.i);
          break;
      }
      flags |= 1u << (1 + i);
    }
    b[2] = flags;
  }
  for (const internal::StreakBlock& sb : prog_->streaks) {
    uint32_t* slot = slots_[sb.group];
    if (slot == nullptr) continue;
    uint32_t* b = slot + sb.offset;
    const Reg& v = regs_[sb.value_reg];
    if (v.null) {
      b[2] = 0;  // a missing value breaks the streak
      continue;
    }
    const uint64_t h = hash_value(v, sb.value_type);
    const bool same = b[2] > 0 && static_cast<uint64_t>(load64(b)) == h;
    store64(b, static_cast<int64_t>(h));
    b[2] = same ? (b[2] == UINT32_MAX ? b[2] : b[2] + 1) : 1;
  }
  for (const internal::SeqRunBlock& sb : prog_->seqruns) {
    uint32_t* slot = slots_[sb.group];
    if (slot == nullptr) continue;
    uint32_t* b = slot + sb.offset;
    int64_t num;
    if (!trailing_number(regs_[sb.id_reg], sb.id_type, &num)) {
      b[4] = 0;
      continue;
    }
    const int64_t gap = sat_sub(t, load64(b + 2));
    const bool next =
        b[4] > 0 && num == load64(b) + 1 && gap <= sb.within_us && gap >= -sb.within_us;
    store64(b, num);
    store64(b + 2, t);
    b[4] = next ? (b[4] == UINT32_MAX ? b[4] : b[4] + 1) : 1;
  }
}

}  // namespace wf::rules
