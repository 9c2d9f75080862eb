// Fraud injection and legitimate look-alikes. Each pattern is scheduled as future events
// on the heap and holds its user (pending / busy_until) so that ordinary traffic cannot
// change what the rules see around it. Rule conditions (PHP after FX, local = UTC+8):
// R001 >= 50,000 at 00-05h; R002 > 10 events in 5 min; R003 > 100 km from the previous
// event within 10 min; R004 >= 10,000 in exact thousands; R005 first event after >= 180
// idle days and >= 20,000; R006 >= 30,000 outside PH.
#include <algorithm>

#include "gen/stream_impl_internal.h"
#include "gen/util_internal.h"

namespace wf::gen {

using domain::TxType;
using internal::Category;
using internal::Kind;
using internal::UserKind;

namespace {

constexpr int64_t kPhp = 100;
constexpr int64_t kSecond = kMicrosPerSecond;
constexpr int64_t kMinute = kMicrosPerMinute;
constexpr int64_t kHoldAfterUs = 15 * kMinute;  // R003 / R006: no event of the user after
constexpr int64_t kDormantAfterUs = 180 * kMicrosPerDay;
constexpr int kPickTries = 16;
constexpr int kMaxOwed = 1000;

}  // namespace

void StreamGenerator::Impl::start_patterns(Instant t) {
  // An injection that found no eligible user is owed and retried at later arrivals, so
  // the label shares hold even when users are scarce.
  for (int k = 0; k < internal::kKindCount; ++k) {
    if (owed_[k] == 0) continue;
    if (inject(static_cast<Kind>(k), t)) --owed_[k];
    break;
  }
  double u = rng_.uniform();
  for (int k = 0; k < internal::kKindCount; ++k) {
    if (u < start_prob_[k]) {
      if (!inject(static_cast<Kind>(k), t) && owed_[k] < kMaxOwed) ++owed_[k];
      return;
    }
    u -= start_prob_[k];
  }
}

int64_t StreamGenerator::Impl::pick_injectable(Instant t, int64_t min_idle_us) {
  for (int i = 0; i < kPickTries; ++i) {
    const uint32_t u = pool_[rng_.below(pool_.size())];
    const UserState& s = users_[u];
    if (s.kind == UserKind::kActive && s.busy_until <= t && s.pending == 0 &&
        !internal::is_foreign(s.place) && t - s.last_time >= min_idle_us) {
      return u;
    }
  }
  return -1;
}

Instant StreamGenerator::Impl::in_local_window(Instant t, int start_hour, int end_hour) {
  // A uniform time in what is left of today's [start, end) local window, else tomorrow's.
  constexpr int64_t kOffset = 480 * kMinute;
  const Instant local = t + kOffset;
  Instant day0 = local - (((local % kMicrosPerDay) + kMicrosPerDay) % kMicrosPerDay);
  for (int d = 0; d < 2; ++d, day0 += kMicrosPerDay) {
    const Instant lo = std::max(day0 + start_hour * kMicrosPerHour, local + kSecond);
    const Instant hi = day0 + end_hour * kMicrosPerHour - kMinute;
    if (lo < hi)
      return lo + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(hi - lo))) - kOffset;
  }
  return t + kSecond;
}

int64_t StreamGenerator::Impl::non_round(int64_t php_lo, int64_t php_hi) {
  int64_t c = rng_.between(php_lo * kPhp, php_hi * kPhp);
  if (c % (1'000 * kPhp) == 0) c += 37;
  return c;
}

int64_t StreamGenerator::Impl::foreign_minor(const internal::Fx& fx, int64_t php_centavos,
                                             int64_t min_php) {
  int64_t minor = std::max<int64_t>(1, php_centavos * 1'000'000 / fx.micro_ratio);
  for (int i = 0; i < 8; ++i) {
    const int64_t eq = internal::to_php_centavos(minor, fx);
    if (eq >= min_php * kPhp && eq % (1'000 * kPhp) != 0) break;
    ++minor;
  }
  return minor;
}

void StreamGenerator::Impl::schedule(uint32_t user, Instant t, int64_t php_centavos, TxType type,
                                     Category category, uint8_t pattern, uint8_t device_variant) {
  Pending p;
  p.t = t;
  p.user = user;
  p.amount_minor = php_centavos;
  p.fx = &internal::fx_for("PHP");
  p.type = type;
  p.category = category;
  p.pattern = pattern;
  p.fraud = pattern != 0 && pattern != 4;  // R004 is monitor-only: a label, not fraud
  p.device_variant = device_variant;
  push(p);
}

bool StreamGenerator::Impl::inject(Kind kind, Instant t) {
  switch (kind) {
    case Kind::kR002: {
      // The user must have been idle for R002's whole window before the burst.
      const int64_t u = pick_injectable(t, 5 * kMinute + 2 * kSecond);
      return u >= 0 && inject_burst(static_cast<uint32_t>(u), t);
    }
    case Kind::kR003: {
      const int64_t u = pick_injectable(t, 0);
      return u >= 0 && inject_jump(static_cast<uint32_t>(u), t);
    }
    case Kind::kR006: {
      // Long enough after the user's previous event not to be a location jump as well.
      const int64_t u = pick_injectable(t, kHoldAfterUs);
      return u >= 0 && inject_foreign(static_cast<uint32_t>(u), t);
    }
    case Kind::kFpIntl: {
      const int64_t u = pick_injectable(t, 0);
      return u >= 0 && inject_trip_purchase(static_cast<uint32_t>(u), t);
    }
    case Kind::kR005:
    case Kind::kDormantSmall:
    case Kind::kFpDormant:
      return inject_dormant(kind, t);
    default:
      break;
  }
  const int64_t picked = pick_injectable(t, 0);
  if (picked < 0) return false;
  const auto u = static_cast<uint32_t>(picked);
  const bool transfer = rng_.chance(0.5);
  switch (kind) {
    case Kind::kR001:  // a taken-over account drained at night, at the user's usual place
      schedule(u, in_local_window(t, 0, 5), non_round(50'000, 150'000),
               transfer ? TxType::kTransfer : TxType::kPayment, Category::kShopping, 1, 1);
      break;
    case Kind::kR004: {  // round cash-ins and transfers in daytime: monitored, not fraud
      const TxType type = transfer ? TxType::kTransfer : TxType::kCashIn;
      schedule(u, in_local_window(t, 8, 21), rng_.between(10, 29) * 1'000 * kPhp, type,
               Category::kCash, 4, 0);
      break;
    }
    case Kind::kBigDay:  // appliances, tuition: big but in daytime and not round
      schedule(u, in_local_window(t, 10, 19), non_round(50'000, 150'000), TxType::kPayment,
               Category::kShopping, 0, 0);
      break;
    case Kind::kFpNight:  // an emergency hospital bill at night: legitimate, fires R001
      schedule(u, in_local_window(t, 0, 5), non_round(50'000, 90'000), TxType::kPayment,
               Category::kHealth, 0, 0);
      break;
    default:
      return false;
  }
  return true;
}

bool StreamGenerator::Impl::inject_burst(uint32_t user, Instant t) {
  // 12-16 small payments or transfers within at most 4 minutes. Only from the 11th on
  // does R002 ("more than 10 in 5 minutes") hold, so only those carry the R002 label;
  // the first ten are indistinguishable from normal use (same phone, small amounts) and
  // are labelled legitimate.
  const int n = static_cast<int>(rng_.between(12, 16));
  const int64_t gap = rng_.between(90, 230) * kSecond / (n - 1);
  Instant at = t + kSecond;
  for (int i = 0; i < n; ++i) {
    const bool fraud = i >= 10;
    const TxType type = rng_.chance(0.5) ? TxType::kTransfer : TxType::kPayment;
    schedule(user, at, non_round(50, 800), type, Category::kFood, fraud ? 2 : 0, 0);
    if (i + 1 < n) at += gap + static_cast<int64_t>(rng_.below(2 * kSecond));
  }
  // Nothing else of the user until the burst has left every later 5-minute window.
  users_[user].busy_until = at + 6 * kMinute;
  return true;
}

bool StreamGenerator::Impl::inject_jump(uint32_t user, Instant t) {
  // An ordinary-looking event where the user is, then 1-9 minutes later one from a city
  // at least 300 km away: the account is used by someone else.
  const uint16_t from = users_[user].place;
  const auto cities = internal::ph_cities();
  auto km_to = [&](size_t c) {
    return internal::distance_km(cities[from].lat, cities[from].lon, cities[c].lat, cities[c].lon);
  };
  size_t to = from;
  for (int i = 0; i < 20 && km_to(to) < 300; ++i) to = rng_.below(cities.size());
  if (km_to(to) < 300) {
    for (size_t c = 0; c < cities.size(); ++c) {
      if (km_to(c) > km_to(to)) to = c;
    }
  }
  const Instant pre = t + kSecond;
  schedule(user, pre, non_round(100, 2'500), TxType::kPayment, Category::kFood, 0, 0);
  const Instant jump = pre + rng_.between(60, 540) * kSecond;
  Pending p;
  p.t = jump;
  p.user = user;
  p.amount_minor = non_round(1'000, 25'000);
  p.fx = &internal::fx_for("PHP");
  p.place = static_cast<uint16_t>(to);
  p.type = rng_.chance(0.5) ? TxType::kTransfer : TxType::kCashOut;
  p.category = Category::kCash;
  p.pattern = 3;
  p.fraud = true;
  p.device_variant = 3;
  push(p);
  users_[user].busy_until = jump + kHoldAfterUs;
  return true;
}

bool StreamGenerator::Impl::inject_foreign(uint32_t user, Instant t) {
  // A card-not-present purchase in one of R006's countries, PHP >= 35,000 equivalent
  // (margin over 30,000 for FX), below R001's 50,000 at night, never in exact thousands.
  const auto foreign = internal::foreign_cities();
  size_t city = rng_.below(foreign.size());
  while (!foreign[city].r006) city = rng_.below(foreign.size());
  const Instant at = t + kSecond;
  const int64_t hi = local_hour(at, 480) < 5 ? 49'000 : 150'000;
  const int64_t php = non_round(35'000, hi);
  Pending p;
  p.t = at;
  p.user = user;
  p.fx = rng_.chance(0.6) ? &internal::fx_for(foreign[city].currency) : &internal::fx_for("PHP");
  p.amount_minor = foreign_minor(*p.fx, php, 35'000);
  p.place = static_cast<uint16_t>(internal::kForeignBase + city);
  p.type = TxType::kPayment;
  p.category = Category::kShopping;
  p.pattern = 6;
  p.fraud = true;
  p.device_variant = 4;
  push(p);
  users_[user].busy_until = at + kHoldAfterUs;
  return true;
}

bool StreamGenerator::Impl::inject_trip_purchase(uint32_t user, Instant t) {
  // A real trip abroad (road-speed bound, so it takes a while) and a legitimate big
  // purchase there: R006 fires on a legitimate event. Amounts stay below 50,000.
  const auto foreign = internal::foreign_cities();
  UserState& s = users_[user];
  const auto to = static_cast<uint16_t>(internal::kForeignBase + rng_.below(foreign.size()));
  const Instant arrive = t + travel_us(s.place, to);
  s.place = to;
  s.busy_until = arrive;
  Pending p;
  p.t = arrive + rng_.between(1, 12) * kMicrosPerHour;
  p.user = user;
  p.fx = rng_.chance(0.6) ? &internal::fx_for(foreign[to - internal::kForeignBase].currency)
                          : &internal::fx_for("PHP");
  p.amount_minor = foreign_minor(*p.fx, non_round(35'000, 45'000), 31'000);
  p.type = TxType::kPayment;
  p.category = Category::kShopping;
  push(p);
  return true;
}

bool StreamGenerator::Impl::inject_dormant(Kind kind, Instant t) {
  if (dormant_.empty()) {
    // No dormant user left to reactivate: keep the fraud share with another pattern.
    if (kind == Kind::kR005) return inject(++redirect_ % 2 ? Kind::kR001 : Kind::kR006, t);
    if (kind == Kind::kFpDormant) return inject(Kind::kFpIntl, t);
    return true;
  }
  const uint32_t u = dormant_.back();
  const Instant at = t + kSecond;
  UserState& s = users_[u];
  if (at - s.last_activity < kDormantAfterUs + kMicrosPerHour) return false;
  dormant_.pop_back();
  s.kind = UserKind::kReactivated;  // reactivated once; ordinary traffic never picks them
  const bool night = local_hour(at, 480) < 5;
  switch (kind) {
    case Kind::kR005:
      schedule(u, at, non_round(20'000, night ? 49'000 : 80'000),
               rng_.chance(0.5) ? TxType::kTransfer : TxType::kCashOut, Category::kCash, 5, 1);
      break;
    case Kind::kDormantSmall:
      schedule(u, at, non_round(200, 15'000), TxType::kBills, Category::kBills, 0, 0);
      break;
    default:  // kFpDormant: a returning user legitimately pays a big bill
      schedule(u, at, non_round(20'000, 45'000), TxType::kPayment, Category::kShopping, 0, 0);
      break;
  }
  return true;
}

}  // namespace wf::gen
