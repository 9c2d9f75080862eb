// Ordinary (legitimate, unremarkable) traffic: the seed's type and spending mix,
// lognormal amounts kept clear of every rule threshold, the user's own device and
// address, and trips at road speed.
#include <cmath>

#include "gen/stream_impl_internal.h"
#include "gen/util_internal.h"

namespace wf::gen {

using domain::TxType;
using internal::Category;
using internal::EventSpec;

namespace {

constexpr int64_t kPhp = 100;  // centavos per peso
constexpr int64_t kDormantAfterUs = 180 * kMicrosPerDay;
// Road speed bound for trips; the brief allows nothing faster than ~80 km/h.
constexpr double kTravelKmh = 75.0;
constexpr int64_t kTravelOverheadUs = 20 * kMicrosPerMinute;
// Per-user spot within a city (+-3.9 km) and per-event jitter (+-170 m), in degrees.
constexpr double kSpotSpread = 0.07;
constexpr double kEventJitter = 0.003;

// transaction_type mix of seed 000: payment, transfer, bills, cash_in, cash_out, remittance.
constexpr double kTypeMix[] = {0.55, 0.15, 0.12, 0.08, 0.06, 0.04};
constexpr TxType kTypes[] = {TxType::kPayment, TxType::kTransfer, TxType::kBills,
                             TxType::kCashIn,  TxType::kCashOut,  TxType::kRemittance};
// Spending mix of seed 000 among payments (Bills is the bills type): Food 30, Groceries
// 20, Transport 15, Shopping 10, Entertainment 8, Health 5.
constexpr double kPaymentMix[] = {30, 20, 15, 10, 8, 5};
constexpr Category kPaymentCats[] = {Category::kFood,          Category::kGroceries,
                                     Category::kTransport,     Category::kShopping,
                                     Category::kEntertainment, Category::kHealth};
constexpr double kAbroadMix[] = {40, 20, 30, 10};
constexpr Category kAbroadCats[] = {Category::kFood, Category::kTransport, Category::kShopping,
                                    Category::kEntertainment};

struct AmountModel {
  double median_php;
  double sigma;
};
// Lognormal per category (payments, bills) and per type (the rest); the overall mean
// comes out near PHP 1,500 as the seed states.
constexpr AmountModel kByCategory[internal::kCategoryCount] = {
    {350, 0.7},  {1200, 0.7}, {250, 0.8}, {1800, 0.6},
    {1500, 1.0}, {450, 0.6},  {600, 0.8}, {1500, 0.8},
};
constexpr AmountModel kTransfer = {1200, 1.0};
constexpr AmountModel kRemittance = {3000, 0.9};

const internal::WeightedPicker& city_picker() {
  static const internal::WeightedPicker picker = [] {
    std::vector<double> w;
    for (const internal::City& c : internal::ph_cities()) w.push_back(c.population_k);
    return internal::WeightedPicker(w);
  }();
  return picker;
}

}  // namespace

int64_t StreamGenerator::Impl::draw_php_amount(TxType type, Category category) {
  AmountModel m = kByCategory[static_cast<int>(category)];
  if (type == TxType::kTransfer) m = kTransfer;
  if (type == TxType::kRemittance) m = kRemittance;
  const double php = m.median_php * std::exp(m.sigma * rng_.normal());
  int64_t centavos = static_cast<int64_t>(php * kPhp);
  if (type == TxType::kCashIn || type == TxType::kCashOut) {
    centavos = (centavos / (100 * kPhp) + 1) * 100 * kPhp;  // agents take round hundreds
  } else if (type == TxType::kTransfer && rng_.chance(0.6)) {
    centavos = (centavos / kPhp + 1) * kPhp;  // people send whole pesos
  }
  return std::max<int64_t>(centavos, 20 * kPhp);
}

int64_t StreamGenerator::Impl::make_plausible(int64_t php, const UserState& s, Instant t,
                                              bool abroad) {
  // Ordinary amounts stay below every FLAG threshold: < 30,000 (R001, R006 at home),
  // < 25,000 abroad (R006 with FX margin), < 20,000 for a user idle >= 180 days (R005),
  // and no exact thousands from 10,000 (R004).
  if (php >= 30'000 * kPhp) php = 5'000 * kPhp + php % (20'000 * kPhp);
  if (abroad && php >= 25'000 * kPhp) php = 1'000 * kPhp + php % (20'000 * kPhp);
  if (php >= 20'000 * kPhp && t - s.last_activity >= kDormantAfterUs) {
    php = 100 * kPhp + php % (19'000 * kPhp);
  }
  if (php >= 10'000 * kPhp && php % (1'000 * kPhp) == 0) php += 50 * kPhp;
  return php;
}

void StreamGenerator::Impl::place_event(uint32_t user, uint16_t place, EventSpec* e) {
  const uint64_t h = internal::mix64(options_.seed ^ (user * 0x10001ULL + place + 1));
  e->place = place;
  e->lat = internal::place_lat(place) + (internal::unit_from_hash(h) - 0.5) * kSpotSpread +
           (rng_.uniform() - 0.5) * kEventJitter;
  e->lon = internal::place_lon(place) +
           (internal::unit_from_hash(internal::mix64(h)) - 0.5) * kSpotSpread +
           (rng_.uniform() - 0.5) * kEventJitter;
}

int64_t StreamGenerator::Impl::travel_us(uint16_t from, uint16_t to) const {
  // Spot to spot plus both jitters, at road speed: never faster than kTravelKmh.
  const double spread_km = kSpotSpread * 111.2 * 1.5;
  const double km = internal::distance_km(internal::place_lat(from), internal::place_lon(from),
                                          internal::place_lat(to), internal::place_lon(to)) +
                    spread_km + 1.0;
  return static_cast<int64_t>(km / kTravelKmh * kMicrosPerHour) + kTravelOverheadUs;
}

void StreamGenerator::Impl::maybe_depart(uint32_t user, Instant t) {
  UserState& s = users_[user];
  if (s.pending > 0) return;  // a scheduled pattern event expects the user where they are
  uint16_t to = s.place;
  if (s.place != s.home) {
    if (rng_.chance(0.25)) to = s.home;
  } else {
    const double r = rng_.uniform();
    if (r < 0.008) {
      to = static_cast<uint16_t>(city_picker().pick(rng_));
    } else if (r < 0.0095) {
      to = static_cast<uint16_t>(internal::kForeignBase +
                                 rng_.below(internal::foreign_cities().size()));
    }
  }
  if (to == s.place) return;
  // The user is on the road: the next event of theirs happens at `to`, after arrival.
  s.busy_until = std::max(s.busy_until, t + travel_us(s.place, to));
  s.place = to;
}

uint32_t StreamGenerator::Impl::pick_merchant(Category category, uint16_t place) {
  const auto c = static_cast<size_t>(category);
  if (!internal::is_foreign(place)) {
    const auto& local = merchants_local_[c][place];
    if (!local.empty() && rng_.chance(0.8)) return local[rng_.below(local.size())];
  }
  const auto& all = merchants_by_[c];
  if (!all.empty()) return all[rng_.below(all.size())];
  return static_cast<uint32_t>(rng_.below(dims_.merchants.size()));
}

uint32_t StreamGenerator::Impl::pick_other_user(uint32_t user) {
  const size_t n = users_.size();
  uint32_t v = static_cast<uint32_t>(rng_.below(n));
  if (v == user && n > 1) v = static_cast<uint32_t>((v + 1) % n);
  return v;
}

void StreamGenerator::Impl::draw_abroad(const UserState& s, EventSpec* e) {
  static const internal::WeightedPicker kPick(kAbroadMix);
  const Category cat = kAbroadCats[kPick.pick(rng_)];
  e->type = TxType::kPayment;
  e->counterparty = pick_merchant(cat, s.place);
  const int64_t php = make_plausible(draw_php_amount(TxType::kPayment, cat), s, e->t, true);
  const internal::ForeignCity& city = internal::foreign_cities()[s.place - internal::kForeignBase];
  e->fx = rng_.chance(0.75) ? &internal::fx_for(city.currency) : &internal::fx_for("PHP");
  int64_t minor = std::max<int64_t>(1, php * 1'000'000 / e->fx->micro_ratio);
  // Rounding through FX must not land on an exact PHP thousand >= 10,000 (R004).
  for (int i = 0; i < 4; ++i) {
    const int64_t eq = internal::to_php_centavos(minor, *e->fx);
    if (eq < 10'000 * kPhp || eq % (1'000 * kPhp) != 0) break;
    ++minor;
  }
  e->amount_minor = minor;
}

void StreamGenerator::Impl::draw_ordinary(uint32_t user, Instant t, EventSpec* e) {
  static const internal::WeightedPicker kTypePick(kTypeMix);
  static const internal::WeightedPicker kPaymentPick(kPaymentMix);
  const UserState& s = users_[user];
  e->t = t;
  e->user = user;
  e->phone = s.phone;
  if (internal::is_foreign(s.place)) {
    draw_abroad(s, e);
  } else {
    e->type = kTypes[kTypePick.pick(rng_)];
    Category cat = Category::kCash;
    if (e->type == TxType::kPayment) cat = kPaymentCats[kPaymentPick.pick(rng_)];
    if (e->type == TxType::kBills) cat = Category::kBills;
    e->to_user = e->type == TxType::kTransfer || e->type == TxType::kRemittance;
    e->counterparty = e->to_user ? pick_other_user(user) : pick_merchant(cat, s.place);
    e->amount_minor = make_plausible(draw_php_amount(e->type, cat), s, t, false);
    e->fx = &internal::fx_for("PHP");
  }
  place_event(user, s.place, e);
  const bool at_counter = e->type == TxType::kPayment && !internal::is_foreign(s.place);
  if (at_counter && rng_.chance(0.3)) {
    e->channel = internal::Channel::kQr;
    e->method = internal::Method::kQr;
  } else {
    const double c = rng_.uniform();
    e->channel = c < 0.80 ? internal::Channel::kApp
                          : (c < 0.93 || internal::is_foreign(s.place) ? internal::Channel::kWeb
                                                                       : internal::Channel::kUssd);
    const double m = rng_.uniform();
    if (e->type == TxType::kCashIn) {
      e->method = m < 0.5 ? internal::Method::kBank : internal::Method::kWallet;
    } else {
      e->method = m < 0.72 ? internal::Method::kWallet
                           : (m < 0.88 ? internal::Method::kCard : internal::Method::kBank);
    }
  }
  e->failed = rng_.chance(0.04);
  e->amount_as_number = rng_.chance(0.10);
  e->device_variant = 0;
  e->ip_variant = rng_.chance(0.1) ? static_cast<uint8_t>(1 + rng_.below(3)) : 0;
}

}  // namespace wf::gen
