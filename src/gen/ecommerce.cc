#include "gen/ecommerce.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <queue>

#include "core/hash.h"
#include "core/json_writer.h"
#include "core/rng.h"
#include "core/uuid.h"

namespace wf::gen {
namespace {

struct SubCategory {
  const char* category;
  const char* sub_category;
  const char* noun;
  int64_t low_idr, high_idr;  // price range, whole rupiah
};

constexpr SubCategory kCatalogue[] = {
    {"Electronics", "Smartphones", "Smartphone", 1'500'000, 20'000'000},
    {"Electronics", "Laptops", "Laptop", 5'000'000, 35'000'000},
    {"Electronics", "Audio", "Earbuds", 100'000, 5'000'000},
    {"Electronics", "Cameras", "Mirrorless Camera", 3'000'000, 40'000'000},
    {"Electronics", "Televisions", "Smart TV", 2'000'000, 30'000'000},
    {"Fashion", "Men's Clothing", "Kemeja", 60'000, 400'000},
    {"Fashion", "Women's Clothing", "Dress", 80'000, 800'000},
    {"Fashion", "Shoes", "Sneakers", 150'000, 2'500'000},
    {"Fashion", "Bags", "Tas Ransel", 100'000, 5'000'000},
    {"Fashion", "Watches", "Jam Tangan", 200'000, 15'000'000},
    {"Home & Living", "Furniture", "Sofa", 800'000, 15'000'000},
    {"Home & Living", "Kitchen", "Rice Cooker", 150'000, 3'000'000},
    {"Home & Living", "Decor", "Lampu Hias", 30'000, 1'000'000},
    {"Beauty", "Skincare", "Serum", 30'000, 800'000},
    {"Beauty", "Makeup", "Lipstick", 25'000, 500'000},
    {"Beauty", "Fragrance", "Parfum", 100'000, 3'000'000},
    {"Groceries", "Snacks", "Keripik", 5'000, 100'000},
    {"Groceries", "Beverages", "Kopi Bubuk", 10'000, 250'000},
    {"Groceries", "Staples", "Beras 5 kg", 50'000, 300'000},
    {"Sports", "Fitness", "Dumbbell", 50'000, 5'000'000},
    {"Sports", "Cycling", "Sepeda", 1'000'000, 30'000'000},
    {"Toys & Hobbies", "Toys", "Lego Set", 50'000, 3'000'000},
    {"Automotive", "Motorcycle Parts", "Helm", 100'000, 3'000'000},
};
constexpr const char* kBrands[] = {"Nusantara", "Garuda",  "Merapi",  "Lumina",   "Sakura",
                                   "Borneo",    "Pelangi", "Samudra", "Rajawali", "Kencana"};
constexpr const char* kFirstNames[] = {
    "Budi", "Siti", "Agus",   "Dewi",  "Rizky", "Putri", "Andi",  "Ayu", "Fajar", "Rina",
    "Eko",  "Sri",  "Hendra", "Wulan", "Dimas", "Intan", "Yusuf", "Nur", "Bayu",  "Lestari"};
constexpr const char* kSurnames[] = {"Santoso",     "Wijaya",   "Saputra", "Pratama", "Hidayat",
                                     "Kusuma",      "Setiawan", "Nugroho", "Halim",   "Siregar",
                                     "Simanjuntak", "Hasibuan", "Lubis",   "Gunawan", "Susanto"};
struct Place {
  const char* province;
  const char* city;
};
constexpr Place kPlaces[] = {
    {"DKI Jakarta", "Jakarta"},
    {"Jawa Barat", "Bandung"},
    {"Jawa Timur", "Surabaya"},
    {"Jawa Tengah", "Semarang"},
    {"Banten", "Tangerang"},
    {"Sumatera Utara", "Medan"},
    {"Bali", "Denpasar"},
    {"Sulawesi Selatan", "Makassar"},
    {"DI Yogyakarta", "Yogyakarta"},
    {"Kalimantan Timur", "Balikpapan"},
};
constexpr const char* kAbroad[] = {"SG", "MY", "US", "CN", "NG", "RU", "VN", "PH", "IN"};

// Orders by local hour (UTC+7), relative: quiet after midnight, peaks at lunch and in the
// evening.
constexpr double kHourWeight[24] = {0.25, 0.15, 0.10, 0.10, 0.15, 0.35, 0.60, 0.85,
                                    1.00, 1.15, 1.25, 1.35, 1.45, 1.35, 1.25, 1.20,
                                    1.20, 1.25, 1.40, 1.60, 1.75, 1.70, 1.30, 0.70};

constexpr int64_t kMinorPerIdr = 100;  // IDR has two decimals in ISO 4217
constexpr int64_t kNightEndHour = 4;   // "night" is 00:00-04:00 local

int64_t trailing_number(std::string_view id) {
  size_t i = id.size();
  while (i > 0 && id[i - 1] >= '0' && id[i - 1] <= '9') --i;
  if (i == id.size() || id.size() - i > 18) return -1;
  int64_t n = 0;
  for (; i < id.size(); ++i) n = n * 10 + (id[i] - '0');
  return n;
}

struct Order {
  Instant t = 0;
  size_t user = 0;
  size_t product = 0;
  int64_t quantity = 1;
  const char* country = "ID";
  bool fraud = false;
  const char* pattern = "";
  uint64_t seq = 0;  // ties in time keep the order they were made in
};

struct Later {
  bool operator()(const Order& a, const Order& b) const {
    return a.t != b.t ? a.t > b.t : a.seq > b.seq;
  }
};

}  // namespace

EcommerceDims seed_ecommerce(const EcommerceSeedOptions& o) {
  Rng rng(o.seed * 0x9e3779b97f4a7c15ULL + 4004);
  EcommerceDims dims;
  const Instant two_years = 730 * kMicrosPerDay;
  dims.users.reserve(static_cast<size_t>(o.users));
  for (int64_t i = 0; i < o.users; ++i) {
    domain::User u;
    char id[32];
    std::snprintf(id, sizeof id, "EC%07lld", static_cast<long long>(i + 1));
    u.user_id = id;
    u.full_name = std::string(kFirstNames[rng.below(std::size(kFirstNames))]) + " " +
                  kSurnames[rng.below(std::size(kSurnames))];
    const Place& p = kPlaces[rng.below(std::size(kPlaces))];
    u.home_province = p.province;
    u.home_city = p.city;
    u.kyc_level = 1;
    u.created_at = o.now - static_cast<Instant>(rng.below(static_cast<uint64_t>(two_years)));
    dims.users.push_back(std::move(u));
  }
  dims.products.reserve(static_cast<size_t>(o.products));
  for (int64_t i = 0; i < o.products; ++i) {
    // The first products cover every sub-category once, so a small catalogue still has
    // cheap and expensive goods.
    const SubCategory& s = kCatalogue[i < static_cast<int64_t>(std::size(kCatalogue))
                                          ? static_cast<size_t>(i)
                                          : rng.below(std::size(kCatalogue))];
    domain::Product p;
    char id[32];
    std::snprintf(id, sizeof id, "P%06lld", static_cast<long long>(i + 1));
    p.product_id = id;
    char model[16];
    std::snprintf(model, sizeof model, "%c%d", static_cast<char>('A' + rng.below(26)),
                  static_cast<int>(1 + rng.below(99)));
    p.product_name =
        std::string(kBrands[rng.below(std::size(kBrands))]) + " " + s.noun + " " + model;
    p.category = s.category;
    p.sub_category = s.sub_category;
    p.currency = "IDR";
    // Log-uniform in the range, in steps of 500 rupiah; cost of goods 55-85% of it.
    const double price =
        double(s.low_idr) * std::pow(double(s.high_idr) / double(s.low_idr), rng.uniform());
    const int64_t idr = std::max<int64_t>(500, static_cast<int64_t>(price / 500) * 500);
    p.price_minor = idr * kMinorPerIdr;
    p.cost_minor = static_cast<int64_t>(double(idr) * (0.55 + 0.30 * rng.uniform())) * kMinorPerIdr;
    p.created_at = o.now - static_cast<Instant>(rng.below(static_cast<uint64_t>(two_years)));
    dims.products.push_back(std::move(p));
  }
  return dims;
}

std::string ecommerce_phone_for(std::string_view user_id) {
  uint64_t h = hash_bytes(user_id);
  char buf[24];
  std::snprintf(buf, sizeof buf, "+628%010llu",
                static_cast<unsigned long long>(h % 10'000'000'000ULL));
  return buf;
}

class OrderGenerator::Impl {
 public:
  Impl(const EcommerceDims& dims, const OrderOptions& o)
      : dims_(dims), o_(o), rng_(o.seed * 0x9e3779b97f4a7c15ULL + 404), clock_(o.start) {
    double sum = 0;
    for (double w : kHourWeight) sum += w;
    for (size_t h = 0; h < 24; ++h) weight_[h] = kHourWeight[h] * 24 / sum;
    mean_gap_us_ = double(kMicrosPerDay) / std::max(1.0, o.orders_per_day);
    // Popularity: rank r of n is bought with probability ~ r^(-1/3), the ranks shuffled
    // over the catalogue so the first ids are not the best sellers.
    by_rank_.resize(dims.products.size());
    for (size_t i = 0; i < by_rank_.size(); ++i) by_rank_[i] = i;
    for (size_t i = by_rank_.size(); i > 1; --i)
      std::swap(by_rank_[i - 1], by_rank_[rng_.below(i)]);
    for (size_t i = 0; i < dims.products.size(); ++i) {
      const int64_t idr = dims.products[i].price_minor / kMinorPerIdr;
      if (idr <= 100'000) cheap_.push_back(i);
      if (idr >= 2'000'000) expensive_.push_back(i);
    }
    if (cheap_.empty()) cheap_.push_back(cheapest());
    if (expensive_.empty()) expensive_.push_back(dearest());
    numbers_.resize(dims.users.size());
    for (size_t i = 0; i < numbers_.size(); ++i)
      numbers_[i] = trailing_number(dims.users[i].user_id);
  }

  bool next(std::string* out, Label* label) {
    if (emitted_ >= o_.count) return false;
    while (pending_.empty() || pending_.top().t > clock_) refill();
    Order e = pending_.top();
    pending_.pop();
    write(e, out, label);
    ++emitted_;
    return true;
  }

  bool next_at(Instant now, std::string* out, Label* label) {
    if (emitted_ >= o_.count) return false;
    clock_ = now;
    if (pending_.empty() || pending_.top().t > now) refill();  // an order at `now`
    Order e = pending_.top();
    pending_.pop();
    write(e, out, label);
    ++emitted_;
    return true;
  }

 private:
  int hour(Instant t) const { return local_hour(t, kEcommerceUtcOffsetMinutes); }

  void push(Order e) {
    e.seq = pushed_++;
    pending_.push(e);
  }

  size_t any_user() { return static_cast<size_t>(rng_.below(dims_.users.size())); }
  size_t popular_product() {
    const double u = rng_.uniform();
    return by_rank_[std::min(by_rank_.size() - 1,
                             static_cast<size_t>(double(by_rank_.size()) * u * std::sqrt(u)))];
  }
  int64_t ordinary_quantity() {
    const double q = rng_.uniform();
    return q < 0.65   ? 1
           : q < 0.83 ? 2
           : q < 0.91 ? 3
           : q < 0.97 ? 4 + rng_.below(2)
                      : 6 + rng_.below(5);
  }
  size_t cheapest() const {
    size_t best = 0;
    for (size_t i = 1; i < dims_.products.size(); ++i) {
      if (dims_.products[i].price_minor < dims_.products[best].price_minor) best = i;
    }
    return best;
  }
  size_t dearest() const {
    size_t best = 0;
    for (size_t i = 1; i < dims_.products.size(); ++i) {
      if (dims_.products[i].price_minor > dims_.products[best].price_minor) best = i;
    }
    return best;
  }
  // A moment in the coming night (00:00-04:00 local): now if it is night, else the next.
  Instant next_night(Instant t) {
    if (hour(t) < kNightEndHour) return t;
    const int64_t offset = int64_t{kEcommerceUtcOffsetMinutes} * kMicrosPerMinute;
    const Instant local = t + offset;
    const Instant midnight = local - local % kMicrosPerDay + kMicrosPerDay - offset;
    return midnight +
           static_cast<Instant>(rng_.below(kNightEndHour * kMicrosPerHour - kMicrosPerMinute));
  }

  Order ordinary(Instant t) {
    Order e;
    e.t = t;
    e.user = any_user();
    e.product = popular_product();
    e.quantity = ordinary_quantity();
    return e;
  }

  // Makes the order at clock_ (and an incident's later orders), then moves clock_ on.
  void refill() {
    const Instant t = clock_;
    clock_ += std::max<Instant>(
        1, static_cast<Instant>(rng_.exponential(mean_gap_us_ / weight_[hour(t)])));
    // Incidents average about 1.6 labelled orders.
    if (!rng_.chance(o_.fraud_rate / 1.6)) {
      Order e = ordinary(t);
      const int h = hour(t);
      if (h >= 8 && h < 18 && rng_.chance(0.003)) {  // a reseller's bulk order, by day
        e.product = cheap_[rng_.below(cheap_.size())];
        e.quantity = 101 + static_cast<int64_t>(rng_.below(300));
      } else if (h >= 8 && h < 20 && rng_.chance(0.002)) {  // an office's big order, by day
        e.product = expensive_[rng_.below(expensive_.size())];
        e.quantity =
            std::min<int64_t>(100, over_100m(e.product) + static_cast<int64_t>(rng_.below(3)));
      }
      push(e);
      return;
    }
    const double kind = rng_.uniform();
    if (kind < 0.2) {  // E1: an order from abroad
      Order e = ordinary(t);
      e.country = kAbroad[rng_.below(std::size(kAbroad))];
      mark(e, "E1");
      push(e);
    } else if (kind < 0.35) {  // E2: more than 100 items at night
      Order e = ordinary(next_night(t));
      e.product = cheap_[rng_.below(cheap_.size())];
      e.quantity = 101 + static_cast<int64_t>(rng_.below(400));
      mark(e, "E2");
      push(e);
    } else if (kind < 0.5) {  // E3: more than IDR 100,000,000 at night, at most 100 items
      Order e = ordinary(next_night(t));
      e.product = expensive_[rng_.below(expensive_.size())];
      e.quantity =
          std::min<int64_t>(100, over_100m(e.product) + static_cast<int64_t>(rng_.below(4)));
      mark(e, "E3");
      push(e);
    } else if (kind < 0.65) {  // E4: one user orders the same product again and again
      const size_t user = any_user(), product = popular_product();
      const int n = 3 + static_cast<int>(rng_.below(3));
      run_of(t, n, kMicrosPerMinute, 2 * kMicrosPerMinute, "E4", [&](Order& e, int) {
        e.user = user;
        e.product = product;
      });
    } else if (kind < 0.8) {  // E5: a script walks sequential user ids
      const int n = 4 + static_cast<int>(rng_.below(3));
      const size_t first = sequential_start(n);
      const size_t product = popular_product();
      const int64_t quantity = 1 + static_cast<int64_t>(rng_.below(3));
      run_of(t, n, 5 * kMicrosPerSecond, 15 * kMicrosPerSecond, "E5", [&](Order& e, int i) {
        e.user = first + static_cast<size_t>(i);
        e.product = product;
        e.quantity = quantity;
      });
    } else {  // E6: several unrelated users buy the same product and quantity at once
      const int n = 3 + static_cast<int>(rng_.below(3));
      const size_t product = popular_product();
      const int64_t quantity = 2 + static_cast<int64_t>(rng_.below(9));
      run_of(t, n, 5 * kMicrosPerSecond, 25 * kMicrosPerSecond, "E6", [&](Order& e, int) {
        e.product = product;
        e.quantity = quantity;
      });
    }
  }

  // n orders from `at`, each `gap` plus up to `jitter` after the last, shaped by
  // shape(order, i); from the third on they are the pattern's (its rule fires there).
  template <typename Shape>
  void run_of(Instant at, int n, Instant gap, Instant jitter, const char* pattern, Shape shape) {
    for (int i = 0; i < n; ++i) {
      Order e = ordinary(at);
      shape(e, i);
      if (i >= 2) mark(e, pattern);
      push(e);
      at += gap + static_cast<Instant>(rng_.below(jitter));
    }
  }

  static void mark(Order& e, const char* pattern) {
    e.fraud = true;
    e.pattern = pattern;
  }
  // The smallest quantity of `product` worth more than IDR 100,000,000.
  int64_t over_100m(size_t product) const {
    const int64_t idr = dims_.products[product].price_minor / kMinorPerIdr;
    return 100'000'000 / std::max<int64_t>(1, idr) + 1;
  }
  // A user index from which n users have consecutive id numbers.
  size_t sequential_start(int n) {
    const size_t users = dims_.users.size();
    for (int attempt = 0; attempt < 32; ++attempt) {
      const size_t first = static_cast<size_t>(rng_.below(users - static_cast<size_t>(n) + 1));
      bool consecutive = numbers_[first] >= 0;
      for (int i = 1; i < n && consecutive; ++i) {
        consecutive = numbers_[first + static_cast<size_t>(i)] == numbers_[first] + i;
      }
      if (consecutive) return first;
    }
    return 0;
  }

  void write(const Order& e, std::string* out, Label* label) {
    char id[37];
    format_uuid_v7(e.t, rng_, id);
    const domain::Product& p = dims_.products[e.product];
    JsonWriter w(out);
    w.begin_object();
    w.key("order_id").string(std::string_view(id, 36));
    w.key("user_id").string(dims_.users[e.user].user_id);
    w.key("product_id").string(p.product_id);
    w.key("quantity").number(e.quantity);
    w.key("amount").string(std::to_string(p.price_minor / kMinorPerIdr * e.quantity));
    w.key("country").string(e.country);
    w.key("created_date").string(format_rfc3339_offset(e.t, kEcommerceUtcOffsetMinutes));
    w.key("status").string("Pending");
    w.end_object();
    out->push_back('\n');
    label->transaction_id.assign(id, 36);
    label->is_fraud = e.fraud;
    label->pattern = e.pattern;
  }

  const EcommerceDims& dims_;
  OrderOptions o_;
  Rng rng_;
  Instant clock_;
  double weight_[24];
  double mean_gap_us_ = 1;
  std::vector<size_t> by_rank_;
  std::vector<size_t> cheap_;
  std::vector<size_t> expensive_;
  std::vector<int64_t> numbers_;
  std::priority_queue<Order, std::vector<Order>, Later> pending_;
  uint64_t pushed_ = 0;
  int64_t emitted_ = 0;
};

OrderGenerator::OrderGenerator(const EcommerceDims& dims, const OrderOptions& options)
    : impl_(std::make_unique<Impl>(dims, options)) {}
OrderGenerator::~OrderGenerator() = default;

bool OrderGenerator::next(std::string* out, Label* label) { return impl_->next(out, label); }
bool OrderGenerator::next_at(Instant now, std::string* out, Label* label) {
  return impl_->next_at(now, out, label);
}

}  // namespace wf::gen
