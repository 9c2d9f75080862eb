// Model features: [[model_feature]] expressions compiled with a pack, computed from the
// same per-key state as its rules, before the event joins that state.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/time.h"
#include "rules/engine.h"
#include "rules/pack.h"

namespace wf::rules {
namespace {

const std::string kPack =
    "[pack]\nname = \"t\"\nhome_country = \"PH\"\nbase_currency = \"PHP\"\n"
    "utc_offset_minutes = 480\nlateness = \"0s\"\n"
    "[features]\nn_1h = \"count(by: user_id, window: 1h, prior: true)\"\n"
    "[[rule]]\nid = \"V\"\nname = \"v\"\nscore = 70\nwhen = \"n_1h >= 2\"\n";

const std::string kFeatures = R"toml(# the model's inputs
[[model_feature]]
name = "amount_php"
expr = "amount"

[[model_feature]]
name = "n_1h"
expr = "n_1h"

[[model_feature]]
name = "mean_1h"
expr = "avg(amount, by: user_id, window: 1h, prior: true)"

[[model_feature]]
name = "since_prev_s"
expr = "prev(by: user_id).age"

[[model_feature]]
name = "night"
expr = "local_hour < 5"
)toml";

constexpr Instant kT0 = 1'795'579'200'000'000;  // 2026-11-25T12:00:00+08:00

TEST(ModelFeatures, ComeFromTheRulesStateBeforeTheEventJoinsIt) {
  auto pack = RulePack::parse_with_features(kPack, "pack.toml", kFeatures, "features.toml");
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  ASSERT_EQ(pack->model_features().size(), 5u);
  EXPECT_EQ(pack->model_features()[2].first, "mean_1h");
  EXPECT_EQ(pack->text(), kPack);
  Engine engine(*pack);
  engine.ensure_user(0, 0);
  std::vector<double> f(5);
  domain::Transaction tx;
  tx.user_id = "u";
  Event e;
  e.tx = &tx;
  e.user = 0;
  const int64_t amounts[3] = {100'00, 300'00, 50'25};
  for (int i = 0; i < 3; ++i) {
    tx.event_ts = kT0 + i * 10 * kMicrosPerMinute;
    e.amount = amounts[i];
    e.local_hour = 12;
    const domain::Decision d = engine.evaluate(e, nullptr, f);
    EXPECT_EQ(d.rules_fired != 0, i == 2) << i;  // the rules still decide as before
    EXPECT_DOUBLE_EQ(f[0], double(amounts[i]) / 100) << "money in pesos";
    EXPECT_DOUBLE_EQ(f[1], i) << "earlier events only";
    EXPECT_DOUBLE_EQ(f[4], 0) << "a bool is 0 or 1";
    if (i == 0) {
      EXPECT_TRUE(std::isnan(f[2])) << "an empty window is missing";
      EXPECT_TRUE(std::isnan(f[3])) << "no previous event";
    } else {
      EXPECT_DOUBLE_EQ(f[2], i == 1 ? 100.0 : 200.0);
      EXPECT_DOUBLE_EQ(f[3], 600.0) << "durations in seconds";
    }
  }
  // observe() computes them too (training replays history so), and evaluate_only leaves
  // the state as it was.
  tx.event_ts = kT0 + 40 * kMicrosPerMinute;
  engine.evaluate_only(e, nullptr, f);
  EXPECT_DOUBLE_EQ(f[1], 3);
  engine.observe(e, f);
  EXPECT_DOUBLE_EQ(f[1], 3);
  engine.evaluate(e, nullptr, f);
  EXPECT_DOUBLE_EQ(f[1], 4);
}

TEST(ModelFeatures, ErrorsNameTheFeaturesFileAndItsLine) {
  const std::string bad =
      "[[model_feature]]\nname = \"ok\"\nexpr = \"amount\"\n"
      "[[model_feature]]\nname = \"where\"\nexpr = \"city\"\n"
      "[[model_feature]]\nname = \"typo\"\nexpr = \"amout > 1\"\n"
      "[[model_feature]]\nname = \"ok\"\nexpr = \"1\"\n";
  auto pack = RulePack::parse_with_features(kPack, "pack.toml", bad, "features.toml");
  ASSERT_FALSE(pack.ok());
  const std::string& m = pack.error().message;
  EXPECT_NE(m.find("features.toml:6:9: model feature where: a model feature is a number"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("features.toml:9:"), std::string::npos) << m;
  EXPECT_NE(m.find("duplicate model feature"), std::string::npos) << m;
  EXPECT_EQ(m.find("pack.toml"), std::string::npos) << "the pack itself is fine: " << m;
  // A features file cannot add rules or settings to the pack it is compiled with.
  auto sneaky = RulePack::parse_with_features(
      kPack, "pack.toml",
      std::string(kFeatures) + "[[rule]]\nid = \"X\"\nname = \"x\"\nscore = 100\nwhen = \"true\"\n",
      "features.toml");
  ASSERT_FALSE(sneaky.ok());
  EXPECT_NE(sneaky.error().message.find("only [[model_feature]]"), std::string::npos)
      << sneaky.error().message;
  // A pack without a features file has none; the rules alone are unchanged.
  auto plain = RulePack::parse(kPack, "pack.toml");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->model_features().empty());
}

}  // namespace
}  // namespace wf::rules
