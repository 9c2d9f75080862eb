#include "gen/card.h"

#include <gtest/gtest.h>

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
  for (const char* p : {"C001", "C002", "C003", "C004", "C005", "C006"}) {
    EXPECT_GT(patterns[p], 10) << p;
  }
  EXPECT_EQ(bad_geo, patterns["C003"]);  // off-globe coordinates are exactly that pattern
  EXPECT_GT(foreign, patterns["C002"]);  // and some honest purchases abroad
}

}  // namespace
}  // namespace wf::gen
