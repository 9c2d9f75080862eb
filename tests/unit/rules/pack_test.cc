// RulePack: loading (built-in, file), FX conversion, fired-rule ids, durations, version,
// horizon, and the error report: every error as "ORIGIN:LINE:COLUMN: CONTEXT: message",
// with positions inside rule expressions mapped back to the file.
#include "rules/pack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/time.h"
#include "rules/pack_internal.h"

namespace wf::rules {
namespace {

// Lines 1-9 of every pack below; what a test appends starts on line 10.
constexpr std::string_view kHead = R"([pack]
name = "t"
home_country = "PH"
base_currency = "PHP"
utc_offset_minutes = 480
lateness = "60s"

[fx]
USD = "58.00"
)";

// A rule of five lines; its `when` is the fifth, and the expression text starts at
// column 9 (after `when = "`).
std::string rule(const std::string& id, const std::string& when, int score = 50) {
  return "[[rule]]\nid = \"" + id + "\"\nname = \"n\"\nscore = " + std::to_string(score) +
         "\nwhen = \"" + when + "\"\n";
}

// The whole error report of a pack that must not load.
std::string errors_of(const std::string& text) {
  auto pack = RulePack::parse(text, "t.toml");
  if (pack.ok()) {
    ADD_FAILURE() << "loaded:\n" << text;
    return "";
  }
  EXPECT_EQ(pack.error().code, Errc::kConfig);
  return pack.error().message;
}

// Checks that `message` starts with `prefix` (the position, context and the start of
// the message; long messages go on listing names).
void expect_prefix(const std::string& message, const std::string& prefix) {
  EXPECT_EQ(message.substr(0, prefix.size()), prefix) << "full message:\n" << message;
}

// --- loading ---------------------------------------------------------------------------

TEST(RulePack, ParsesTheHeaderAndRules) {
  std::string text = std::string(kHead) + rule("R1", "amount >= PHP 50000", 85) +
                     "reason = \"{amount} at night\"\n" + rule("R2", "country != home_country");
  auto pack = RulePack::parse(text, "t.toml");
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->name(), "t");
  EXPECT_EQ(pack->home_country(), "PH");
  EXPECT_EQ(pack->base_currency().code(), "PHP");
  EXPECT_EQ(pack->utc_offset_minutes(), 480);
  EXPECT_EQ(pack->lateness_us(), 60 * kMicrosPerSecond);
  ASSERT_EQ(pack->rules().size(), 2u);
  EXPECT_EQ(pack->rules()[0].id, "R1");
  EXPECT_EQ(pack->rules()[0].name, "n");
  EXPECT_EQ(pack->rules()[0].score, 85);
  EXPECT_EQ(pack->rules()[0].when, "amount >= PHP 50000");
  EXPECT_EQ(pack->rules()[0].reason, "{amount} at night");
  EXPECT_EQ(pack->rules()[1].id, "R2");
  EXPECT_EQ(pack->rules()[1].reason, "");
  EXPECT_TRUE(pack->features().empty());
}

TEST(RulePack, BuiltinIsTheShippedFile) {
  auto builtin = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(builtin.ok()) << builtin.error().message;
  auto file = RulePack::load_file(std::string(WF_SOURCE_DIR) + "/config/rules/ph-ewallet.toml");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(builtin->name(), "ph-ewallet");
  EXPECT_EQ(builtin->version(), file->version());
  ASSERT_EQ(builtin->rules().size(), 6u);
  ASSERT_EQ(file->rules().size(), 6u);
  for (size_t i = 0; i < file->rules().size(); ++i) {
    const Rule& a = builtin->rules()[i];
    const Rule& b = file->rules()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.score, b.score);
    EXPECT_EQ(a.when, b.when);
    EXPECT_EQ(a.reason, b.reason);
  }
  EXPECT_EQ(builtin->features(), file->features());
  // The seed's numbers (SPEC section 6).
  EXPECT_EQ(builtin->fired_ids(0x3f), "R001,R002,R003,R004,R005,R006");
  const int scores[] = {85, 75, 90, 40, 70, 65};
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(builtin->rules()[i].score, scores[i]) << i;
  // last_place looks back 10 minutes; plus 60 s lateness. R005's 180d is a comparison,
  // not a window, and is not replayed.
  EXPECT_EQ(builtin->horizon_us(), 11 * kMicrosPerMinute);
  EXPECT_EQ(builtin->lateness_us(), 60 * kMicrosPerSecond);
  // builtin_text is the shipped file, byte for byte.
  std::ifstream in(std::string(WF_SOURCE_DIR) + "/config/rules/ph-ewallet.toml", std::ios::binary);
  std::string shipped((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(shipped.empty());
  EXPECT_EQ(RulePack::builtin_text("ph-ewallet"), shipped);
}

TEST(RulePack, UnknownBuiltinProfileIsNotFound) {
  auto pack = RulePack::builtin("lottery");
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.error().code, Errc::kNotFound);
  EXPECT_NE(pack.error().message.find("'lottery'"), std::string::npos) << pack.error().message;
  EXPECT_TRUE(RulePack::builtin_text("lottery").empty());
}

TEST(RulePack, EveryShippedProfileCompiles) {
  for (const char* profile : {"ph-ewallet", "card", "paysim", "ecommerce"}) {
    auto pack = RulePack::builtin(profile);
    ASSERT_TRUE(pack.ok()) << profile << ": " << pack.error().message;
    EXPECT_EQ(pack->name(), profile);
    EXPECT_GE(pack->rules().size(), 5u) << profile;
  }
}

TEST(RulePack, MissingFileIsIo) {
  auto pack = RulePack::load_file("/nonexistent/rules.toml");
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.error().code, Errc::kIo);
  EXPECT_NE(pack.error().message.find("/nonexistent/rules.toml"), std::string::npos);
}

TEST(RulePack, FileErrorsNameThePath) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("wf_pack_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       ".toml");
  {
    std::ofstream out(path);
    out << kHead << rule("R1", "amount >= PHP 50000", 101);
  }
  auto pack = RulePack::load_file(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.error().code, Errc::kConfig);
  EXPECT_EQ(pack.error().message,
            path.string() + ":13:9: rule R1: 'score': must be an integer in 0..100");
}

// --- FX ---------------------------------------------------------------------------------

constexpr std::string_view kFxPack = R"([pack]
name = "fx"
home_country = "PH"
base_currency = "PHP"
utc_offset_minutes = 480
lateness = "0s"

[fx]
USD = "58.00"
JPY = "0.39"
KRW = "0.042"
KWD = "189.123"

[[rule]]
id = "R1"
name = "n"
score = 1
when = "amount > PHP 1"
)";

TEST(RulePack, ToBaseConvertsExactly) {
  auto pack = RulePack::parse(kFxPack);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  auto cur = [](std::string_view code) { return *Currency::from_code(code); };
  struct Case {
    Money money;
    int64_t base;
  };
  const Case cases[] = {
      {{123'456, Currency::php()}, 123'456},  // base passes through
      {{100, cur("USD")}, 5'800},             // 1.00 USD = 58.00 PHP
      {{86'207, cur("USD")}, 5'000'006},      // 862.07 USD
      {{-100, cur("USD")}, -5'800},           // refunds keep their sign
      {{1, cur("JPY")}, 39},                  // JPY has no minor unit
      {{128'206, cur("JPY")}, 5'000'034},     //
      {{1, cur("KRW")}, 4},                   // 4.2 centavos
      {{3, cur("KRW")}, 13},                  // 12.6
      {{-3, cur("KRW")}, -13},                // both signs
      {{1'190'477, cur("KRW")}, 5'000'003},   // 5,000,003.4
      {{1, cur("KWD")}, 19},                  // 0.001 KWD = 18.9123 centavos
      {{1'000, cur("KWD")}, 18'912},          // 1 KWD = 189.123 PHP = 18,912.3
      {{5, cur("KWD")}, 95},                  // 94.5615
  };
  for (const Case& c : cases) {
    auto got = pack->to_base(c.money);
    ASSERT_TRUE(got.ok()) << c.money.minor << " " << c.money.currency.code();
    EXPECT_EQ(*got, c.base) << c.money.minor << " " << c.money.currency.code();
  }
  auto overflow = pack->to_base(Money{INT64_MAX / 10, cur("USD")});
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.error().code, Errc::kBadAmount);
  auto unknown = pack->to_base(Money{100, cur("EUR")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Errc::kUnknownCurrency);
  EXPECT_NE(unknown.error().message.find("EUR"), std::string::npos);
}

TEST(RulePack, ToBaseRoundsHalfAwayFromZero) {
  // 0.005 PHP per KRW: every odd amount lands exactly on half a centavo.
  std::string text(kFxPack);
  text.replace(text.find("KRW = \"0.042\""), 13, "KRW = \"0.005\"");
  auto pack = RulePack::parse(text);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Currency krw = *Currency::from_code("KRW");
  EXPECT_EQ(*pack->to_base(Money{1, krw}), 1);
  EXPECT_EQ(*pack->to_base(Money{-1, krw}), -1);
  EXPECT_EQ(*pack->to_base(Money{2, krw}), 1);
  EXPECT_EQ(*pack->to_base(Money{3, krw}), 2);
  EXPECT_EQ(*pack->to_base(Money{-3, krw}), -2);
  EXPECT_EQ(*pack->to_base(Money{5, krw}), 3);
  EXPECT_EQ(*pack->to_base(Money{-5, krw}), -3);
}

// --- fired ids, durations, version, horizon ---------------------------------------------

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
    auto got = parse_duration_us(c.text);
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
    auto got = parse_duration_us(text);
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_EQ(got.error().code, Errc::kConfig);
    EXPECT_NE(got.error().message.find(std::string("'") + text + "'"), std::string::npos);
  }
}

TEST(RulePack, VersionHashesTheWholeText) {
  std::string text = std::string(kHead) + rule("R1", "amount >= PHP 50000");
  auto a = RulePack::parse(text, "a.toml");
  auto b = RulePack::parse(text, "b.toml");
  auto c = RulePack::parse(text + "# a comment\n", "a.toml");
  auto d = RulePack::parse(std::string(kHead) + rule("R1", "amount >= PHP 50001"), "a.toml");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_EQ(a->version().size(), 16u);
  EXPECT_EQ(a->version().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a->version(), b->version());
  EXPECT_NE(a->version(), c->version());
  EXPECT_NE(a->version(), d->version());
  EXPECT_NE(c->version(), d->version());
}

TEST(RulePack, HorizonIsTheLongestLookBackPlusLateness) {
  // Lateness 60 s and no windows: just the lateness.
  auto none = RulePack::parse(std::string(kHead) + rule("R1", "ts - 400d < ts"));
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none->horizon_us(), 60 * kMicrosPerSecond);

  // Windows, prev within: and sequential_run within:, wherever they appear.
  std::string text = std::string(kHead) + R"toml([features]
recent = "prev(by: user_id, within: 3h)"
)toml" + rule("R1", "count(by: user_id, window: 2h) > 1") +
                     rule("R2", "recent.amount > PHP 1") +
                     rule("R3", "sequential_run(by: product_id, id: user_id, within: 90m) > 2") +
                     "reason = \"{sum(amount, by: device_id, window: 150m)}\"\n";
  auto pack = RulePack::parse(text);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->horizon_us(), 3 * kMicrosPerHour + 60 * kMicrosPerSecond);

  // The longest one wins, here a 30-day window (the maximum).
  auto month = RulePack::parse(std::string(kHead) +
                               rule("R1", "sum(amount, by: user_id, window: 30d) > PHP 1") +
                               rule("R2", "count(by: user_id, window: 5m) > 3"));
  ASSERT_TRUE(month.ok()) << month.error().message;
  EXPECT_EQ(month->horizon_us(), 30 * kMicrosPerDay + 60 * kMicrosPerSecond);
}

std::string pack_with_rules(int count) {
  std::string text(kHead);
  for (int i = 0; i < count; ++i) text += rule("R" + std::to_string(i), "amount > PHP 1", 1);
  return text;
}

TEST(RulePack, AtMost64Rules) {
  auto ok = RulePack::parse(pack_with_rules(64));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->rules().size(), 64u);
  EXPECT_EQ(ok->fired_ids(uint64_t{1} << 63), "R63");
  // The array starts at the first [[rule]], line 10.
  EXPECT_EQ(errors_of(pack_with_rules(65)), "t.toml:10:1: top level: at most 64 rules, got 65");
  expect_prefix(errors_of(pack_with_rules(0)), "t.toml:1:1: top level: no [[rule]] entries");
}

// --- one test per kind of error -----------------------------------------------------------

TEST(PackErrors, TomlSyntax) {
  // Line 12: `name = = "n"`; the second '=' (column 8) is where a value should start.
  std::string text = std::string(kHead) + "[[rule]]\nid = \"R1\"\nname = = \"n\"\n";
  std::string message = errors_of(text);
  expect_prefix(message, "t.toml:12:8: TOML syntax: ");
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(PackErrors, MissingKeysPointAtTheirTable) {
  // A rule without score nor when: both reported at its [[rule]] header (line 10).
  std::string text = std::string(kHead) + "[[rule]]\nid = \"R1\"\nname = \"n\"\n";
  EXPECT_EQ(errors_of(text),
            "t.toml:10:1: rule R1: 'score': missing\n"
            "t.toml:10:1: rule R1: 'when': missing");
  // A [pack] key.
  std::string no_name(kHead);
  no_name.replace(no_name.find("name = \"t\"\n"), 11, "");
  EXPECT_EQ(errors_of(no_name + rule("R1", "true")), "t.toml:1:1: [pack]: 'name': missing");
}

TEST(PackErrors, UnknownKeys) {
  std::string text = std::string(kHead) + rule("R1", "true") + "descr = \"x\"\n";
  EXPECT_EQ(errors_of(text),
            "t.toml:15:9: rule R1: 'descr': unknown key (a rule has id, name, score, when, "
            "reason)");
  std::string pack_key(kHead);
  pack_key.replace(pack_key.find("lateness"), 8, "latenes");
  // The misspelt key at its value (line 6), the missing one at [pack] (line 1, first).
  EXPECT_EQ(errors_of(pack_key + rule("R1", "true")),
            "t.toml:1:1: [pack]: 'lateness': missing\n"
            "t.toml:6:11: [pack]: 'latenes': unknown key");
  std::string top = std::string(kHead) + "[rules]\nx = 1\n" + rule("R1", "true");
  EXPECT_EQ(errors_of(top), "t.toml:10:1: top level: 'rules': unknown key");
}

TEST(PackErrors, OldFormatKindKeyGetsAHint) {
  std::string text = std::string(kHead) + R"([[rule]]
id = "R002"
name = "velocity_spike"
kind = "velocity"
score = 75
max_count = 10
)";
  const std::string hint =
      " (rules are conditions now: replace 'kind' and its parameters with when = \"...\", see "
      "docs/RULES.md)";
  EXPECT_EQ(errors_of(text),
            "t.toml:10:1: rule R002: 'when': missing\n"
            "t.toml:13:8: rule R002: 'kind': unknown key" +
                hint +
                "\n"
                "t.toml:15:13: rule R002: 'max_count': unknown key" +
                hint);
}

TEST(PackErrors, ScoreOutOfRange) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "true", 101)),
            "t.toml:13:9: rule R1: 'score': must be an integer in 0..100");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "true", -1)),
            "t.toml:13:9: rule R1: 'score': must be an integer in 0..100");
}

TEST(PackErrors, DuplicateRuleId) {
  // The second R1 (lines 15-19): its id value at line 16, column 6.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "true") + rule("R1", "false")),
            "t.toml:16:6: rule R1: 'id': duplicate rule id");
}

TEST(PackErrors, BadRuleId) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R 1", "true")),
            "t.toml:11:6: rule #1: 'id': 'R 1' must be 1-16 characters of A-Z a-z 0-9 _ -");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "true") + rule("ABCDEFGHIJKLMNOPQ", "true")),
            "t.toml:16:6: rule #2: 'id': 'ABCDEFGHIJKLMNOPQ' must be 1-16 characters of A-Z "
            "a-z 0-9 _ -");
}

TEST(PackErrors, ExpressionSyntax) {
  // `amount >= PHP 50000 and and ...`: the second `and` is at offset 24, column 9 + 24.
  EXPECT_EQ(
      errors_of(std::string(kHead) + rule("R1", "amount >= PHP 50000 and and local_hour < 5")),
      "t.toml:14:33: rule R1: expected a value, found 'and'");
  // Ends too early: at the end of the text (23 characters).
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "amount >= PHP 50000 and")),
            "t.toml:14:32: rule R1: expression ends too early");
  // A stray character where a value should be.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "amount >= #5")),
            "t.toml:14:19: rule R1: unexpected character '#'");
  // One that takes several bytes is quoted whole, never cut inside its UTF-8.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "amount >= \u20B15")),
            "t.toml:14:19: rule R1: unexpected character '\u20B1'");
  // A bad duration unit.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "ts - 5x < ts")),
            "t.toml:14:14: rule R1: bad duration '5x' (want an integer and a unit: ms, s, m, h, "
            "d)");
}

TEST(PackErrors, UnknownFieldOnOneLine) {
  expect_prefix(errors_of(std::string(kHead) + rule("R1", "amout >= PHP 5")),
                "t.toml:14:9: rule R1: unknown field or feature 'amout' (fields: ts, ");
  // Escaped quotes take two characters in the file but one in the expression.
  expect_prefix(errors_of(std::string(kHead) + rule("R1", "country != \\\"PH\\\" and contry")),
                "t.toml:14:31: rule R1: unknown field or feature 'contry'");
  // In a reason template: `reason = "` is 10 characters, `{amount} at {` 13 more.
  expect_prefix(
      errors_of(std::string(kHead) + rule("R1", "true") + "reason = \"{amount} at {hourr}h\"\n"),
      "t.toml:15:24: rule R1: unknown field or feature 'hourr'");
}

TEST(PackErrors, UnknownFieldInAMultiLineString) {
  // The newline right after """ is not part of the string; `contry` is on line 16.
  std::string text = std::string(kHead) + R"([[rule]]
id = "R1"
name = "n"
score = 50
when = """
  amount >= PHP 50000
  and contry != 'PH'
  """
)";
  expect_prefix(errors_of(text), "t.toml:16:7: rule R1: unknown field or feature 'contry'");
  // The same in a literal ''' string, with the error on the line of the quotes.
  std::string literal = std::string(kHead) + R"([[rule]]
id = "R1"
name = "n"
score = 50
when = '''amount >= PHP 50000
    and contry != "PH"'''
)";
  expect_prefix(errors_of(literal), "t.toml:15:9: rule R1: unknown field or feature 'contry'");
}

TEST(PackErrors, MoneyAndPlainNumbers) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "amount >= 5000")),
            "t.toml:14:16: rule R1: cannot compare money with a plain number: write the amount "
            "with its currency, like PHP 50000");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "amount + 5 > PHP 1")),
            "t.toml:14:16: rule R1: cannot apply '+' to money and a plain number: write the "
            "amount with its currency, like PHP 1000");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "5 - amount > PHP 1")),
            "t.toml:14:11: rule R1: cannot apply '-' to money and a plain number: write the "
            "amount with its currency, like PHP 1000");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "amount * amount > PHP 1")),
            "t.toml:14:16: rule R1: cannot apply '*' to money and money");
}

TEST(PackErrors, DurationAndPlainNumbers) {
  // `ts - last_seen(by: user_id) > 5`: '>' at offset 28.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "ts - last_seen(by: user_id) > 5")),
            "t.toml:14:37: rule R1: cannot compare a duration with a plain number: write it "
            "with a unit, like 10m");
}

TEST(PackErrors, StringsDoNotOrder) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "country < 'PH'")),
            "t.toml:14:17: rule R1: strings compare only with == and !=");
}

TEST(PackErrors, ConditionMustBeABool) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "amount")),
            "t.toml:14:9: rule R1: the condition must be a bool, got money");
  // Each conjunct of a top-level `and` is checked on its own.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "has_location and local_hour")),
            "t.toml:14:26: rule R1: the condition must be a bool, got integer");
}

TEST(PackErrors, NotNeedsABool) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "not local_hour")),
            "t.toml:14:9: rule R1: 'not' needs a bool, got integer");
}

TEST(PackErrors, BadWindows) {
  // `count(by: user_id, window: ` is 27 characters: the window value is at column 36.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "count(by: user_id, window: 5) > 1")),
            "t.toml:14:36: rule R1: 'window:' must be a duration literal like 5m or 30d");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "count(by: user_id, window: 0s) > 1")),
            "t.toml:14:36: rule R1: 'window:' must be between 1ms and 30d");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "count(by: user_id, window: 31d) > 1")),
            "t.toml:14:36: rule R1: 'window:' must be between 1ms and 30d");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "count(by: user_id, window: 30d) > 1") +
                      rule("R2", "prev(by: user_id, within: 721h).amount > PHP 1")),
            "t.toml:19:35: rule R2: 'within:' must be between 1ms and 30d");
}

TEST(PackErrors, UnknownFunction) {
  expect_prefix(errors_of(std::string(kHead) + rule("R1", "has_location and foo(amount) > 1")),
                "t.toml:14:26: rule R1: unknown function 'foo' (functions: distance_km, abs, ");
}

TEST(PackErrors, WrongArityAndNamedArguments) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "abs(1, 2) > 1")),
            "t.toml:14:9: rule R1: 'abs' takes 1 argument, got 2");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "distance_km(location) > 1")),
            "t.toml:14:9: rule R1: 'distance_km' takes 2 arguments, got 1");
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "abs(x: 1) > 0")),
            "t.toml:14:9: rule R1: 'abs' takes no named arguments ('x:')");
  // `same:` belongs to streak: reported at its value (offset 37).
  EXPECT_EQ(
      errors_of(std::string(kHead) + rule("R1", "count(by: user_id, window: 5m, same: city) > 1")),
      "t.toml:14:46: rule R1: 'count' does not take 'same:'");
  EXPECT_EQ(
      errors_of(std::string(kHead) + rule("R1", "count(amount, by: user_id, window: 5m) > 1")),
      "t.toml:14:15: rule R1: 'count' takes no positional argument here");
  EXPECT_EQ(
      errors_of(std::string(kHead) + rule("R1", "count(by: user_id, by: city, window: 5m) > 1")),
      "t.toml:14:32: rule R1: 'count' does not take 'by:' twice");
}

TEST(PackErrors, MissingBy) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "count(window: 5m) > 1")),
            "t.toml:14:9: rule R1: 'count' needs 'by:' (the key, like by: user_id)");
}

TEST(PackErrors, StatefulFeatureInsideWhere) {
  // The inner count starts at offset 38.
  EXPECT_EQ(errors_of(std::string(kHead) +
                      rule("R1",
                           "count(by: user_id, window: 5m, where: count(by: user_id, window: "
                           "1m) > 1) > 1")),
            "t.toml:14:47: rule R1: 'where:' cannot use the stateful feature 'count'");
}

TEST(PackErrors, StatefulNamedFeatureInsideWhere) {
  // Through a named feature too (the error points into the feature's text).
  std::string text = std::string(kHead) + "[features]\nn5 = \"count(by: user_id, window: 5m)\"\n" +
                     rule("R1", "count(by: user_id, window: 1h, where: n5 > 2) > 1");
  std::string message = errors_of(text);
  EXPECT_NE(message.find(": 'where:' cannot use the stateful feature 'count'"), std::string::npos)
      << message;
}

TEST(PackErrors, FeatureReferringToItself) {
  std::string text =
      std::string(kHead) + "[features]\nloop = \"loop + 1\"\n" + rule("R1", "loop > 1");
  EXPECT_EQ(errors_of(text), "t.toml:11:9: feature loop: feature 'loop' refers to itself");
}

TEST(PackErrors, UnusedFeatureIsStillChecked) {
  std::string text = std::string(kHead) + "[features]\nunused = \"amout > PHP 5\"\n" +
                     rule("R1", "amount > PHP 5");
  std::string message = errors_of(text);
  expect_prefix(message, "t.toml:11:11: feature unused: unknown field or feature 'amout'");
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(PackErrors, MoneyWithoutAnFxRate) {
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "amount > EUR 100")),
            "t.toml:14:18: rule R1: no rate for EUR in [fx]: amounts are compared in PHP");
  // USD has a rate: fine.
  auto ok = RulePack::parse(std::string(kHead) + rule("R1", "amount > USD 100"));
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

TEST(PackErrors, EveryErrorIsReportedInLineOrder) {
  std::string text(kHead);
  text.replace(text.find("utc_offset_minutes = 480"), 24, "utc_offset_minutes = 900");  // line 5
  text.replace(text.find("USD = \"58.00\""), 13, "USD = \"abc\"");                      // line 9
  text += rule("R1", "amout > PHP 5");  // line 14, found by the compiler after parsing
  text += rule("R2", "true", 101);      // line 18
  text += rule("R3", "count(by: user_id, window: 31d) > 1");  // line 24
  std::string message = errors_of(text);
  std::vector<std::string> lines;
  for (size_t at = 0; at <= message.size();) {
    size_t end = std::min(message.find('\n', at), message.size());
    lines.push_back(message.substr(at, end - at));
    at = end + 1;
  }
  ASSERT_EQ(lines.size(), 5u) << message;
  EXPECT_EQ(lines[0], "t.toml:5:22: [pack]: 'utc_offset_minutes': must be an integer in -720..840");
  EXPECT_EQ(lines[1],
            "t.toml:9:7: [fx]: 'USD': rate 'abc' must be positive exact decimal text with at most "
            "6 places");
  expect_prefix(lines[2], "t.toml:14:9: rule R1: unknown field or feature 'amout' (fields: ");
  EXPECT_EQ(lines[3], "t.toml:18:9: rule R2: 'score': must be an integer in 0..100");
  EXPECT_EQ(lines[4], "t.toml:24:36: rule R3: 'window:' must be between 1ms and 30d");
}

}  // namespace
}  // namespace wf::rules

namespace wf::rules {
namespace {

TEST(PackErrors, PrevIsNotAValue) {
  // exists(prev(...)) would test nothing: the event record itself is not a value.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "exists(prev(by: user_id))")),
            "t.toml:14:16: rule R1: prev(...) is an event, not a value: use a member like "
            "prev(...).ts");
  // Its members are.
  EXPECT_TRUE(
      RulePack::parse(std::string(kHead) + rule("R1", "exists(prev(by: user_id).ts)"), "t.toml")
          .ok());
}

TEST(PackErrors, CountBeyondTheWindowCapacity) {
  // window_events defaults to 32: a count holds at most 32 kept times plus this event.
  EXPECT_EQ(errors_of(std::string(kHead) + rule("R1", "count(by: user_id, window: 1h) > 33")),
            "t.toml:14:40: rule R1: this count can never be reached: a window keeps at most 32 "
            "events per key; raise [state] window_events (up to 255)");
  EXPECT_TRUE(RulePack::parse(
                  std::string(kHead) + rule("R1", "count(by: user_id, window: 1h) > 32"), "t.toml")
                  .ok());
  EXPECT_EQ(errors_of(std::string(kHead) +
                      rule("R1", "count(by: user_id, window: 1h, prior: true) > 32")),
            "t.toml:14:53: rule R1: this count can never be reached: a window keeps at most 32 "
            "events per key; raise [state] window_events (up to 255)");
}

TEST(PackErrors, MinWithoutBySaysSo) {
  expect_prefix(errors_of(std::string(kHead) + rule("R1", "min(amount, window: 1h) > PHP 1")),
                "t.toml:14:9: rule R1: 'min' takes no named arguments ('window:'); as a "
                "windowed feature it needs 'by:'");
}

TEST(PackErrors, FeatureNamedLikeTheAmountAlias) {
  expect_prefix(errors_of(std::string(kHead) + "[features]\namount_php = \"amount * 2\"\n" +
                          rule("R1", "amount > PHP 1")),
                "t.toml:11:15: feature amount_php: feature 'amount_php' has the name of an "
                "event field");
}

TEST(RulePack, NegativeNumbersInLists) {
  EXPECT_TRUE(
      RulePack::parse(std::string(kHead) + rule("R1", "quantity in [-1, 2] or lat in [-7.5, 3]"),
                      "t.toml")
          .ok());
}

}  // namespace
}  // namespace wf::rules
