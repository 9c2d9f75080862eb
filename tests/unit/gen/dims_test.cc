#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "gen/ph_ewallet.h"
#include "gen/ph_tables_internal.h"
#include "gen_support.h"

namespace wf::gen {
namespace {

using testing::test_now;

SeedOptions options(uint64_t seed = 7) {
  SeedOptions o;
  o.users = 10'000;
  o.merchants = 500;
  o.seed = seed;
  o.now = test_now();
  return o;
}

TEST(SeedDimensions, IdsNamesAndCounts) {
  const Dimensions d = seed_dimensions(options());
  ASSERT_EQ(d.users.size(), 10'000u);
  ASSERT_EQ(d.merchants.size(), 500u);
  EXPECT_EQ(d.users[0].user_id, "U00000001");
  EXPECT_EQ(d.users[9'999].user_id, "U00010000");
  EXPECT_EQ(d.merchants[0].merchant_id, "M000001");
  EXPECT_EQ(d.merchants[499].merchant_id, "M000500");
  const std::regex name("[A-Z][a-z]+( [A-Z][a-z]+)? [A-Z][a-z]+( [A-Z][a-z]+)?");
  std::set<std::string> names;
  for (const domain::User& u : d.users) {
    EXPECT_TRUE(std::regex_match(u.full_name, name)) << u.full_name;
    EXPECT_TRUE(u.phone_hash.empty());
    names.insert(u.full_name);
  }
  EXPECT_GT(names.size(), 1'000u);  // first x last names, not a handful of people
}

TEST(SeedDimensions, UserDistributions) {
  const SeedOptions o = options();
  const Dimensions d = seed_dimensions(o);
  std::map<std::string, int> status, province;
  int kyc[4] = {}, dormant = 0;
  for (const domain::User& u : d.users) {
    ++status[u.account_status];
    ++province[u.home_province];
    ASSERT_GE(u.kyc_level, 0);
    ASSERT_LE(u.kyc_level, 3);
    ++kyc[u.kyc_level];
    EXPECT_LE(u.created_at, u.last_txn_at);
    EXPECT_GE(u.created_at, o.now - 3 * 365 * kMicrosPerDay);
    EXPECT_LE(u.last_txn_at, o.now);
    const int64_t idle_days = (o.now - u.last_txn_at) / kMicrosPerDay;
    if (idle_days >= 181) {
      ++dormant;
      EXPECT_LE(idle_days, 720);
    } else {
      EXPECT_LE(idle_days, 30);
    }
  }
  EXPECT_NEAR(status["ACTIVE"] / 1e4, 0.97, 0.01);
  EXPECT_NEAR(status["SUSPENDED"] / 1e4, 0.02, 0.006);
  EXPECT_NEAR(status["CLOSED"] / 1e4, 0.01, 0.004);
  EXPECT_NEAR(dormant / 1e4, o.dormant_share, 0.015);
  for (int k : kyc) EXPECT_GT(k, 500);
  // Metro Manila carries the largest share, and every region shows up.
  EXPECT_GT(province["Metro Manila"] / 1e4, 0.25);
  EXPECT_GT(province["Cebu"], 0);
  EXPECT_GT(province["Davao del Sur"], 0);
  EXPECT_GT(province.size(), 30u);
}

TEST(SeedDimensions, Merchants) {
  const Dimensions d = seed_dimensions(options());
  const std::set<std::string> categories = {"Food",     "Groceries",     "Transport", "Bills",
                                            "Shopping", "Entertainment", "Health",    "Cash"};
  std::set<std::string> seen, names;
  bool jollibee_branch = false;
  for (const domain::Merchant& m : d.merchants) {
    EXPECT_TRUE(categories.count(m.category)) << m.category;
    seen.insert(m.category);
    EXPECT_GE(m.risk_score, 0);
    EXPECT_LE(m.risk_score, 100);
    EXPECT_FALSE(m.province.empty());
    EXPECT_TRUE(names.insert(m.merchant_name).second) << "duplicate " << m.merchant_name;
    if (m.merchant_name.rfind("Jollibee - ", 0) == 0) jollibee_branch = true;
  }
  EXPECT_EQ(seen, categories);
  EXPECT_TRUE(jollibee_branch);
}

TEST(SeedDimensions, DeterministicPerSeed) {
  const Dimensions a = seed_dimensions(options(1));
  const Dimensions b = seed_dimensions(options(1));
  const Dimensions c = seed_dimensions(options(2));
  for (size_t i = 0; i < a.users.size(); ++i) {
    ASSERT_EQ(a.users[i].full_name, b.users[i].full_name);
    ASSERT_EQ(a.users[i].last_txn_at, b.users[i].last_txn_at);
  }
  int same = 0;
  for (size_t i = 0; i < a.users.size(); ++i) same += a.users[i].full_name == c.users[i].full_name;
  EXPECT_LT(same, 500);
}

TEST(CityTable, RealPlacesInsideThePhilippines) {
  double total = 0, metro = 0;
  std::set<std::string> provinces;
  for (const internal::City& c : internal::ph_cities()) {
    EXPECT_TRUE(c.lat > 4.5 && c.lat < 21.5 && c.lon > 116 && c.lon < 127) << c.name;
    total += c.population_k;
    if (c.province == "Metro Manila") metro += c.population_k;
    provinces.insert(std::string(c.province));
  }
  EXPECT_GE(internal::ph_cities().size(), 40u);
  EXPECT_GT(provinces.size(), 30u);
  EXPECT_NEAR(metro / total, 0.35, 0.1);  // Metro Manila heavy
  // Known great-circle distances: Manila-Cebu ~570 km, Manila-Davao ~970 km.
  auto city = [](std::string_view name) {
    for (const internal::City& c : internal::ph_cities()) {
      if (c.name == name) return c;
    }
    return internal::City{};
  };
  const internal::City manila = city("Manila"), cebu = city("Cebu City"),
                       davao = city("Davao City");
  EXPECT_NEAR(testing::km(manila.lat, manila.lon, cebu.lat, cebu.lon), 570, 20);
  EXPECT_NEAR(testing::km(manila.lat, manila.lon, davao.lat, davao.lon), 970, 30);
}

TEST(PhoneNumber, DerivedFromUserId) {
  const std::regex phone(R"(\+639\d{9})");
  EXPECT_TRUE(std::regex_match(phone_number_for("U00000001"), phone));
  EXPECT_EQ(phone_number_for("U00000001"), phone_number_for("U00000001"));
  EXPECT_NE(phone_number_for("U00000001"), phone_number_for("U00000002"));
}

}  // namespace
}  // namespace wf::gen
