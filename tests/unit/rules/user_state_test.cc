#include "rules/user_state.h"

#include <gtest/gtest.h>

#include <vector>

#include "rules/engine.h"
#include "rules/pack.h"
#include "rules/user_state_internal.h"

namespace wf::rules {
namespace {

constexpr Instant kNoon = 1'795'579'200'000'000;  // 2026-11-25T04:00:00Z

TEST(UserStateTable, StaysUnder200BytesPerUserWithTheShippedPack) {
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  UserStateTable state(10);
  EXPECT_EQ(state.bytes_per_user(), 0);
  for (uint32_t u = 0; u < 100'000; ++u) state.ensure(u, 0);
  EXPECT_EQ(state.size(), 100'000u);
  EXPECT_LE(state.bytes_per_user(), 200.0);
  // Honest: at least the slots themselves (9 header words + 20 ring words).
  EXPECT_GE(state.bytes_per_user(), 4.0 * 29);
  // Scoring does not grow it.
  Engine engine(*pack);
  double before = state.bytes_per_user();
  for (uint32_t u = 0; u < 100'000; u += 7) {
    for (int k = 0; k < 25; ++k) {
      Features f;
      f.user = u;
      f.event_ts = kNoon + k * kMicrosPerSecond;
      f.amount_base = 100;
      f.has_location = true;
      f.lat = 14.5;
      f.lon = 121.0;
      (void)engine.evaluate(f, state);
    }
  }
  EXPECT_EQ(state.bytes_per_user(), before);
}

TEST(UserStateTable, EnsureKeepsExistingUsersAndStartsNewOnes) {
  UserStateTable state(10);
  state.ensure(2, 1234);
  EXPECT_EQ(state.size(), 3u);
  // Re-ensuring a known user does not reset its last activity; users skipped over start
  // with none.
  state.ensure(2, 9999);
  state.ensure(0, 5555);
  EXPECT_EQ(state.size(), 3u);
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  Engine engine(*pack);
  Features f;
  f.amount_base = 2'000'050;  // PHP 20,000.50
  f.event_ts = 1234 + 180 * kMicrosPerDay;
  f.user = 2;
  EXPECT_EQ(engine.evaluate(f, state).score, 70);  // dormant since 1234, not 9999
  f.user = 0;
  EXPECT_EQ(engine.evaluate(f, state).score, 0);  // never active
}

TEST(UserStateTable, SetLastActivityOnlyRaisesIt) {
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  Engine engine(*pack);
  UserStateTable state(10);
  state.ensure(1, 0);
  const Instant dormant_since = kNoon - 181 * kMicrosPerDay;
  state.set_last_activity(0, dormant_since);
  state.set_last_activity(0, dormant_since - kMicrosPerDay);  // lower: ignored
  state.set_last_activity(7, dormant_since);                  // unknown user: ignored
  EXPECT_EQ(state.size(), 2u);
  Features f;
  f.event_ts = kNoon;
  f.amount_base = 2'000'050;
  EXPECT_EQ(pack->fired_ids(engine.evaluate(f, state).rules_fired), "R005");
  state.set_last_activity(1, dormant_since);
  state.set_last_activity(1, kNoon - kMicrosPerDay);  // higher: taken
  f.user = 1;
  EXPECT_EQ(engine.evaluate(f, state).rules_fired, 0u);
}

// The ring in isolation: keeps the newest `capacity` times, sorted, across rebases.
class Ring : public ::testing::Test {
 protected:
  static constexpr int kCapacity = 4;
  std::vector<uint32_t> words = std::vector<uint32_t>(internal::kHeaderWords + kCapacity, 0);
  internal::SlotRef slot{words.data(), kCapacity};

  int count(int64_t lo, int64_t hi) const { return slot.count_between(lo, hi); }
};

TEST_F(Ring, KeepsTheNewestTimesWhateverTheArrivalOrder) {
  for (int64_t t : {1000, 3000, 2000, 5000, 4000, 500, 6000}) slot.record_time(t);
  EXPECT_EQ(slot.ring_size(), 4);
  EXPECT_EQ(count(0, 10'000), 4);
  EXPECT_EQ(count(3000, 6000), 4);  // 3000, 4000, 5000, 6000
  EXPECT_EQ(count(3001, 5999), 2);
  EXPECT_EQ(count(0, 2999), 0);  // 500, 1000, 2000 were evicted
  slot.record_time(100);         // older than all kept, no room: ignored
  EXPECT_EQ(count(0, 2999), 0);
}

TEST_F(Ring, MovesItsBaseForOldAndFarTimes) {
  slot.record_time(1'000'000);
  slot.record_time(999'000);  // earlier than the base: base moves down
  EXPECT_EQ(count(999'000, 1'000'000), 2);
  // A time 60 days later no longer fits a 32-bit offset: old times are dropped.
  const int64_t later = 1'000'000 + 60 * kMicrosPerDay / 1000;
  slot.record_time(later);
  EXPECT_EQ(slot.ring_size(), 1);
  EXPECT_EQ(count(later, later), 1);
  // Ten days later still fits with the previous one kept.
  slot.record_time(later + 10 * kMicrosPerDay / 1000);
  EXPECT_EQ(slot.ring_size(), 2);
  EXPECT_EQ(count(later, later + 10 * kMicrosPerDay / 1000), 2);
  // Far in the past relative to the newest: beyond any window, not kept.
  slot.record_time(later - 60 * kMicrosPerDay / 1000);
  EXPECT_EQ(slot.ring_size(), 2);
}

TEST_F(Ring, CountsAroundNegativeTimes) {
  slot.record_time(-5);
  slot.record_time(-1);
  slot.record_time(3);
  EXPECT_EQ(count(-5, 3), 3);
  EXPECT_EQ(count(-4, 2), 1);
  EXPECT_EQ(count(INT64_MIN / 2, INT64_MAX / 2), 3);
  EXPECT_EQ(internal::floor_ms(-1), -1);
  EXPECT_EQ(internal::floor_ms(-1000), -1);
  EXPECT_EQ(internal::floor_ms(-1001), -2);
  EXPECT_EQ(internal::floor_ms(1999), 1);
}

TEST_F(Ring, DropsTimesBefore) {
  for (int64_t t : {10, 20, 30}) slot.record_time(t);
  EXPECT_FALSE(slot.drop_times_before(10));
  EXPECT_TRUE(slot.drop_times_before(25));
  EXPECT_EQ(slot.ring_size(), 1);
  EXPECT_EQ(count(0, 100), 1);
  EXPECT_TRUE(slot.drop_times_before(100));
  EXPECT_EQ(slot.ring_size(), 0);
  slot.record_time(7);  // an empty ring takes a fresh base
  EXPECT_EQ(count(7, 7), 1);
}

TEST(UserStateTable, ExpireReturnsUsersWithDroppedStateOnly) {
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  Engine engine(*pack);
  UserStateTable state(10);
  for (uint32_t u = 0; u < 5; ++u) state.ensure(u, 0);
  Features f;
  f.amount_base = 100;
  for (uint32_t u = 0; u < 3; ++u) {
    f.user = u;
    f.event_ts = kNoon + u * kMicrosPerMinute;
    f.has_location = u == 2;
    engine.observe(f, state);
  }
  EXPECT_EQ(state.expire(kNoon), 0u);
  EXPECT_EQ(state.expire(kNoon + 90 * kMicrosPerSecond), 2u);  // users 0 and 1
  EXPECT_EQ(state.expire(kNoon + kMicrosPerHour), 1u);         // user 2: time and location
  EXPECT_EQ(state.expire(kNoon + kMicrosPerHour), 0u);
  EXPECT_EQ(state.size(), 5u);
}

TEST(UserStateTable, WithoutVelocityRulesKeepsOnlyTheHeader) {
  UserStateTable state(0);
  for (uint32_t u = 0; u < 10'000; ++u) state.ensure(u, 0);
  EXPECT_LE(state.bytes_per_user(), 50.0);  // 36-byte slots plus growth slack
}

}  // namespace
}  // namespace wf::rules
