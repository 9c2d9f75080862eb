#include "rules/pack.h"

#include <gtest/gtest.h>

#include <string>

#include "rules/pack_internal.h"

namespace wf::rules {
namespace {

// A valid pack with one rule of each kind; error tests replace one line of it.
constexpr std::string_view kGoodPack = R"(
[pack]
name = "test"
home_country = "PH"
base_currency = "PHP"
utc_offset_minutes = 480
lateness = "60s"

[fx]
USD = "58.00"
JPY = "0.39"
KRW = "0.042"
KWD = "189.123"

[[rule]]
id = "A"
name = "night"
kind = "amount_at_night"
score = 85
min_amount = "50000.00"
start_hour = 0
end_hour = 5

[[rule]]
id = "B"
name = "velocity"
kind = "velocity"
score = 75
max_count = 10
window = "5m"

[[rule]]
id = "C"
name = "jump"
kind = "location_jump"
score = 90
max_km = 100
window = "10m"

[[rule]]
id = "D"
name = "round"
kind = "round_amount"
score = 40
min_amount = "10000.00"
round_unit = "1000.00"

[[rule]]
id = "E"
name = "dormant"
kind = "dormant_reactivation"
score = 70
min_amount = "20000.00"
window = "180d"

[[rule]]
id = "F"
name = "foreign"
kind = "foreign_amount"
score = 65
min_amount = "30000.00"
)";

std::string replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  size_t at = out.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

TEST(RulePack, ParsesEveryKindAndParameter) {
  auto pack = RulePack::parse(kGoodPack, "good.toml");
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->name(), "test");
  EXPECT_EQ(pack->home_country(), "PH");
  EXPECT_EQ(pack->base_currency().code(), "PHP");
  EXPECT_EQ(pack->utc_offset_minutes(), 480);
  EXPECT_EQ(pack->lateness_us(), 60 * kMicrosPerSecond);
  const auto& r = pack->rules();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].id, "A");
  EXPECT_EQ(r[0].name, "night");
  EXPECT_EQ(r[0].kind, RuleKind::kAmountAtNight);
  EXPECT_EQ(r[0].score, 85);
  EXPECT_EQ(r[0].min_amount, 5'000'000);
  EXPECT_EQ(r[0].start_hour, 0);
  EXPECT_EQ(r[0].end_hour, 5);
  EXPECT_EQ(r[1].kind, RuleKind::kVelocity);
  EXPECT_EQ(r[1].max_count, 10);
  EXPECT_EQ(r[1].window_us, 5 * kMicrosPerMinute);
  EXPECT_EQ(r[2].kind, RuleKind::kLocationJump);
  EXPECT_DOUBLE_EQ(r[2].max_km, 100.0);
  EXPECT_EQ(r[2].window_us, 10 * kMicrosPerMinute);
  EXPECT_EQ(r[3].kind, RuleKind::kRoundAmount);
  EXPECT_EQ(r[3].min_amount, 1'000'000);
  EXPECT_EQ(r[3].round_unit, 100'000);
  EXPECT_EQ(r[4].kind, RuleKind::kDormantReactivation);
  EXPECT_EQ(r[4].min_amount, 2'000'000);
  EXPECT_EQ(r[4].window_us, 180 * kMicrosPerDay);
  EXPECT_EQ(r[5].kind, RuleKind::kForeignAmount);
  EXPECT_EQ(r[5].min_amount, 3'000'000);
  // Velocity and location windows plus lateness; not the dormancy window.
  EXPECT_EQ(pack->horizon_us(), 10 * kMicrosPerMinute + 60 * kMicrosPerSecond);
}

TEST(RulePack, BuiltinIsTheShippedFile) {
  auto builtin = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(builtin.ok()) << builtin.error().message;
  auto file = RulePack::load_file(std::string(WF_SOURCE_DIR) + "/config/rules/ph-ewallet.toml");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(builtin->name(), "ph-ewallet");
  ASSERT_EQ(builtin->rules().size(), file->rules().size());
  for (size_t i = 0; i < file->rules().size(); ++i) {
    const Rule& a = builtin->rules()[i];
    const Rule& b = file->rules()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.score, b.score);
    EXPECT_EQ(a.min_amount, b.min_amount);
    EXPECT_EQ(a.window_us, b.window_us);
  }
  // The seed's numbers (SPEC section 6).
  EXPECT_EQ(builtin->fired_ids(0x3f), "R001,R002,R003,R004,R005,R006");
  EXPECT_EQ(builtin->horizon_us(), 11 * kMicrosPerMinute);
  EXPECT_EQ(builtin->lateness_us(), 60 * kMicrosPerSecond);
}

TEST(RulePack, UnknownBuiltinProfileIsNotFound) {
  auto pack = RulePack::builtin("card");
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.error().code, Errc::kNotFound);
  EXPECT_NE(pack.error().message.find("card"), std::string::npos);
}

TEST(RulePack, MissingFileIsIo) {
  auto pack = RulePack::load_file("/nonexistent/rules.toml");
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.error().code, Errc::kIo);
  EXPECT_NE(pack.error().message.find("/nonexistent/rules.toml"), std::string::npos);
}

struct BadPack {
  const char* from;  // text of kGoodPack to replace
  const char* to;
  const char* message;  // expected in the error message
};

TEST(RulePack, RejectsBadPacksNamingTheKey) {
  const BadPack cases[] = {
      {"kind = \"velocity\"", "kind = \"speed\"", "rule 'B': 'kind': unknown kind 'speed'"},
      {"max_count = 10\n", "", "rule 'B': 'max_count': missing"},
      {"score = 85", "score = 101", "rule 'A': 'score': must be an integer in 0..100"},
      {"score = 85", "score = -1", "rule 'A': 'score'"},
      {"score = 85", "score = \"85\"", "rule 'A': 'score'"},
      {"id = \"B\"", "id = \"A\"", "'id': duplicate rule id 'A'"},
      {"id = \"B\"", "id = \"\"", "rule #2: 'id'"},
      {"id = \"B\"", "id = \"B,C\"", "rule #2: 'id'"},
      {"id = \"B\"\n", "", "rule #2: 'id': missing"},
      {"name = \"velocity\"\n", "", "rule 'B': 'name': missing"},
      {"window = \"5m\"", "window = \"5x\"", "rule 'B': 'window': bad duration '5x'"},
      {"window = \"5m\"", "window = \"m\"", "rule 'B': 'window': bad duration"},
      {"window = \"5m\"", "window = \"-5m\"", "rule 'B': 'window': bad duration"},
      {"window = \"5m\"", "window = 300", "rule 'B': 'window': must be a string"},
      {"window = \"5m\"", "window = \"0s\"", "rule 'B': 'window': '0s' is out of range"},
      {"window = \"5m\"", "window = \"8d\"", "rule 'B': 'window': '8d' is out of range"},
      {"window = \"180d\"", "window = \"99999999999d\"", "rule 'E': 'window': bad duration"},
      {"max_count = 10", "max_count = 0", "rule 'B': 'max_count'"},
      {"max_count = 10", "max_count = 101", "rule 'B': 'max_count'"},
      {"max_km = 100", "max_km = -3.5", "rule 'C': 'max_km': must be positive"},
      {"max_km = 100", "max_km = \"100\"", "rule 'C': 'max_km': must be a number"},
      {"min_amount = \"50000.00\"", "min_amount = \"50000.001\"", "rule 'A': 'min_amount'"},
      {"min_amount = \"50000.00\"", "min_amount = 50000.0", "rule 'A': 'min_amount'"},
      {"min_amount = \"50000.00\"", "min_amount = \"-1.00\"", "rule 'A': 'min_amount'"},
      {"round_unit = \"1000.00\"", "round_unit = \"0\"", "rule 'D': 'round_unit'"},
      {"start_hour = 0", "start_hour = 25", "rule 'A': 'start_hour'"},
      {"end_hour = 5", "end_hour = 0", "rule 'A': 'end_hour': the hour window is empty"},
      {"end_hour = 5", "end_hour = 5\nwindow = \"1h\"",
       "rule 'A': 'window': unknown key (kind amount_at_night takes min_amount, start_hour, "
       "end_hour)"},
      {"kind = \"foreign_amount\"", "kind = \"foreign_amount\"\nmax_km = 3",
       "rule 'F': 'max_km': unknown key"},
      {"USD = \"58.00\"", "USD = \"abc\"", "[fx]: 'USD': rate 'abc'"},
      {"USD = \"58.00\"", "USD = 58.0", "[fx]: 'USD': must be a string"},
      {"USD = \"58.00\"", "USD = \"0\"", "[fx]: 'USD': rate must be positive"},
      {"USD = \"58.00\"", "USD = \"-58.00\"", "[fx]: 'USD': rate must be positive"},
      {"USD = \"58.00\"", "XYZ = \"58.00\"", "[fx]: 'XYZ': unknown currency"},
      {"USD = \"58.00\"", "PHP = \"1\"", "[fx]: 'PHP': the base currency needs no rate"},
      // 10^6 * 10^(2-0) = 10^8: JPY rates may have at most 8 places.
      {"JPY = \"0.39\"", "JPY = \"0.000000001\"", "[fx]: 'JPY': rate '0.000000001'"},
      {"name = \"test\"", "name = \"\"", "[pack]: 'name': must not be empty"},
      {"name = \"test\"\n", "", "[pack]: 'name': missing"},
      {"home_country = \"PH\"", "home_country = \"PHL\"", "[pack]: 'home_country'"},
      {"base_currency = \"PHP\"", "base_currency = \"XXX\"", "[pack]: 'base_currency'"},
      {"utc_offset_minutes = 480", "utc_offset_minutes = 900", "[pack]: 'utc_offset_minutes'"},
      {"lateness = \"60s\"", "lateness = \"2d\"", "[pack]: 'lateness'"},
      {"lateness = \"60s\"", "lateness_seconds = 60", "[pack]: 'lateness_seconds': unknown key"},
      {"[pack]", "[pakc]", "top level: 'pakc': unknown key"},
      {"[[rule]]\nid = \"A\"", "[[rules]]\nid = \"A\"", "top level: 'rules': unknown key"},
      {"min_amount = \"30000.00\"", "min_amount = \"30000.00\"\n[oops", "TOML syntax"},
  };
  for (const BadPack& c : cases) {
    std::string text = replace(kGoodPack, c.from, c.to);
    auto pack = RulePack::parse(text, "bad.toml");
    ASSERT_FALSE(pack.ok()) << c.to;
    EXPECT_EQ(pack.error().code, Errc::kConfig) << c.to;
    EXPECT_NE(pack.error().message.find(c.message), std::string::npos)
        << "replacing '" << c.from << "' by '" << c.to << "'\n  got: " << pack.error().message
        << "\n want: " << c.message;
    EXPECT_EQ(pack.error().message.rfind("bad.toml", 0), 0u) << pack.error().message;
  }
}

TEST(RulePack, ErrorsGiveTheLine) {
  auto pack = RulePack::parse(replace(kGoodPack, "score = 75", "score = 750"), "bad.toml");
  ASSERT_FALSE(pack.ok());
  EXPECT_NE(pack.error().message.find("bad.toml:28: rule 'B': 'score'"), std::string::npos)
      << pack.error().message;
}

std::string pack_with_rules(int count) {
  std::string text = R"([pack]
name = "many"
home_country = "PH"
base_currency = "PHP"
utc_offset_minutes = 480
lateness = "0s"
)";
  for (int i = 0; i < count; ++i) {
    text += "[[rule]]\nid = \"R" + std::to_string(i) +
            "\"\nname = \"n\"\nkind = \"foreign_amount\"\nscore = 1\nmin_amount = \"1\"\n";
  }
  return text;
}

TEST(RulePack, AtMost64Rules) {
  auto ok = RulePack::parse(pack_with_rules(64));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->rules().size(), 64u);
  EXPECT_EQ(ok->horizon_us(), 0);
  auto bad = RulePack::parse(pack_with_rules(65));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kConfig);
  EXPECT_NE(bad.error().message.find("at most 64 rules, got 65"), std::string::npos)
      << bad.error().message;
  auto none = RulePack::parse(pack_with_rules(0));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no [[rule]]"), std::string::npos);
}

TEST(RulePack, ToBaseConvertsExactly) {
  auto pack = RulePack::parse(kGoodPack);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  auto cur = [](std::string_view code) { return *Currency::from_code(code); };
  struct Case {
    Money money;
    int64_t base;
  };
  const Case cases[] = {
      {{123'456, Currency::php()}, 123'456},      // base passes through
      {{100, cur("USD")}, 5'800},                 // 1.00 USD = 58.00 PHP
      {{86'207, cur("USD")}, 5'000'006},          // 862.07 USD
      {{-100, cur("USD")}, -5'800},               // refunds keep their sign
      {{1, cur("JPY")}, 39},                      // JPY has no minor unit
      {{128'206, cur("JPY")}, 5'000'034},         //
      {{1, cur("KRW")}, 4},                       // 4.2 centavos
      {{3, cur("KRW")}, 13},                      // 12.6
      {{-3, cur("KRW")}, -13},                    // half away from zero, both signs
      {{1'190'477, cur("KRW")}, 5'000'003},       // 5,000,003.4
      {{1, cur("KWD")}, 19},                      // 0.001 KWD = 18.9123 centavos
      {{1'000, cur("KWD")}, 18'912},              // 1 KWD = 189.123 PHP = 18,912.3
      {{5, cur("KWD")}, 95},                      // 94.5615
      {{INT64_MAX / 10, cur("USD")}, INT64_MIN},  // overflow, see below
  };
  for (const Case& c : cases) {
    auto got = pack->to_base(c.money);
    if (c.base == INT64_MIN) {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.error().code, Errc::kBadAmount);
      continue;
    }
    ASSERT_TRUE(got.ok()) << c.money.minor << " " << c.money.currency.code();
    EXPECT_EQ(*got, c.base) << c.money.minor << " " << c.money.currency.code();
  }
  auto unknown = pack->to_base(Money{100, cur("EUR")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Errc::kUnknownCurrency);
  EXPECT_NE(unknown.error().message.find("EUR"), std::string::npos);
}

TEST(RulePack, ToBaseRoundsHalfAwayFromZero) {
  // 0.005 PHP per KRW: every odd amount lands exactly on half a centavo.
  auto pack = RulePack::parse(replace(kGoodPack, "KRW = \"0.042\"", "KRW = \"0.005\""));
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Currency krw = *Currency::from_code("KRW");
  EXPECT_EQ(*pack->to_base(Money{1, krw}), 1);
  EXPECT_EQ(*pack->to_base(Money{-1, krw}), -1);
  EXPECT_EQ(*pack->to_base(Money{2, krw}), 1);
  EXPECT_EQ(*pack->to_base(Money{3, krw}), 2);
  EXPECT_EQ(*pack->to_base(Money{-3, krw}), -2);
}

TEST(RulePack, FiredIds) {
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  EXPECT_EQ(pack->fired_ids(0), "");
  EXPECT_EQ(pack->fired_ids(0b1001), "R001,R004");
  EXPECT_EQ(pack->fired_ids(0b100000), "R006");
  EXPECT_EQ(pack->fired_ids(uint64_t{1} << 40 | 2), "R002");  // bits past the rules: ignored

  char buf[64];
  EXPECT_EQ(pack->fired_ids(0b101010, buf, sizeof buf), 14u);
  EXPECT_STREQ(buf, "R002,R004,R006");
  EXPECT_EQ(pack->fired_ids(0, buf, sizeof buf), 0u);
  EXPECT_STREQ(buf, "");
  // The documented bound: 1 + 6 per rule.
  char exact[1 + 6 * 6];
  EXPECT_EQ(pack->fired_ids(0x3f, exact, sizeof exact), 29u);
  EXPECT_STREQ(exact, "R001,R002,R003,R004,R005,R006");
  // Too small: whole ids only, always NUL-terminated.
  char small[10];
  EXPECT_EQ(pack->fired_ids(0x3f, small, sizeof small), 9u);
  EXPECT_STREQ(small, "R001,R002");
  char tiny[4];
  EXPECT_EQ(pack->fired_ids(0x3f, tiny, sizeof tiny), 0u);
  EXPECT_STREQ(tiny, "");
}

TEST(ParseDuration, UnitsAndErrors) {
  struct Case {
    const char* text;
    int64_t us;
  };
  const Case good[] = {{"0s", 0},
                       {"250ms", 250'000},
                       {"30s", 30 * kMicrosPerSecond},
                       {"5m", 5 * kMicrosPerMinute},
                       {"1h", kMicrosPerHour},
                       {"180d", 180 * kMicrosPerDay},
                       {"106751991d", 106751991 * kMicrosPerDay}};
  for (const Case& c : good) {
    auto got = internal::parse_duration_us(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.error().message;
    EXPECT_EQ(*got, c.us) << c.text;
  }
  const char* bad[] = {"",
                       "5",
                       "m",
                       "5 m",
                       "5M",
                       "1.5h",
                       "-1s",
                       "1h30m",
                       "5min",
                       "106751992d",
                       "99999999999999999999s"};
  for (const char* text : bad) {
    auto got = internal::parse_duration_us(text);
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_EQ(got.error().code, Errc::kConfig);
    EXPECT_NE(got.error().message.find(std::string("'") + text + "'"), std::string::npos);
  }
}

}  // namespace
}  // namespace wf::rules
