#include "gen/card.h"

#include <cmath>
#include <queue>
#include <vector>

#include "core/json_writer.h"
#include "core/rng.h"
#include "core/uuid.h"

namespace wf::gen {
namespace {

struct City {
  const char* name;
  const char* country;
  double lat, lon;
  const char* state = "";
};

// Home cities (US) and, for foreign events, cities abroad.
constexpr City kHome[] = {
    {"New York", "US", 40.7128, -74.0060, "New York"},
    {"Los Angeles", "US", 34.0522, -118.2437, "California"},
    {"Chicago", "US", 41.8781, -87.6298, "Illinois"},
    {"Houston", "US", 29.7604, -95.3698, "Texas"},
    {"Phoenix", "US", 33.4484, -112.0740, "Arizona"},
    {"Philadelphia", "US", 39.9526, -75.1652, "Pennsylvania"},
    {"San Antonio", "US", 29.4241, -98.4936, "Texas"},
    {"San Diego", "US", 32.7157, -117.1611, "California"},
    {"Dallas", "US", 32.7767, -96.7970, "Texas"},
    {"Seattle", "US", 47.6062, -122.3321, "Washington"},
    {"Denver", "US", 39.7392, -104.9903, "Colorado"},
    {"Boston", "US", 42.3601, -71.0589, "Massachusetts"},
    {"Miami", "US", 25.7617, -80.1918, "Florida"},
    {"Atlanta", "US", 33.7490, -84.3880, "Georgia"},
};
constexpr City kAbroad[] = {
    {"London", "GB", 51.5074, -0.1278},      {"Paris", "FR", 48.8566, 2.3522},
    {"Tokyo", "JP", 35.6762, 139.6503},      {"Lagos", "NG", 6.5244, 3.3792},
    {"Sao Paulo", "BR", -23.5505, -46.6333},
};
constexpr const char* kAbroadCurrency[] = {"GBP", "EUR", "JPY", "USD", "USD"};
constexpr double kAbroadRate[] = {1.27, 1.08, 0.0067, 1.0, 1.0};  // USD per unit

struct Event {
  Instant t = 0;
  size_t customer = 0;
  int64_t amount_usd_cents = 0;
  const City* city = nullptr;
  size_t abroad = SIZE_MAX;  // index into kAbroad when abroad
  bool present = true;       // card present (POS) or online
  bool bad_coordinates = false;
  bool fraud = false;
  std::string pattern;
  uint64_t seq = 0;  // ties in time keep the order they were made in
};

struct Later {
  bool operator()(const Event& a, const Event& b) const {
    return a.t != b.t ? a.t > b.t : a.seq > b.seq;
  }
};

// The customers: each one's home city (index into kHome) and own spending level, drawn
// first from the generator's random stream, so `seed --profile card` stores the homes
// the generator's events come from.
struct Population {
  std::vector<uint8_t> home;
  std::vector<int64_t> typical;  // USD cents
};
Population draw_population(const CardOptions& o, Rng& rng) {
  Population p;
  p.home.resize(static_cast<size_t>(o.customers));
  p.typical.resize(static_cast<size_t>(o.customers));
  for (size_t i = 0; i < p.home.size(); ++i) {
    p.home[i] = static_cast<uint8_t>(rng.below(std::size(kHome)));
    // Each customer's own level: 15 to 400 dollars a purchase.
    p.typical[i] = static_cast<int64_t>(1500 * std::exp(rng.uniform() * 3.3));
  }
  return p;
}
uint64_t stream_seed(const CardOptions& o) { return o.seed * 0x9e3779b97f4a7c15ULL + 11; }

std::string customer_id(size_t i) { return "K" + std::to_string(1'000'000 + i); }
std::string merchant_id(uint64_t i) { return "CM" + std::to_string(100'000 + i); }

constexpr const char* kFirst[] = {"James",   "Mary",  "Robert", "Patricia",  "John",  "Jennifer",
                                  "Michael", "Linda", "David",  "Elizabeth", "Maria", "Jose",
                                  "Wei",     "Aisha", "Daniel", "Sarah"};
constexpr const char* kLast[] = {"Smith",  "Johnson", "Williams",  "Brown",    "Jones",  "Garcia",
                                 "Miller", "Davis",   "Rodriguez", "Martinez", "Nguyen", "Kim",
                                 "Lee",    "Patel",   "Clark",     "Lewis"};
constexpr const char* kMerchantKinds[] = {"Grocery",  "Restaurants",    "Electronics",
                                          "Fuel",     "Apparel",        "Travel",
                                          "Pharmacy", "Online Services"};

}  // namespace

CardDimensions card_dimensions(const CardOptions& o, Instant now) {
  Rng rng(stream_seed(o));
  const Population p = draw_population(o, rng);
  Rng names(o.seed * 0x9e3779b97f4a7c15ULL + 12);  // apart from the event stream's draws
  CardDimensions d;
  d.customers.reserve(p.home.size());
  for (size_t i = 0; i < p.home.size(); ++i) {
    const City& city = kHome[p.home[i]];
    domain::User u;
    u.user_id = customer_id(i);
    u.full_name = std::string(kFirst[names.below(std::size(kFirst))]) + " " +
                  kLast[names.below(std::size(kLast))];
    u.home_city = city.name;
    u.home_province = city.state;
    u.has_home = true;
    u.home_lat = city.lat;
    u.home_lon = city.lon;
    u.kyc_level = 2;
    u.created_at = now - static_cast<Instant>(names.below(3 * 365 * kMicrosPerDay));
    d.customers.push_back(std::move(u));
  }
  for (int64_t i = 0; i < o.merchants; ++i) {
    domain::Merchant m;
    m.merchant_id = merchant_id(static_cast<uint64_t>(i));
    const char* kind = kMerchantKinds[names.below(std::size(kMerchantKinds))];
    m.category = kind;
    m.merchant_name = std::string(kind) + " #" + std::to_string(i + 1);
    m.province = kHome[names.below(std::size(kHome))].state;
    m.is_partner = names.chance(0.2);
    m.risk_score = static_cast<int>(names.below(40));
    d.merchants.push_back(std::move(m));
  }
  return d;
}

class CardGenerator::Impl {
 public:
  explicit Impl(const CardOptions& o) : o_(o), rng_(stream_seed(o)) {
    Population p = draw_population(o, rng_);
    home_ = std::move(p.home);
    typical_ = std::move(p.typical);
    away_city_.resize(home_.size());
    away_until_.resize(home_.size(), 0);
    seen_in_ = home_;
    seen_at_.resize(home_.size(), INT64_MIN / 2);
    step_us_ = std::max<int64_t>(1, o.days * kMicrosPerDay / std::max<int64_t>(1, o.count));
  }

  // Events come out in time order: an incident's later events wait in the queue while
  // ordinary traffic goes on.
  bool next(std::string* out, Label* label) {
    if (emitted_ >= o_.count) return false;
    if (pending_.empty() || pending_.top().t > now()) refill();  // adds one at now()
    Event e = pending_.top();
    pending_.pop();
    write(e, out, label);
    ++emitted_;
    return true;
  }

 private:
  Instant now() const { return o_.start + emitted_ * step_us_; }

  void push(Event e) {
    e.seq = pushed_++;
    pending_.push(std::move(e));
  }

  Event ordinary(size_t c, Instant t) {
    Event e;
    e.t = t;
    e.customer = c;
    // Around the customer's own level, never far from it (so a z-score above 3 is news).
    e.amount_usd_cents = static_cast<int64_t>(double(typical_[c]) * (0.5 + rng_.uniform()));
    // At home, or where the customer is travelling; nobody is seen in another city
    // within hours of a purchase in person (that would be impossible travel).
    size_t city = home_[c];
    if (away_until_[c] > t) {
      city = away_city_[c];
    } else if (t - seen_at_[c] < kStayUs) {
      city = seen_in_[c];
    }
    e.city = &kHome[city];
    e.present = rng_.chance(0.6);
    return e;
  }

  void refill() {
    const Instant t = now();
    const size_t c = static_cast<size_t>(rng_.below(static_cast<uint64_t>(o_.customers)));
    // Incidents average about 1.5 labelled events.
    if (!rng_.chance(o_.fraud_rate / 1.5)) {
      Event e = ordinary(c, t);
      if (rng_.chance(0.01)) {  // a legitimate online purchase abroad, small
        e.abroad = rng_.below(std::size(kAbroad));
        e.present = false;
        e.amount_usd_cents = std::min<int64_t>(e.amount_usd_cents, 200'00);
      } else if (away_until_[c] <= t && t - seen_at_[c] >= kStayUs &&
                 rng_.chance(0.003)) {  // a trip far from home
        away_city_[c] = static_cast<uint8_t>(far_from(home_[c]));
        away_until_[c] =
            t + 2 * kMicrosPerDay + static_cast<Instant>(rng_.below(5 * kMicrosPerDay));
        e.city = &kHome[away_city_[c]];
        e.present = true;
      }
      push(std::move(e));
      return;
    }
    const double kind = rng_.uniform();
    if (kind < 0.14) {  // over the threshold: C001
      Event e = ordinary(c, t);
      e.amount_usd_cents = 5'000'00 + static_cast<int64_t>(rng_.below(20'000'00));
      e.fraud = true;
      e.pattern = "C001";
      push(std::move(e));
    } else if (kind < 0.28) {  // a high amount abroad: C002
      Event e = ordinary(c, t);
      e.abroad = rng_.below(std::size(kAbroad));
      e.present = false;  // online, from abroad
      e.amount_usd_cents = 600'00 + static_cast<int64_t>(rng_.below(4'000'00));
      e.fraud = true;
      e.pattern = "C002";
      push(std::move(e));
    } else if (kind < 0.42) {  // coordinates off the globe: C003
      Event e = ordinary(c, t);
      e.present = true;
      e.bad_coordinates = true;
      e.fraud = true;
      e.pattern = "C003";
      push(std::move(e));
    } else if (kind < 0.56) {  // card testing: small amounts in a burst, C004 from the 6th
      const int n = 7 + static_cast<int>(rng_.below(3));
      for (int i = 0; i < n; ++i) {
        Event e = ordinary(c, t + i * 40 * kMicrosPerSecond);
        e.present = false;
        e.amount_usd_cents = 100 + static_cast<int64_t>(rng_.below(400));
        e.fraud = i >= 5;
        e.pattern = i >= 5 ? "C004" : "";
        push(std::move(e));
      }
    } else if (kind < 0.72) {  // far above the customer's own level: C005
      // Enough history first (the z-score needs five earlier purchases).
      for (int i = 0; i < 6; ++i) {
        push(ordinary(c, t + i * 20 * kMicrosPerMinute));
      }
      Event e = ordinary(c, t + 2 * kMicrosPerHour);
      e.amount_usd_cents = std::min<int64_t>(typical_[c] * 8, 4'900'00);
      e.fraud = true;
      e.pattern = "C005";
      push(std::move(e));
    } else if (kind < 0.86) {  // in person, far from home, a high amount: C007
      Event e = ordinary(c, t);
      e.present = true;
      e.city = &kHome[far_from(home_[c])];
      e.amount_usd_cents = 1'000'00 + static_cast<int64_t>(rng_.below(3'900'00));
      e.fraud = true;
      e.pattern = "C007";
      push(std::move(e));
    } else {  // impossible travel: at home, then an hour later across the continent, C006
      Event home = ordinary(c, t);
      home.present = true;
      push(std::move(home));
      Event far = ordinary(c, t + kMicrosPerHour);
      far.present = true;
      far.city = &kHome[far_from(home_[c])];
      far.fraud = true;
      far.pattern = "C006";
      push(std::move(far));
    }
  }

  // Another home city at least 1,000 km from `home`.
  size_t far_from(size_t home) {
    size_t other = (home + 1 + rng_.below(std::size(kHome) - 1)) % std::size(kHome);
    while (distance_km(kHome[other], kHome[home]) < 1'000) other = (other + 1) % std::size(kHome);
    return other;
  }

  static double distance_km(const City& a, const City& b) {
    const double r = 6371.0, d = 3.141592653589793 / 180;
    const double dlat = (b.lat - a.lat) * d, dlon = (b.lon - a.lon) * d;
    const double h =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(a.lat * d) * std::cos(b.lat * d) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * r * std::asin(std::sqrt(h));
  }

  void write(const Event& e, std::string* out, Label* label) {
    char id[37];
    format_uuid_v7(e.t, rng_, id);
    const City& city = e.abroad != SIZE_MAX ? kAbroad[e.abroad] : *e.city;
    const char* currency = e.abroad != SIZE_MAX ? kAbroadCurrency[e.abroad] : "USD";
    const double rate = e.abroad != SIZE_MAX ? kAbroadRate[e.abroad] : 1.0;
    const int64_t minor_usd = e.amount_usd_cents;
    JsonWriter w(out);
    w.begin_object();
    w.key("transaction_id").string(std::string_view(id, 36));
    w.key("event_timestamp").string(format_utc(e.t));
    w.key("user_id").string(customer_id(e.customer));
    w.key("transaction_type").string("payment");
    if (std::string_view(currency) == "JPY") {
      w.key("amount").string(std::to_string(static_cast<int64_t>(double(minor_usd) / 100 / rate)));
    } else {
      const int64_t minor = static_cast<int64_t>(double(minor_usd) / rate);
      w.key("amount").string(std::to_string(minor / 100) + "." + std::to_string(minor / 10 % 10) +
                             std::to_string(minor % 10));
    }
    w.key("currency").string(currency);
    w.key("merchant_id").string(merchant_id(rng_.below(o_.merchants)));
    w.key("channel").string(e.present ? "POS" : "WEB");
    w.key("payment_method").string("CARD");
    w.key("status").string("SUCCESS");
    w.key("country").string(city.country);
    w.key("city").string(city.name);
    if (e.bad_coordinates) {
      w.key("lat").number(91.0 + rng_.uniform() * 80, 4);
      w.key("lon").number(-200.0 - rng_.uniform() * 50, 4);
    } else if (e.present) {
      w.key("lat").number(city.lat + (rng_.uniform() - 0.5) * 0.1, 4);
      w.key("lon").number(city.lon + (rng_.uniform() - 0.5) * 0.1, 4);
    }
    w.key("device_id").string("card-" + std::to_string(e.customer));
    w.end_object();
    out->push_back('\n');
    if (!e.fraud && e.present && e.abroad == SIZE_MAX && !e.bad_coordinates) {
      seen_in_[e.customer] = static_cast<uint8_t>(e.city - kHome);
      seen_at_[e.customer] = e.t;
    }
    label->transaction_id.assign(id, 36);
    label->is_fraud = e.fraud;
    label->pattern = e.pattern;
  }

  CardOptions o_;
  Rng rng_;
  std::vector<uint8_t> home_;
  std::vector<int64_t> typical_;
  std::vector<uint8_t> away_city_;   // where a travelling customer is
  std::vector<Instant> away_until_;  // until when (0: at home)
  // Where and when each customer last paid in person (honest purchases only).
  std::vector<uint8_t> seen_in_;
  std::vector<Instant> seen_at_;
  static constexpr Instant kStayUs = 4 * kMicrosPerHour;
  std::priority_queue<Event, std::vector<Event>, Later> pending_;
  uint64_t pushed_ = 0;
  int64_t step_us_ = 1;
  int64_t emitted_ = 0;
};

CardGenerator::CardGenerator(const CardOptions& options) : impl_(std::make_unique<Impl>(options)) {}
CardGenerator::~CardGenerator() = default;

bool CardGenerator::next(std::string* out, Label* label) { return impl_->next(out, label); }

}  // namespace wf::gen
