// The StreamGenerator facade and the core of its Impl: merging the ordinary arrival
// process with the heap of scheduled pattern events, and writing events with labels.
#include <algorithm>

#include "core/uuid.h"
#include "gen/stream_impl_internal.h"
#include "gen/util_internal.h"

namespace wf::gen {

using internal::Category;
using internal::EventSpec;
using internal::UserKind;

namespace {

// A user's ordinary transactions are at least this far apart, so ordinary traffic
// alone never has more than 6 events of one user in R002's 5-minute window.
constexpr int64_t kMinGapUs = 60 * kMicrosPerSecond;
constexpr int64_t kDormantAfterUs = 180 * kMicrosPerDay;
constexpr int kPickTries = 16;

// Relative transaction volume per local hour (PH, UTC+8): quiet 00:00-05:00, peaks at
// lunch and in the evening; normalised to mean 1 in the constructor.
constexpr double kHourCurve[24] = {0.30, 0.16, 0.10, 0.08, 0.10, 0.25, 0.55, 0.90,
                                   1.10, 1.20, 1.30, 1.60, 1.90, 1.60, 1.20, 1.10,
                                   1.20, 1.40, 1.70, 1.90, 1.80, 1.50, 1.00, 0.60};

constexpr std::string_view kPatternNames[] = {"", "R001", "R002", "R003", "R004", "R005", "R006"};

bool later(const internal::Pending& a, const internal::Pending& b) {
  return a.t != b.t ? a.t > b.t : a.seq > b.seq;
}

}  // namespace

StreamGenerator::Impl::Impl(const Dimensions& dims, const StreamOptions& options)
    : dims_(dims),
      options_(options),
      rng_(internal::mix64(options.seed ^ 0x73747265616dULL)),  // "stream"
      writer_(dims, internal::mix64(options.seed)),
      clock_(options.start) {
  double sum = 0;
  for (double c : kHourCurve) sum += c;
  for (int h = 0; h < 24; ++h) curve_[h] = kHourCurve[h] * 24 / sum;
  init_users();
  merchants_by_.assign(internal::kCategoryCount, {});
  merchants_local_.assign(internal::kCategoryCount,
                          std::vector<std::vector<uint32_t>>(internal::ph_cities().size()));
  for (uint32_t i = 0; i < dims_.merchants.size(); ++i) {
    const domain::Merchant& m = dims_.merchants[i];
    for (int c = 0; c < internal::kCategoryCount; ++c) {
      if (internal::category_name(static_cast<Category>(c)) != m.category) continue;
      merchants_by_[c].push_back(i);
      for (size_t city = 0; city < internal::ph_cities().size(); ++city) {
        if (internal::ph_cities()[city].province == m.province) {
          merchants_local_[c][city].push_back(i);
        }
      }
    }
  }
  // Per-arrival start probabilities. Every pattern event is scheduled in addition to the
  // arrival's ordinary event, so with q_k starts of kind k making n_k events each, an
  // arrival yields E = 1 + sum q_k n_k events. Shares s_k of all events (R002: its
  // fraud-labelled events, 4 per burst of 14 on average) give q_k = s_k E / fraud_k and
  // E = 1 / (1 - f * 2.26); f is capped at 0.2 so the q_k stay well below 1.
  const double f = std::clamp(options_.fraud_rate, 0.0, 0.2);
  const double e = 1.0 / (1.0 - 2.26 * f);
  const double share[internal::kKindCount] = {
      f / 5,    f / 5 / 4, f / 5,    f / 5, f / 5, f / 5,  // R001..R006
      f / 5,    f / 10,                                    // big daytime, dormant small
      0.02 * f, 0.02 * f,  0.02 * f,                       // false positives: 6% of the FLAG rate
  };
  for (int k = 0; k < internal::kKindCount; ++k) start_prob_[k] = share[k] * e;
  heap_.reserve(1024);
  scratch_.reserve(1024);
}

void StreamGenerator::Impl::init_users() {
  // Dormancy is judged at the stream's start; live callers that leave start at 0 get
  // the latest activity in the dims as the reference instead.
  Instant reference = options_.start;
  if (reference == 0) {
    for (const domain::User& u : dims_.users) reference = std::max(reference, u.last_txn_at);
  }
  const auto cities = internal::ph_cities();
  users_.resize(dims_.users.size());
  for (uint32_t i = 0; i < dims_.users.size(); ++i) {
    const domain::User& u = dims_.users[i];
    UserState& s = users_[i];
    for (uint16_t c = 0; c < cities.size(); ++c) {
      if (cities[c].name == u.home_city) s.home = c;
    }
    s.place = s.home;
    s.last_activity = u.last_txn_at;
    s.phone = static_cast<uint32_t>(internal::phone_digits(u.user_id));
    if (u.account_status != "ACTIVE") {
      s.kind = UserKind::kInactive;  // suspended and closed accounts never transact
    } else if (u.last_txn_at != 0 && reference - u.last_txn_at >= kDormantAfterUs) {
      s.kind = UserKind::kDormant;
      dormant_.push_back(i);
    } else {
      s.kind = UserKind::kActive;
      pool_.push_back(i);
      ++active_users_;
      // One user in five is a heavy user with three times the activity.
      if (internal::mix64(i * 0x9e37ULL + options_.seed) % 5 == 0) {
        pool_.push_back(i);
        pool_.push_back(i);
      }
    }
  }
  if (pool_.empty()) {  // degenerate dims: let everyone transact rather than stall
    for (uint32_t i = 0; i < users_.size(); ++i) {
      users_[i].kind = UserKind::kActive;
      pool_.push_back(i);
    }
    dormant_.clear();
    active_users_ = users_.size();
  }
  // Reactivation order is random but fixed by the seed.
  for (size_t i = dormant_.size(); i > 1; --i) std::swap(dormant_[i - 1], dormant_[rng_.below(i)]);
  next_pick_ = pool_[rng_.below(pool_.size())];
  base_rate_per_us_ =
      static_cast<double>(active_users_) * options_.tx_per_user_per_day / kMicrosPerDay;
}

Instant StreamGenerator::Impl::next_arrival(Instant t) {
  // Exact inhomogeneous Poisson step with a rate that is constant within each hour.
  double need = rng_.exponential(1.0);
  Instant cur = t;
  for (int guard = 0; guard < 24 * 400; ++guard) {
    const int h = local_hour(cur, 480);
    const int64_t into_hour = ((cur % kMicrosPerHour) + kMicrosPerHour) % kMicrosPerHour;
    const Instant hour_end = cur - into_hour + kMicrosPerHour;
    const double rate = base_rate_per_us_ * curve_[h];
    const double cap = rate * static_cast<double>(hour_end - cur);
    if (need <= cap) return cur + std::max<int64_t>(1, static_cast<int64_t>(need / rate));
    need -= cap;
    cur = hour_end;
  }
  return cur;
}

void StreamGenerator::Impl::push(const Pending& p) {
  heap_.push_back(p);
  heap_.back().seq = seq_++;
  std::push_heap(heap_.begin(), heap_.end(), later);
  ++users_[p.user].pending;
}

bool StreamGenerator::Impl::next(bool live, Instant now, std::string* out, Label* label) {
  if (!live && options_.max_disorder_us > 0) return next_disordered(out, label);
  return produce(live, now, out, label);
}

bool StreamGenerator::Impl::produce(bool live, Instant now, std::string* out, Label* label) {
  const Instant t = live ? now : clock_;
  last_user_ = -1;
  if (options_.bad_rate > 0 && rng_.chance(options_.bad_rate)) {
    emit_bad(t, out);
    return false;
  }
  if (!heap_.empty() && heap_.front().t <= t) return emit_pending(out, label);
  if (!live) clock_ = next_arrival(clock_);
  start_patterns(t);
  emit_ordinary(t, out, label);
  return true;
}

void StreamGenerator::Impl::finish(const EventSpec& e, uint8_t pattern, bool fraud,
                                   std::string* out, Label* label) {
  format_uuid_v7(e.t, rng_, uuid_);
  writer_.write(e, uuid_, internal::Defect{}, out);
  out->push_back('\n');
  label->transaction_id.assign(uuid_, kUuidChars);
  label->is_fraud = fraud;
  label->pattern.assign(kPatternNames[pattern]);
  ++events_;
  if (fraud) ++fraud_events_;
  last_t_ = e.t;
  last_user_ = e.user;
  UserState& s = users_[e.user];
  s.last_time = std::max(s.last_time, e.t);
  s.last_activity = std::max(s.last_activity, e.t);
}

bool StreamGenerator::Impl::emit_pending(std::string* out, Label* label) {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const Pending p = heap_.back();
  heap_.pop_back();
  UserState& s = users_[p.user];
  --s.pending;
  EventSpec e;
  e.t = p.t;
  e.user = p.user;
  e.type = p.type;
  e.to_user = p.type == domain::TxType::kTransfer || p.type == domain::TxType::kRemittance;
  e.counterparty = e.to_user ? pick_other_user(p.user) : pick_merchant(p.category, s.place);
  e.amount_minor = p.amount_minor;
  e.fx = p.fx;
  if (p.place == internal::kAtUser) {
    place_event(p.user, s.place, &e);
  } else {
    // Somewhere the user is not: near the centre of that city.
    e.place = p.place;
    e.lat = internal::place_lat(p.place) + (rng_.uniform() - 0.5) * 0.04;
    e.lon = internal::place_lon(p.place) + (rng_.uniform() - 0.5) * 0.04;
  }
  e.channel = p.device_variant != 0 ? internal::Channel::kWeb : internal::Channel::kApp;
  e.method = rng_.chance(0.3) ? internal::Method::kCard : internal::Method::kWallet;
  e.amount_as_number = rng_.chance(0.1);
  e.device_variant = p.device_variant;
  e.ip_variant = p.device_variant;
  e.phone = s.phone;
  finish(e, p.pattern, p.fraud, out, label);
  return true;
}

uint32_t StreamGenerator::Impl::pick_ordinary_user(Instant t) {
  // Skip users a pattern holds and users who transacted less than kMinGapUs ago. When the
  // rate is too high for the user count (live mode), the least recent free user wins.
  // The first candidate was drawn on the previous call and its state prefetched: with
  // many users, these cache misses would otherwise dominate the cost of an event.
  const uint32_t first = next_pick_;
  next_pick_ = pool_[rng_.below(pool_.size())];
  __builtin_prefetch(&users_[next_pick_]);
  __builtin_prefetch(&dims_.users[next_pick_]);
  uint32_t best = pool_[0];
  Instant best_time = INT64_MAX;
  for (int i = 0; i < kPickTries; ++i) {
    const uint32_t u = i == 0 ? first : pool_[rng_.below(pool_.size())];
    const UserState& s = users_[u];
    if (s.busy_until > t) continue;
    if (t - s.last_time >= kMinGapUs) return u;
    if (s.last_time < best_time) {
      best = u;
      best_time = s.last_time;
    }
  }
  if (best_time != INT64_MAX) return best;
  const size_t start = rng_.below(pool_.size());
  for (size_t i = 0; i < pool_.size(); ++i) {
    const uint32_t u = pool_[(start + i) % pool_.size()];
    if (users_[u].busy_until <= t) return u;
  }
  return best;  // every user is held by a pattern: cannot happen with sane options
}

void StreamGenerator::Impl::emit_ordinary(Instant t, std::string* out, Label* label) {
  const uint32_t u = pick_ordinary_user(t);
  EventSpec e;
  draw_ordinary(u, t, &e);
  finish(e, 0, false, out, label);
  maybe_depart(u, t);
}

StreamGenerator::StreamGenerator(const Dimensions& dims, const StreamOptions& options)
    : impl_(std::make_unique<Impl>(dims, options)) {}
StreamGenerator::~StreamGenerator() = default;

bool StreamGenerator::next(std::string* out, Label* label) {
  return impl_->next(false, 0, out, label);
}
bool StreamGenerator::next_at(Instant now, std::string* out, Label* label) {
  return impl_->next(true, now, out, label);
}
const BadLineCounts& StreamGenerator::bad_lines() const { return impl_->bad_; }
int64_t StreamGenerator::events() const { return impl_->events_; }
int64_t StreamGenerator::fraud_events() const { return impl_->fraud_events_; }

}  // namespace wf::gen
