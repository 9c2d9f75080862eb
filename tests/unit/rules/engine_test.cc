#include "rules/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/rng.h"
#include "rules/pack.h"
#include "rules/user_state.h"

namespace wf::rules {
namespace {

constexpr Instant kNoon = 1'795'579'200'000'000;  // 2026-11-25T12:00:00+08:00

TEST(DistanceKm, Haversine) {
  EXPECT_DOUBLE_EQ(distance_km(14.5995, 120.9842, 14.5995, 120.9842), 0.0);
  // One degree of a meridian on a 6371.0088 km sphere.
  EXPECT_NEAR(distance_km(0, 0, 1, 0), 111.19508, 1e-4);
  EXPECT_NEAR(distance_km(0, 179.5, 0, -179.5), 111.19508, 1e-4);  // across the antimeridian
  EXPECT_NEAR(distance_km(90, 0, -90, 0), 3.14159265358979 * 6371.0088, 1e-6);
  // Manila - Cebu.
  EXPECT_NEAR(distance_km(14.5995, 120.9842, 10.3157, 123.8854), 571.026, 1e-3);
  EXPECT_NEAR(distance_km(10.3157, 123.8854, 14.5995, 120.9842), 571.026, 1e-3);
}

Result<RulePack> pack_of(const std::string& rules) {
  return RulePack::parse(R"([pack]
name = "t"
home_country = "PH"
base_currency = "PHP"
utc_offset_minutes = 480
lateness = "60s"
)" + rules);
}

std::string foreign_rule(const std::string& id, int score) {
  return "[[rule]]\nid = \"" + id +
         "\"\nname = \"n\"\nkind = \"foreign_amount\"\nscore = " + std::to_string(score) +
         "\nmin_amount = \"0\"\n";
}

TEST(Engine, TopRuleIsTheFirstOfTheHighestScores) {
  auto pack = pack_of(foreign_rule("LOW", 10) + foreign_rule("HIGH1", 60) +
                      foreign_rule("HIGH2", 60) + foreign_rule("MID", 50));
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Engine engine(*pack);
  UserStateTable state(0);
  state.ensure(0, 0);
  Features f;
  f.event_ts = kNoon;
  f.country = "JP";
  auto d = engine.evaluate(f, state);
  EXPECT_EQ(d.score, 60);
  EXPECT_EQ(d.verdict, domain::Verdict::kFlag);
  EXPECT_EQ(d.rules_fired, 0b1111u);
  EXPECT_EQ(d.top_rule, 1);
  EXPECT_EQ(pack->fired_ids(d.rules_fired), "LOW,HIGH1,HIGH2,MID");
}

TEST(Engine, AFiredRuleOfScoreZeroIsStillReported) {
  auto pack = pack_of(foreign_rule("ZERO", 0));
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Engine engine(*pack);
  UserStateTable state(0);
  state.ensure(0, 0);
  Features f;
  f.country = "JP";
  auto d = engine.evaluate(f, state);
  EXPECT_EQ(d.score, 0);
  EXPECT_EQ(d.verdict, domain::Verdict::kNormal);
  EXPECT_EQ(d.rules_fired, 1u);
  EXPECT_EQ(d.top_rule, 0);
  f.country = "";
  d = engine.evaluate(f, state);
  EXPECT_EQ(d.rules_fired, 0u);
  EXPECT_EQ(d.top_rule, -1);
}

TEST(Engine, UnknownUserIsNotScoredNorRecorded) {
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  Engine engine(*pack);
  UserStateTable state(10);
  Features f;
  f.user = 3;
  f.amount_base = 100'000'000;
  f.country = "US";
  auto d = engine.evaluate(f, state);
  EXPECT_EQ(d.rules_fired, 0u);
  engine.observe(f, state);
  EXPECT_EQ(state.size(), 0u);
}

// observe() folds exactly like evaluate(): replaying history with observe() then scoring
// gives the decisions of scoring everything.
TEST(Engine, ObserveRebuildsTheSameState) {
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  Engine engine(*pack);
  UserStateTable scored(10);
  UserStateTable rebuilt(10);
  scored.ensure(0, kNoon - 200 * kMicrosPerDay);
  rebuilt.ensure(0, kNoon - 200 * kMicrosPerDay);
  Features f;
  f.amount_base = 2'500'050;
  f.has_location = true;
  f.lat = 14.5995;
  f.lon = 120.9842;
  for (int i = 0; i < 10; ++i) {
    f.event_ts = kNoon + i * kMicrosPerSecond;
    (void)engine.evaluate(f, scored);
    engine.observe(f, rebuilt);
  }
  f.event_ts = kNoon + 20 * kMicrosPerSecond;
  f.lat = 10.3157;
  f.lon = 123.8854;
  auto a = engine.evaluate(f, scored);
  auto b = engine.evaluate(f, rebuilt);
  EXPECT_EQ(a.rules_fired, b.rules_fired);
  EXPECT_EQ(pack->fired_ids(a.rules_fired), "R002,R003");  // not R005: no longer dormant
}

TEST(Engine, SeveralVelocityRulesShareTheTimes) {
  auto pack = pack_of(R"([[rule]]
id = "FAST"
name = "3 in 10s"
kind = "velocity"
score = 50
max_count = 3
window = "10s"
[[rule]]
id = "SLOW"
name = "5 in 1h"
kind = "velocity"
score = 70
max_count = 5
window = "1h"
)");
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Engine engine(*pack);
  UserStateTable state(5);
  state.ensure(0, 0);
  Features f;
  std::string got;
  for (int64_t s : {0, 1, 2, 3, 600, 1200}) {
    f.event_ts = kNoon + s * kMicrosPerSecond;
    got += pack->fired_ids(engine.evaluate(f, state).rules_fired) + ";";
  }
  EXPECT_EQ(got, ";;;FAST;;SLOW;");
}

// The location rule skips the trigonometry when a bound decides; it must agree with the
// haversine everywhere, including across the antimeridian and near the poles.
TEST(Engine, LocationJumpAgreesWithDistanceKm) {
  auto pack = pack_of(R"([[rule]]
id = "JUMP"
name = "jump"
kind = "location_jump"
score = 90
max_km = 100
window = "10m"
)");
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Engine engine(*pack);
  Rng rng(2026);
  constexpr uint32_t kPairs = 20'000;
  UserStateTable state(0);
  for (uint32_t u = 0; u < kPairs; ++u) state.ensure(u, 0);
  int fired = 0;
  for (uint32_t u = 0; u < kPairs; ++u) {
    Features f;
    f.user = u;
    f.has_location = true;
    f.event_ts = kNoon;
    f.lat = rng.uniform() * 178 - 89;
    f.lon = u % 4 == 0 ? 179.5 + rng.uniform() * 0.5 : rng.uniform() * 360 - 180;
    const float stored_lat = static_cast<float>(f.lat);
    const float stored_lon = static_cast<float>(f.lon);
    (void)engine.evaluate(f, state);
    f.event_ts += kMicrosPerMinute;
    f.lat = std::clamp(f.lat + (rng.uniform() - 0.5) * 4, -90.0, 90.0);
    f.lon += (rng.uniform() - 0.5) * 4;
    if (f.lon > 180) f.lon -= 360;
    bool want = distance_km(f.lat, f.lon, stored_lat, stored_lon) > 100;
    bool got = engine.evaluate(f, state).rules_fired != 0;
    ASSERT_EQ(got, want) << f.lat << "," << f.lon << " from " << stored_lat << "," << stored_lon;
    fired += got;
  }
  EXPECT_GT(fired, kPairs / 4);  // both outcomes are well represented
  EXPECT_LT(fired, kPairs * 3 / 4);
}

TEST(Engine, ExtremeTimesDoNotOverflow) {
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  Engine engine(*pack);
  UserStateTable state(10);
  state.ensure(0, INT64_MAX);
  Features f;
  f.has_location = true;
  f.amount_base = 5'000'000;
  for (Instant t : {INT64_MIN, INT64_MAX, Instant{0}, INT64_MIN + 1}) {
    f.event_ts = t;
    (void)engine.evaluate(f, state);
  }
  SUCCEED();  // UBSan would have stopped the test on signed overflow
}

}  // namespace
}  // namespace wf::rules
