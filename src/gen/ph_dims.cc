// seed_dimensions() and phone_number_for(): the dim_users / dim_merchants rows of the
// ph-ewallet profile.
#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

#include "gen/ph_ewallet.h"
#include "gen/ph_tables_internal.h"
#include "gen/util_internal.h"

namespace wf::gen {
namespace {

using internal::Category;

constexpr int64_t kYear = 365 * kMicrosPerDay;

std::vector<double> city_weights() {
  std::vector<double> w;
  for (const internal::City& c : internal::ph_cities()) w.push_back(c.population_k);
  return w;
}

std::string numbered_id(char prefix, int width, int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%0*lld", prefix, width, static_cast<long long>(n));
  return buf;
}

domain::User make_user(int64_t index, const SeedOptions& o, Rng& rng,
                       const internal::WeightedPicker& cities) {
  domain::User u;
  u.user_id = numbered_id('U', 8, index);
  auto first = internal::first_names();
  auto last = internal::surnames();
  u.full_name =
      std::string(first[rng.below(first.size())]) + " " + std::string(last[rng.below(last.size())]);
  const internal::City& city = internal::ph_cities()[cities.pick(rng)];
  u.home_city = city.name;
  u.home_province = city.province;
  u.has_home = true;
  u.home_lat = city.lat;
  u.home_lon = city.lon;
  // KYC: most accounts are basic-verified; a tenth never verified, a fifth fully.
  const double k = rng.uniform();
  u.kyc_level = k < 0.10 ? 0 : (k < 0.40 ? 1 : (k < 0.80 ? 2 : 3));
  const double s = rng.uniform();
  u.account_status = s < 0.97 ? "ACTIVE" : (s < 0.99 ? "SUSPENDED" : "CLOSED");
  if (rng.chance(o.dormant_share)) {
    u.last_txn_at = o.now - rng.between(181 * kMicrosPerDay, 720 * kMicrosPerDay);
  } else {
    u.last_txn_at = o.now - rng.between(0, 30 * kMicrosPerDay);
  }
  // Created within three years before `now`, and before the last transaction.
  const Instant earliest = o.now - 3 * kYear;
  u.created_at = earliest + rng.between(0, u.last_txn_at - earliest);
  return u;
}

// Share of merchants per category: roughly the spending mix, plus cash-in/out agents.
constexpr double kMerchantMix[internal::kCategoryCount] = {0.25, 0.15, 0.10, 0.08,
                                                           0.15, 0.08, 0.09, 0.10};

domain::Merchant make_merchant(int64_t index, Rng& rng, const internal::WeightedPicker& cities,
                               const std::vector<std::vector<const internal::Brand*>>& by_cat,
                               std::unordered_set<std::string>& used) {
  domain::Merchant m;
  m.merchant_id = numbered_id('M', 6, index);
  // The first eight merchants cover every category once, so small seeds can still
  // produce every transaction type.
  static const internal::WeightedPicker kMix(kMerchantMix);
  const size_t cat =
      index <= internal::kCategoryCount ? static_cast<size_t>(index - 1) : kMix.pick(rng);
  const auto& candidates = by_cat[cat];
  for (int attempt = 0; attempt < 20; ++attempt) {
    const internal::Brand& brand = *candidates[rng.below(candidates.size())];
    const internal::City& city = internal::ph_cities()[cities.pick(rng)];
    std::string name(brand.name);
    if (!brand.online || used.count(name) != 0) {
      name += " - ";
      name += city.branches[rng.below(2)];
    }
    m.province = brand.online ? "Metro Manila" : std::string(city.province);
    if (used.insert(name).second || attempt == 19) {
      if (attempt == 19) name += " #" + std::to_string(index);
      m.merchant_name = std::move(name);
      break;
    }
  }
  used.insert(m.merchant_name);
  m.category = internal::category_name(static_cast<Category>(cat));
  m.is_partner = rng.chance(0.3);
  // Mostly trusted merchants; cash agents and a tail of others carry more risk.
  int risk = static_cast<int>(rng.between(2, 35));
  if (static_cast<Category>(cat) == Category::kCash) risk += static_cast<int>(rng.between(10, 30));
  if (rng.chance(0.05)) risk = static_cast<int>(rng.between(60, 100));
  m.risk_score = risk > 100 ? 100 : risk;
  return m;
}

}  // namespace

Dimensions seed_dimensions(const SeedOptions& options) {
  Rng rng(internal::mix64(options.seed ^ 0x6469'6d73ULL));  // "dims"
  const std::vector<double> weights = city_weights();
  const internal::WeightedPicker cities(weights);
  Dimensions dims;
  dims.users.reserve(static_cast<size_t>(options.users));
  for (int64_t i = 1; i <= options.users; ++i) {
    dims.users.push_back(make_user(i, options, rng, cities));
  }
  std::vector<std::vector<const internal::Brand*>> by_cat(internal::kCategoryCount);
  for (const internal::Brand& b : internal::brands()) {
    by_cat[static_cast<size_t>(b.category)].push_back(&b);
  }
  std::unordered_set<std::string> used;
  dims.merchants.reserve(static_cast<size_t>(options.merchants));
  for (int64_t i = 1; i <= options.merchants; ++i) {
    dims.merchants.push_back(make_merchant(i, rng, cities, by_cat, used));
  }
  return dims;
}

std::string phone_number_for(std::string_view user_id) {
  // Mobile numbers are +63 9XX XXX XXXX; nine digits after "+639" from the id's hash.
  uint64_t h = internal::phone_digits(user_id);
  std::string out = "+639000000000";
  for (size_t i = out.size(); i-- > 4;) {
    out[i] = static_cast<char>('0' + h % 10);
    h /= 10;
  }
  return out;
}

}  // namespace wf::gen
