// Label quality: the seed-000 rules, replayed over the stream exactly as stated, must
// fire on every injected pattern, never on ordinary traffic for R002/R003, and flag
// legitimate events only at the intended look-alike rate.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "gen/ph_ewallet.h"
#include "gen_support.h"
#include "sample.h"

namespace wf::gen {
namespace {

using testing::dims;
using testing::Generated;
using testing::Parsed;
using testing::RuleReplay;
using testing::sample;

int rule_of(const std::string& pattern) {
  return pattern.empty() ? 0 : pattern[3] - '0';  // "R003" -> 3
}

struct Replayed {
  std::vector<unsigned> fired;
};

Replayed replay(const Generated& g) {
  RuleReplay rules(dims());
  Replayed r;
  for (const Parsed& e : g.events) r.fired.push_back(rules.evaluate(e));
  return r;
}

TEST(FraudInjection, LabelShareMatchesFraudRate) {
  const Generated& g = sample();
  std::map<std::string, int> fraud_by_pattern;
  int fraud = 0, r004 = 0;
  for (const Label& l : g.labels) {
    if (l.is_fraud) {
      ++fraud;
      ++fraud_by_pattern[l.pattern];
      EXPECT_NE(l.pattern, "") << "fraud always names its pattern";
    }
    if (l.pattern == "R004") {
      EXPECT_FALSE(l.is_fraud);
      ++r004;
    }
  }
  const double n = static_cast<double>(g.labels.size());
  EXPECT_NEAR(fraud / n, 0.02, 0.003);
  EXPECT_NEAR(r004 / n, 0.004, 0.001);
  for (const char* p : {"R001", "R002", "R003", "R005", "R006"}) {
    EXPECT_NEAR(fraud_by_pattern[p] / double(fraud), 0.2, 0.05) << p;
  }
  EXPECT_EQ(fraud_by_pattern.size(), 5u);
}

TEST(FraudInjection, RulesFindEveryPatternAndPrecisionIsRealistic) {
  const Generated& g = sample();
  const Replayed r = replay(g);
  std::array<int, 7> labelled{}, caught{};
  int flagged = 0, flagged_fraud = 0, fraud = 0, fraud_flagged = 0;
  for (size_t i = 0; i < g.events.size(); ++i) {
    const Label& l = g.labels[i];
    const unsigned fired = r.fired[i];
    const int rule = rule_of(l.pattern);
    if (rule != 0) {
      ++labelled[rule];
      caught[rule] += (fired >> (rule - 1)) & 1;
    }
    if (RuleReplay::flags(fired)) {
      ++flagged;
      flagged_fraud += l.is_fraud;
    }
    if (l.is_fraud) {
      ++fraud;
      fraud_flagged += RuleReplay::flags(fired);
    }
    if (l.pattern.empty()) {
      // Ordinary traffic never reaches the velocity or location-jump conditions.
      ASSERT_EQ(fired & 0b110u, 0u) << "event " << i << " user " << g.events[i].user;
    }
  }
  for (int rule = 1; rule <= 6; ++rule) {
    ASSERT_GT(labelled[rule], 0) << "R00" << rule;
    EXPECT_GE(caught[rule] / double(labelled[rule]), 0.95) << "recall of R00" << rule;
  }
  EXPECT_EQ(fraud_flagged, fraud);
  const double precision = flagged_fraud / double(flagged);
  EXPECT_GE(precision, 0.90);
  EXPECT_LE(precision, 0.97);  // look-alikes make precision mean something
}

TEST(FraudInjection, PatternsHaveTheirDefiningProperty) {
  const Generated& g = sample();
  std::unordered_map<std::string, std::vector<size_t>> by_user;
  std::unordered_map<std::string, const domain::User*> users;
  for (const domain::User& u : dims().users) users[u.user_id] = &u;
  for (size_t i = 0; i < g.events.size(); ++i) {
    const Parsed& e = g.events[i];
    const std::string& p = g.labels[i].pattern;
    auto& history = by_user[e.user];
    if (p == "R001") {
      EXPECT_LT(local_hour(e.ts, 480), 5);
      EXPECT_GE(e.php, 5'000'000);
      EXPECT_EQ(e.country, "PH");
    } else if (p == "R002") {
      int within = 1;
      for (size_t j : history) within += g.events[j].ts >= e.ts - 5 * kMicrosPerMinute;
      EXPECT_GT(within, 10);
    } else if (p == "R003") {
      ASSERT_FALSE(history.empty());
      const Parsed& prev = g.events[history.back()];
      EXPECT_GT(testing::km(prev.lat, prev.lon, e.lat, e.lon), 100);
      EXPECT_LE(e.ts - prev.ts, 10 * kMicrosPerMinute);
    } else if (p == "R004") {
      EXPECT_GE(e.php, 1'000'000);
      EXPECT_EQ(e.php % 100'000, 0);
    } else if (p == "R005") {
      EXPECT_TRUE(history.empty());
      EXPECT_GE(e.ts - users.at(e.user)->last_txn_at, 180 * kMicrosPerDay);
      EXPECT_GE(e.php, 2'000'000);
    } else if (p == "R006") {
      EXPECT_NE(e.country, "PH");
      EXPECT_GE(e.php, 3'500'000);
    }
    history.push_back(i);
  }
}

TEST(FraudInjection, OrdinaryTravelRespectsRoadSpeed) {
  const Generated& g = sample();
  std::unordered_map<std::string, size_t> last;
  int trips = 0, abroad = 0;
  for (size_t i = 0; i < g.events.size(); ++i) {
    const Parsed& e = g.events[i];
    auto it = last.find(e.user);
    if (it != last.end() && g.labels[i].pattern.empty() && g.labels[it->second].pattern.empty()) {
      const Parsed& prev = g.events[it->second];
      const double d = testing::km(prev.lat, prev.lon, e.lat, e.lon);
      const double hours = (e.ts - prev.ts) / double(kMicrosPerHour);
      if (d > 2) {
        EXPECT_LE(d / hours, 80.0) << e.user << " " << prev.city << " -> " << e.city;
        ++trips;
      }
    }
    abroad += e.country != "PH" && g.labels[i].pattern.empty();
    last[e.user] = i;
  }
  EXPECT_GT(trips, 100);
  EXPECT_GT(abroad, 100);  // international small purchases: look-alikes for R006
}

TEST(FraudInjection, HigherFraudRateScales) {
  const Generated g = testing::generate(testing::stream_options(9, 0.10), 50'000);
  int fraud = 0;
  for (const Label& l : g.labels) fraud += l.is_fraud;
  EXPECT_NEAR(fraud / double(g.labels.size()), 0.10, 0.015);
  const Replayed r = replay(g);
  for (size_t i = 0; i < g.events.size(); ++i) {
    if (g.labels[i].pattern.empty()) {
      ASSERT_EQ(r.fired[i] & 0b110u, 0u);
    }
  }
}

}  // namespace
}  // namespace wf::gen

namespace wf::gen {
namespace {

TEST(FraudInjection, DormantUsersReactivateOnceThenOtherPatternsStandIn) {
  SeedOptions so;
  so.users = 2'000;
  so.merchants = 100;
  so.seed = 3;
  so.now = testing::test_now();
  so.dormant_share = 0.02;
  const Dimensions d = seed_dimensions(so);
  int dormant = 0;
  for (const domain::User& u : d.users) {
    dormant += u.account_status == "ACTIVE" && so.now - u.last_txn_at >= 180 * kMicrosPerDay;
  }
  StreamGenerator gen(d, testing::stream_options(61, 0.05));
  std::string line;
  Label label;
  std::set<std::string> reactivated;
  int fraud = 0, r005 = 0;
  constexpr int kEvents = 30'000;  // R005 alone would want ~300 dormant users
  for (int i = 0; i < kEvents; ++i) {
    line.clear();
    ASSERT_TRUE(gen.next(&line, &label));
    fraud += label.is_fraud;
    if (label.pattern == "R005") {
      ++r005;
      const std::string user = testing::raw_value(line, "user_id");
      EXPECT_TRUE(reactivated.insert(user).second) << user << " reactivated twice";
    }
  }
  EXPECT_LE(r005, dormant);
  EXPECT_GT(r005, 0);
  EXPECT_NEAR(fraud / double(kEvents), 0.05, 0.008);
}

}  // namespace
}  // namespace wf::gen
