#include "gen/card.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "codec/event_decoder.h"

namespace wf::gen {
namespace {

std::string card_events(uint64_t seed, int64_t count, std::vector<Label>* labels = nullptr) {
  CardOptions o;
  o.count = count;
  o.seed = seed;
  o.customers = 5'000;
  o.start = *parse_rfc3339("2026-01-01T00:00:00Z");
  CardGenerator g(o);
  std::string out;
  Label label;
  while (g.next(&out, &label)) {
    if (labels != nullptr) labels->push_back(label);
  }
  return out;
}

TEST(CardGenerator, DeterministicPerSeed) {
  EXPECT_EQ(card_events(2, 5'000), card_events(2, 5'000));
  EXPECT_NE(card_events(2, 5'000), card_events(3, 5'000));
}

TEST(CardGenerator, EventsFollowTheSchemaAndEveryPatternIsInjected) {
  std::vector<Label> labels;
  const std::string text = card_events(1, 100'000, &labels);
  ASSERT_EQ(labels.size(), 100'000u);
  codec::EventDecoder decoder;
  std::map<std::string, int64_t> patterns;
  std::set<std::string> ids;
  int64_t fraud = 0, foreign = 0, bad_geo = 0;
  Instant last = 0;
  size_t at = 0;
  for (const Label& l : labels) {
    const size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl - at);
    at = nl + 1;
    const size_t size = line.size();
    line.append(codec::kDecodePadding, ' ');
    domain::Transaction tx;
    Status s = decoder.decode(std::string_view(line.data(), size), &tx);
    ASSERT_TRUE(s.ok()) << s.error().message << ": " << line;
    EXPECT_EQ(tx.transaction_id, l.transaction_id);
    ids.insert(l.transaction_id);
    EXPECT_EQ(tx.payment_method, "CARD");
    EXPECT_GE(tx.event_ts, last) << line;  // incidents' later events wait their turn
    last = tx.event_ts;
    foreign += tx.country != "US";
    if (tx.has_location && (tx.lat > 90 || tx.lon < -180)) ++bad_geo;
    if (l.is_fraud) {
      ++fraud;
      ++patterns[l.pattern];
    } else {
      EXPECT_TRUE(l.pattern.empty());
      EXPECT_LT(tx.amount.minor, 5'000'00) << line;  // only fraud crosses the threshold
    }
  }
  EXPECT_EQ(ids.size(), labels.size());
  EXPECT_NEAR(double(fraud) / 100'000.0, 0.005, 0.0015);
  for (const char* p : {"C001", "C002", "C003", "C004", "C005", "C006", "C007"}) {
    EXPECT_GT(patterns[p], 10) << p;
  }
  EXPECT_EQ(bad_geo, patterns["C003"]);  // off-globe coordinates are exactly that pattern
  EXPECT_GT(foreign, patterns["C002"]);  // and some honest purchases abroad
}

// `seed --profile card` stores the customers the events come from: honest purchases in
// person happen at home (or on a trip), and C007's far from the stored home.
TEST(CardGenerator, DimensionsAreTheCustomersTheEventsComeFrom) {
  CardOptions o;
  o.count = 60'000;
  o.seed = 9;
  o.customers = 5'000;
  o.start = *parse_rfc3339("2026-01-01T00:00:00Z");
  const CardDimensions dims = card_dimensions(o, o.start);
  ASSERT_EQ(dims.customers.size(), 5'000u);
  ASSERT_EQ(dims.merchants.size(), static_cast<size_t>(o.merchants));
  std::map<std::string, const domain::User*> by_id;
  for (const domain::User& u : dims.customers) {
    EXPECT_TRUE(u.has_home);
    by_id[u.user_id] = &u;
  }
  CardGenerator g(o);
  std::string out;
  Label label;
  codec::EventDecoder decoder;
  int64_t at_home = 0, honest_present = 0, c007 = 0;
  auto km = [](double lat1, double lon1, double lat2, double lon2) {
    const double d = 3.141592653589793 / 180, dlat = (lat2 - lat1) * d, dlon = (lon2 - lon1) * d;
    const double h =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * d) * std::cos(lat2 * d) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * 6371.0 * std::asin(std::sqrt(h));
  };
  while (g.next(&out, &label)) {
    std::string line = out;
    out.clear();
    line.pop_back();
    const size_t size = line.size();
    line.append(codec::kDecodePadding, ' ');
    domain::Transaction tx;
    ASSERT_TRUE(decoder.decode(std::string_view(line.data(), size), &tx).ok());
    const domain::User* u = by_id[std::string(tx.user_id)];
    ASSERT_NE(u, nullptr) << tx.user_id;
    if (!tx.has_location || tx.lat > 90 || tx.lon < -180) continue;
    const double distance = km(tx.lat, tx.lon, u->home_lat, u->home_lon);
    if (label.pattern == "C007") {
      ++c007;
      EXPECT_GT(distance, 1'000) << line;
    } else if (!label.is_fraud && tx.country == "US") {
      ++honest_present;
      at_home += distance < 50;
      EXPECT_EQ(tx.city == u->home_city, distance < 50) << line;
    }
  }
  EXPECT_GT(c007, 5);
  EXPECT_GT(at_home, honest_present * 95 / 100) << at_home << " of " << honest_present;
  EXPECT_LT(at_home, honest_present) << "some customers travel";
}

}  // namespace
}  // namespace wf::gen
