// Engine::adopt: a reloaded rule set keeps the per-key state of the features it shares
// with the running one, and starts fresh for the rest.
#include <gtest/gtest.h>

#include <string>

#include "core/time.h"
#include "rules/engine.h"
#include "rules/pack.h"

namespace wf::rules {
namespace {

RulePack pack_with(const std::string& rules) {
  std::string text =
      "[pack]\nname = \"t\"\nhome_country = \"PH\"\nbase_currency = \"PHP\"\n"
      "utc_offset_minutes = 480\nlateness = \"0s\"\n" +
      rules;
  auto pack = RulePack::parse(text, "test");
  EXPECT_TRUE(pack.ok()) << (pack.ok() ? "" : pack.error().message);
  return std::move(*pack);
}

constexpr Instant kT0 = 1'795'579'200'000'000;  // 2026-11-25T12:00:00+08:00

domain::Decision score(Engine& engine, uint32_t user, Instant t, const char* product = "p1") {
  domain::Transaction tx;
  tx.event_ts = t;
  tx.product_id = product;
  tx.user_id = "u";
  Event e;
  e.tx = &tx;
  e.user = user;
  e.amount = 100'00;
  engine.ensure_user(user, 0);
  return engine.evaluate(e);
}

TEST(EngineAdopt, SharedWindowKeepsItsCounts) {
  RulePack before = pack_with(
      "[[rule]]\nid = \"V\"\nname = \"v\"\nscore = 70\n"
      "when = \"count(by: user_id, window: 5m) > 10\"\n");
  // Same feature, a lower threshold, and a new rule on another key.
  RulePack after = pack_with(
      "[[rule]]\nid = \"V\"\nname = \"v\"\nscore = 70\n"
      "when = \"count(by: user_id, window: 5m) > 5\"\n"
      "[[rule]]\nid = \"S\"\nname = \"s\"\nscore = 65\n"
      "when = \"streak(by: user_id, same: product_id) >= 2\"\n");
  Engine old_engine(before);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(score(old_engine, 0, kT0 + i * kMicrosPerSecond).rules_fired, 0u);
  }
  Engine fresh(after);
  Engine adopted(after);
  EXPECT_EQ(adopted.adopt(old_engine), 1u);  // the count window; the streak is new
  // The sixth event: with the carried window it is the sixth in 5 minutes.
  EXPECT_EQ(score(adopted, 0, kT0 + 5 * kMicrosPerSecond).rules_fired, 1u);
  EXPECT_EQ(score(fresh, 0, kT0 + 5 * kMicrosPerSecond).rules_fired, 0u);
  // The streak starts with the reload (the sixth event was its first): two now.
  EXPECT_EQ(score(adopted, 0, kT0 + 6 * kMicrosPerSecond).rules_fired, 3u);
}

TEST(EngineAdopt, ChangedWindowStartsFresh) {
  RulePack before = pack_with(
      "[[rule]]\nid = \"V\"\nname = \"v\"\nscore = 70\n"
      "when = \"count(by: user_id, window: 5m) > 3\"\n");
  RulePack after = pack_with(
      "[[rule]]\nid = \"V\"\nname = \"v\"\nscore = 70\n"
      "when = \"count(by: user_id, window: 5m, where: amount > PHP 1) > 3\"\n");
  Engine old_engine(before);
  for (int i = 0; i < 3; ++i) score(old_engine, 0, kT0 + i * kMicrosPerSecond);
  Engine adopted(after);
  EXPECT_EQ(adopted.adopt(old_engine), 0u);  // a filtered window is another window
  EXPECT_EQ(score(adopted, 0, kT0 + 3 * kMicrosPerSecond).rules_fired, 0u);
}

TEST(EngineAdopt, LastSeenAndHashedKeysCarryOver) {
  const std::string rules =
      "[[rule]]\nid = \"D\"\nname = \"d\"\nscore = 70\n"
      "when = \"ts - last_seen(by: user_id) >= 1d\"\n"
      "[[rule]]\nid = \"P\"\nname = \"p\"\nscore = 60\n"
      "when = \"count(by: [user_id, product_id], window: 1h) > 2\"\n";
  RulePack before = pack_with(rules);
  RulePack after = pack_with(rules);
  Engine old_engine(before);
  old_engine.ensure_user(7, kT0 - 2 * kMicrosPerDay);
  score(old_engine, 1, kT0, "a");
  score(old_engine, 1, kT0 + 1, "a");
  Engine adopted(after);
  EXPECT_EQ(adopted.adopt(old_engine), 1u);           // the hashed group's ring
  EXPECT_EQ(score(adopted, 7, kT0).rules_fired, 1u);  // dormant since dims said so
  EXPECT_EQ(score(adopted, 1, kT0 + 2, "a").rules_fired, 2u);
  EXPECT_EQ(score(adopted, 1, kT0 + 3, "b").rules_fired, 0u);
}

}  // namespace
}  // namespace wf::rules
