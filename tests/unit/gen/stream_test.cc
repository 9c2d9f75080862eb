#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <unordered_map>

#include "core/time.h"
#include "gen/ph_ewallet.h"
#include "gen_support.h"
#include "sample.h"

namespace wf::gen {
namespace {

using testing::dims;
using testing::Generated;
using testing::Parsed;
using testing::sample;
using testing::stream_options;
using testing::test_now;

TEST(StreamGenerator, SameSeedSameBytes) {
  auto run = [](uint64_t seed) {
    StreamOptions o = stream_options(seed);
    o.bad_rate = 0.01;
    StreamGenerator gen(dims(), o);
    std::string out;
    std::string labels;
    Label label;
    for (int i = 0; i < 20'000; ++i) {
      if (gen.next(&out, &label)) {
        labels += label.transaction_id + (label.is_fraud ? "1" : "0") + label.pattern + "\n";
      }
    }
    return out + labels;
  };
  const std::string a = run(3);
  EXPECT_EQ(a, run(3));
  EXPECT_NE(a, run(4));
}

TEST(StreamGenerator, FieldsAsSpecified) {
  const Generated& g = sample();
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const std::set<std::string> channels = {"APP", "WEB", "QR", "USSD"};
  const std::set<std::string> methods = {"WALLET", "QR", "CARD", "BANK"};
  std::set<std::string> ids;
  std::unordered_map<std::string, std::string> device;
  int as_string = 0, failed = 0;
  Instant prev = 0;
  for (size_t i = 0; i < g.events.size(); ++i) {
    const Parsed& e = g.events[i];
    ASSERT_TRUE(std::regex_match(e.id, uuid)) << e.id;
    ASSERT_TRUE(ids.insert(e.id).second);
    ASSERT_EQ(e.timestamp, format_rfc3339_offset(e.ts, 480));
    ASSERT_GE(e.ts, prev);  // simulated mode writes in event-time order
    prev = e.ts;
    const size_t dot = e.amount_text.find('.');
    ASSERT_EQ(dot, e.amount_text.size() - 3) << e.amount_text;
    as_string += e.amount_is_string;
    ASSERT_EQ(e.phone, phone_number_for(e.user));
    ASSERT_TRUE(channels.count(e.channel)) << e.channel;
    ASSERT_TRUE(methods.count(e.method)) << e.method;
    ASSERT_TRUE(e.status == "SUCCESS" || e.status == "FAILED");
    failed += e.status == "FAILED";
    const bool to_user = e.type == "transfer" || e.type == "remittance";
    ASSERT_EQ(to_user, !e.counterparty.empty()) << e.type;
    ASSERT_EQ(to_user, e.merchant.empty()) << e.type;
    ASSERT_NE(e.counterparty, e.user);
    if (e.country == "PH") {
      ASSERT_EQ(e.currency, "PHP");
      ASSERT_TRUE(e.lat > 4.5 && e.lat < 21.5 && e.lon > 116 && e.lon < 127)
          << e.city << " " << e.lat << "," << e.lon;
    }
    if (g.labels[i].pattern.empty()) {  // ordinary events come from the user's own phone
      auto [it, fresh] = device.emplace(e.user, e.device);
      ASSERT_EQ(it->second, e.device);
    }
  }
  EXPECT_NEAR(as_string / double(g.events.size()), 0.9, 0.01);
  EXPECT_NEAR(failed / double(g.events.size()), 0.04, 0.01);
}

TEST(StreamGenerator, OnlyActiveUsersTransact) {
  std::unordered_map<std::string, const domain::User*> users;
  for (const domain::User& u : dims().users) users[u.user_id] = &u;
  for (const Parsed& e : sample().events) {
    ASSERT_EQ(users.at(e.user)->account_status, "ACTIVE") << e.user;
  }
}

TEST(StreamGenerator, SeedMixes) {
  std::map<std::string, int> types;
  double sum_php = 0;
  int ordinary = 0, big = 0;
  for (size_t i = 0; i < sample().events.size(); ++i) {
    const Parsed& e = sample().events[i];
    if (!sample().labels[i].pattern.empty()) continue;
    if (e.php >= 3'000'000) {  // only the big-purchase look-alikes
      ++big;
      EXPECT_NE(e.php % 100'000, 0);
      continue;
    }
    ++ordinary;
    ++types[e.type];
    sum_php += e.php / 100.0;
  }
  EXPECT_GT(big, 0);
  EXPECT_LT(big / double(ordinary), 0.01);
  EXPECT_NEAR(types["payment"] / double(ordinary), 0.55, 0.02);
  EXPECT_NEAR(types["transfer"] / double(ordinary), 0.15, 0.02);
  EXPECT_NEAR(types["bills"] / double(ordinary), 0.12, 0.02);
  EXPECT_NEAR(types["cash_in"] / double(ordinary), 0.08, 0.01);
  EXPECT_NEAR(types["cash_out"] / double(ordinary), 0.06, 0.01);
  EXPECT_NEAR(types["remittance"] / double(ordinary), 0.04, 0.01);
  EXPECT_NEAR(sum_php / ordinary, 1'500, 300);
}

TEST(StreamGenerator, SpendingMixByMerchantCategory) {
  std::unordered_map<std::string, std::string> category;
  const Dimensions& d = dims();
  for (const domain::Merchant& m : d.merchants) category[m.merchant_id] = m.category;
  std::map<std::string, int> count;
  int payments = 0;
  for (size_t i = 0; i < sample().events.size(); ++i) {
    const Parsed& e = sample().events[i];
    if (e.type != "payment" || e.country != "PH" || !sample().labels[i].pattern.empty()) continue;
    ++payments;
    ++count[category.at(e.merchant)];
  }
  // Among payments (bills are their own type), the seed's 30:20:15:10:8:5.
  EXPECT_NEAR(count["Food"] / double(payments), 30 / 88.0, 0.02);
  EXPECT_NEAR(count["Groceries"] / double(payments), 20 / 88.0, 0.02);
  EXPECT_NEAR(count["Transport"] / double(payments), 15 / 88.0, 0.02);
  EXPECT_NEAR(count["Health"] / double(payments), 5 / 88.0, 0.01);
}

TEST(StreamGenerator, DayNightCurve) {
  int night = 0, evening = 0;
  for (const Parsed& e : sample().events) {
    const int h = local_hour(e.ts, 480);
    night += h >= 2 && h < 4;
    evening += h >= 18 && h < 20;
  }
  EXPECT_GT(evening, 8 * night);
}

TEST(StreamGenerator, RateFollowsUsersAndActivity) {
  const Generated& g = sample();
  const double days = (g.events.back().ts - g.events.front().ts) / double(kMicrosPerDay);
  const double per_day = g.events.size() / days;
  // About 8,300 active, non-dormant users at 4 transactions a day.
  EXPECT_NEAR(per_day, 8'300 * 4.0, 8'300 * 4.0 * 0.15);
}

}  // namespace
}  // namespace wf::gen
