// The rule language as the Engine runs it: each test builds a pack of one rule from a
// `when` (and usually a reason that shows values), feeds it events, and checks what fired
// and what the reason says. Also the Engine's contract: scoring, observe(), expiry and
// extreme inputs.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/time.h"
#include "rules/engine.h"
#include "rules/pack.h"
#include "rules/program.h"

// Events are written with designated initializers naming only the fields that matter.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wf::rules {
namespace {

constexpr int64_t kS = kMicrosPerSecond;
constexpr int64_t kMin = kMicrosPerMinute;
constexpr int64_t kH = kMicrosPerHour;
constexpr int64_t kD = kMicrosPerDay;

// 2026-11-25T12:00:00+08:00, a Wednesday.
const Instant kT0 = *parse_rfc3339("2026-11-25T12:00:00+08:00");

constexpr double kManilaLat = 14.5995, kManilaLon = 120.9842;
constexpr double kCebuLat = 10.3157, kCebuLon = 123.8854;

// One event; `at` is relative to kT0, `amount` in PHP minor units.
struct Ev {
  int64_t at = 0;
  int64_t amount = 10'000;
  uint32_t user = 0;
  std::string user_id;  // empty: "u" + user
  std::string country = "PH";
  std::string city;
  std::string product;
  std::string merchant;
  std::string device;
  int64_t quantity = 0;
  bool located = false;
  double lat = 0;
  double lon = 0;
  domain::TxType type = domain::TxType::kPayment;
};

std::string pack_text(const std::string& rules, const std::string& extra = "") {
  return R"([pack]
name = "lang"
home_country = "PH"
base_currency = "PHP"
utc_offset_minutes = 480
lateness = "60s"

[fx]
USD = "58.00"

)" + extra +
         "\n" + rules;
}

std::string rule_text(const std::string& id, const std::string& when, const std::string& reason,
                      int score = 50) {
  std::string out = "[[rule]]\nid = \"" + id + "\"\nname = \"rule_" + id +
                    "\"\nscore = " + std::to_string(score) + "\nwhen = '''" + when + "'''\n";
  if (!reason.empty()) out += "reason = '''" + reason + "'''\n";
  return out;
}

// Scores `e` with `engine`; the reasons text, or "-" when nothing fired.
std::string score(Engine& engine, const Ev& e, domain::Decision* decision = nullptr,
                  bool observe = false) {
  const RulePack& pack = engine.pack();
  domain::Transaction tx;
  const std::string user_id = e.user_id.empty() ? "u" + std::to_string(e.user) : e.user_id;
  tx.event_ts = kT0 + e.at;
  tx.user_id = user_id;
  tx.amount = Money{e.amount, Currency::php()};
  tx.country = e.country;
  tx.city = e.city;
  tx.product_id = e.product;
  tx.merchant_id = e.merchant;
  tx.device_id = e.device;
  tx.quantity = e.quantity;
  tx.type = e.type;
  tx.has_location = e.located;
  tx.lat = e.lat;
  tx.lon = e.lon;
  Event f;
  f.tx = &tx;
  f.user = e.user;
  f.amount = e.amount;
  f.local_hour = local_hour(tx.event_ts, pack.utc_offset_minutes());
  f.weekday = local_weekday(tx.event_ts, pack.utc_offset_minutes());
  f.has_location = e.located;
  if (observe) {
    engine.observe(f);
    return "";
  }
  std::string reasons = "-";
  domain::Decision d = engine.evaluate(f, &reasons);
  if (decision) *decision = d;
  EXPECT_EQ(d.rules_fired == 0, reasons == "-") << reasons;
  return reasons;
}

// A pack of one rule "T" (score 50) and an engine running it.
class Lang {
 public:
  explicit Lang(const std::string& when, const std::string& reason = "",
                const std::string& extra = "") {
    auto pack = RulePack::parse(pack_text(rule_text("T", when, reason), extra), "lang.toml");
    if (!pack.ok()) {
      ADD_FAILURE() << "when = " << when << "\nreason = " << reason << "\n" << pack.error().message;
      return;
    }
    pack_.emplace(std::move(*pack));
    engine_.emplace(*pack_);
  }

  // "T: reason" when the rule fired, "-" when not.
  std::string operator()(const Ev& e) {
    if (!engine_) return "<no pack>";
    return score(*engine_, e);
  }
  // Whether the rule fired.
  bool fires(const Ev& e) { return (*this)(e) != "-"; }

  Engine& engine() { return *engine_; }
  const RulePack& pack() const { return *pack_; }

 private:
  std::optional<RulePack> pack_;
  std::optional<Engine> engine_;
};

// A rule that always fires and shows `expr` (or a whole reason template, when it has
// braces): the value of `expr` for each event.
class Probe {
 public:
  explicit Probe(const std::string& expr, const std::string& extra = "")
      : lang_("true", expr.find('{') == std::string::npos ? "{" + expr + "}" : expr, extra) {}
  std::string operator()(const Ev& e = {}) {
    std::string r = lang_(e);
    if (r.rfind("T: ", 0) != 0) {
      ADD_FAILURE() << r;
      return r;
    }
    return r.substr(3);
  }
  Engine& engine() { return lang_.engine(); }

 private:
  Lang lang_;
};

// The value of a stateless expression for one default event.
std::string value_of(const std::string& expr, const Ev& e = {}) { return Probe(expr)(e); }

// --- expressions --------------------------------------------------------------------------

TEST(Language, Arithmetic) {
  EXPECT_EQ(value_of("1 + 2 * 3"), "7");
  EXPECT_EQ(value_of("(1 + 2) * 3"), "9");
  EXPECT_EQ(value_of("10 - 2 - 3"), "5");  // left to right
  EXPECT_EQ(value_of("7 / 2"), "3.5");     // integer division gives a number
  EXPECT_EQ(value_of("7 % 3"), "1");
  EXPECT_EQ(value_of("-(2 - 5)"), "3");
  EXPECT_EQ(value_of("1 / 3"), "0.33");
  EXPECT_EQ(value_of("2.5 * 2"), "5");
  EXPECT_EQ(value_of("0.1 + 0.2"), "0.3");
  EXPECT_EQ(value_of("7.5 % 2"), "1.5");
  EXPECT_EQ(value_of("1_000 + 1"), "1001");
  // Division by zero is missing, not a crash nor infinity.
  EXPECT_EQ(value_of("1 / 0"), "n/a");
  EXPECT_EQ(value_of("7 % 0"), "n/a");
  EXPECT_EQ(value_of("PHP 1 / 0"), "n/a");
  EXPECT_EQ(value_of("1 / 0 + 1"), "n/a");
}

TEST(Language, MoneyIsExactAndRoundsHalfAwayFromZero) {
  Ev e{.amount = 12'345};  // PHP 123.45
  EXPECT_EQ(value_of("amount", e), "PHP 123.45");
  EXPECT_EQ(value_of("amount_php", e), "PHP 123.45");
  EXPECT_EQ(value_of("amount * 2", e), "PHP 246.90");
  EXPECT_EQ(value_of("2 * amount", e), "PHP 246.90");
  EXPECT_EQ(value_of("amount + PHP 0.01", e), "PHP 123.46");
  EXPECT_EQ(value_of("amount - PHP 200", e), "PHP -76.55");
  EXPECT_EQ(value_of("amount / 2", e), "PHP 61.73");  // 61.725 -> 61.73
  EXPECT_EQ(value_of("-amount / 2", e), "PHP -61.73");
  EXPECT_EQ(value_of("PHP 0.05 * 0.5"), "PHP 0.03");
  EXPECT_EQ(value_of("-PHP 0.05 * 0.5"), "PHP -0.03");
  EXPECT_EQ(value_of("PHP 10 / 3"), "PHP 3.33");
  EXPECT_EQ(value_of("PHP 10 / PHP 4"), "2.5");  // a ratio of money is a number
  EXPECT_EQ(value_of("PHP 1_000.50"), "PHP 1000.50");
  EXPECT_EQ(value_of("PHP 50000"), "PHP 50000.00");
  EXPECT_EQ(value_of("USD 1.50"), "PHP 87.00");  // foreign literals at the pack's rate
  EXPECT_TRUE(Lang("amount >= USD 100")(Ev{.amount = 580'000}) != "-");
  EXPECT_EQ(Lang("amount >= USD 100")(Ev{.amount = 579'999}), "-");
}

TEST(Language, MinMaxAbsRound) {
  EXPECT_EQ(value_of("min(3, 5)"), "3");
  EXPECT_EQ(value_of("max(3, 5)"), "5");
  EXPECT_EQ(value_of("min(2, 2.5)"), "2");
  EXPECT_EQ(value_of("max(2, 2.5)"), "2.5");
  EXPECT_EQ(value_of("max(PHP 1, amount)", Ev{.amount = 12'345}), "PHP 123.45");
  EXPECT_EQ(value_of("min(PHP 1, amount)", Ev{.amount = 12'345}), "PHP 1.00");
  EXPECT_EQ(value_of("min(5m, 90s)"), "1 min 30 s");
  EXPECT_EQ(value_of("abs(-2.5)"), "2.5");
  EXPECT_EQ(value_of("abs(-7)"), "7");
  EXPECT_EQ(value_of("abs(PHP 5 - PHP 7.25)"), "PHP 2.25");
  EXPECT_EQ(value_of("abs(-5m)"), "5 min");
  EXPECT_EQ(value_of("round(2.5)"), "3");
  EXPECT_EQ(value_of("round(-2.5)"), "-3");
  EXPECT_EQ(value_of("round(2.49)"), "2");
}

TEST(Language, ReasonFormatting) {
  // Durations.
  EXPECT_EQ(value_of("401s"), "6 min 41 s");
  EXPECT_EQ(value_of("5m"), "5 min");
  EXPECT_EQ(value_of("45s"), "45 s");
  EXPECT_EQ(value_of("250ms"), "250 ms");
  EXPECT_EQ(value_of("2h + 5m"), "2 h 5 min");
  EXPECT_EQ(value_of("3d + 1h"), "3 d 1 h");
  EXPECT_EQ(value_of("-90s"), "-1 min 30 s");
  EXPECT_EQ(value_of("10m / 4"), "2 min 30 s");
  EXPECT_EQ(value_of("10m / 4m"), "2.5");
  EXPECT_EQ(value_of("ts - (ts - 90m)"), "1 h 30 min");
  // Numbers: two decimals at most, trailing zeros trimmed.
  EXPECT_EQ(value_of("100.0"), "100");
  EXPECT_EQ(value_of("12.50"), "12.5");
  EXPECT_EQ(value_of("2 / 3"), "0.67");
  // Money with all its decimals.
  EXPECT_EQ(value_of("amount", Ev{.amount = 5'000'000}), "PHP 50000.00");
  // Other values.
  EXPECT_EQ(value_of("1 < 2"), "true");
  EXPECT_EQ(value_of("country"), "PH");
  EXPECT_EQ(value_of("home_country"), "PH");
  EXPECT_EQ(value_of("ts"), "2026-11-25T04:00:00.000000Z");
  EXPECT_EQ(value_of("local_hour"), "12");
  EXPECT_EQ(value_of("weekday"), "2");  // Wednesday
  EXPECT_EQ(value_of("location", Ev{.located = true, .lat = kManilaLat, .lon = kManilaLon}),
            "14.5995,120.9842");
  EXPECT_EQ(value_of("location"), "n/a");
  EXPECT_EQ(value_of("type", Ev{.type = domain::TxType::kCashOut}), "cash_out");
  // Literal text around values, and doubled braces.
  EXPECT_EQ(Lang("true", "{{x}} = {1 + 1}, done")(Ev{}), "T: {x} = 2, done");
  // No reason: the rule's name.
  EXPECT_EQ(Lang("true")(Ev{}), "T: rule_T");
}

TEST(Language, ReasonsOfSeveralRulesInPackOrder) {
  auto pack = RulePack::parse(pack_text(rule_text("A", "amount > PHP 1", "big {amount}", 10) +
                                        rule_text("B", "false", "never", 90) +
                                        rule_text("C", "country == 'JP'", "", 70)));
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Engine engine(*pack);
  domain::Decision d;
  EXPECT_EQ(score(engine, Ev{.country = "JP"}, &d), "A: big PHP 100.00; C: rule_C");
  EXPECT_EQ(d.rules_fired, 0b101u);
  EXPECT_EQ(d.score, 70);
  EXPECT_EQ(d.top_rule, 2);
}

// --- three-valued logic -------------------------------------------------------------------

TEST(Language, MissingValuesNeverFire) {
  Lang foreign("country != 'PH'");
  EXPECT_FALSE(foreign.fires(Ev{.country = ""}));
  EXPECT_TRUE(foreign.fires(Ev{.country = "JP"}));
  EXPECT_FALSE(foreign.fires(Ev{.country = "PH"}));
  Lang home("country != home_country");
  EXPECT_FALSE(home.fires(Ev{.country = ""}));
  EXPECT_TRUE(home.fires(Ev{.country = "SG"}));
  // not(missing) is missing.
  Lang negated("not (country == 'PH')");
  EXPECT_FALSE(negated.fires(Ev{.country = ""}));
  EXPECT_TRUE(negated.fires(Ev{.country = "JP"}));
  // A bool compared with a missing bool is missing.
  EXPECT_FALSE(Lang("(country == 'JP') == false").fires(Ev{.country = ""}));
  EXPECT_TRUE(Lang("(country == 'JP') == false").fires(Ev{.country = "PH"}));
}

TEST(Language, OrAndNotWithMissing) {
  // true or missing = true; false or missing = missing.
  Lang either("country == 'JP' or amount > PHP 50");
  EXPECT_TRUE(either.fires(Ev{.amount = 10'000, .country = ""}));
  EXPECT_FALSE(either.fires(Ev{.amount = 1'000, .country = ""}));
  EXPECT_TRUE(either.fires(Ev{.amount = 1'000, .country = "JP"}));
  // false and missing = false, so its negation fires; true and missing = missing.
  Lang nand("not (country == 'JP' and amount > PHP 50)");
  EXPECT_TRUE(nand.fires(Ev{.amount = 1'000, .country = ""}));
  EXPECT_FALSE(nand.fires(Ev{.amount = 10'000, .country = ""}));
  EXPECT_FALSE(nand.fires(Ev{.amount = 10'000, .country = "JP"}));
  EXPECT_TRUE(nand.fires(Ev{.amount = 10'000, .country = "PH"}));
  // The values themselves.
  Ev missing{.amount = 10'000, .country = ""};
  EXPECT_EQ(value_of("country == 'JP' or amount > PHP 50", missing), "true");
  EXPECT_EQ(value_of("country == 'JP' or amount > PHP 500", missing), "n/a");
  EXPECT_EQ(value_of("country == 'JP' and amount > PHP 50", missing), "n/a");
  EXPECT_EQ(value_of("country == 'JP' and amount > PHP 500", missing), "false");
  EXPECT_EQ(value_of("amount > PHP 500 and country == 'JP'", missing), "false");
  EXPECT_EQ(value_of("not (country == 'JP')", missing), "n/a");
  EXPECT_EQ(value_of("exists(country)", missing), "false");
  EXPECT_EQ(value_of("exists(country)"), "true");
  EXPECT_EQ(value_of("coalesce(country, 'none')", missing), "none");
  EXPECT_EQ(value_of("coalesce(country, 'none')"), "PH");
  EXPECT_EQ(value_of("coalesce(lat, 0)"), "0");
}

// --- membership and functions -------------------------------------------------------------

TEST(Language, InLists) {
  Lang types("type in ['cash_out', 'transfer']");
  EXPECT_TRUE(types.fires(Ev{.type = domain::TxType::kCashOut}));
  EXPECT_TRUE(types.fires(Ev{.type = domain::TxType::kTransfer}));
  EXPECT_FALSE(types.fires(Ev{.type = domain::TxType::kPayment}));
  Lang hours("local_hour in [0, 1, 2]");
  EXPECT_TRUE(hours.fires(Ev{.at = -10 * kH - 30 * kMin}));  // 01:30 local
  EXPECT_FALSE(hours.fires(Ev{.at = -9 * kH}));              // 03:00
  Lang not_in("quantity not in [1, 2]");
  EXPECT_TRUE(not_in.fires(Ev{.quantity = 3}));
  EXPECT_FALSE(not_in.fires(Ev{.quantity = 2}));
  // An integer against numbers compares as a number.
  Lang mixed("quantity in [1.5, 2]");
  EXPECT_TRUE(mixed.fires(Ev{.quantity = 2}));
  EXPECT_FALSE(mixed.fires(Ev{.quantity = 1}));
  Lang lat("lat in [14.5, 15]");
  EXPECT_TRUE(lat.fires(Ev{.located = true, .lat = 15, .lon = 120}));
  EXPECT_FALSE(lat.fires(Ev{.located = true, .lat = 14, .lon = 120}));
  EXPECT_FALSE(lat.fires(Ev{}));  // no location: missing
  Lang money("amount in [PHP 100, PHP 200.50]");
  EXPECT_TRUE(money.fires(Ev{.amount = 10'000}));
  EXPECT_TRUE(money.fires(Ev{.amount = 20'050}));
  EXPECT_FALSE(money.fires(Ev{.amount = 20'000}));
  // A missing value is in no list, and not outside any either.
  EXPECT_FALSE(Lang("country in ['PH', 'SG']").fires(Ev{.country = ""}));
  EXPECT_FALSE(Lang("country not in ['PH']").fires(Ev{.country = ""}));
  EXPECT_TRUE(Lang("country not in ['PH']").fires(Ev{.country = "JP"}));
}

TEST(Language, IsRound) {
  for (const char* when : {"is_round(amount, PHP 1000)", "is_round(amount, 1000)"}) {
    Lang round(when);
    EXPECT_TRUE(round.fires(Ev{.amount = 5'000'000})) << when;
    EXPECT_TRUE(round.fires(Ev{.amount = 100'000})) << when;
    EXPECT_FALSE(round.fires(Ev{.amount = 5'000'050})) << when;
    EXPECT_FALSE(round.fires(Ev{.amount = 50'000})) << when;
  }
  Lang half("is_round(amount, 0.5)");  // PHP 0.50
  EXPECT_TRUE(half.fires(Ev{.amount = 12'350}));
  EXPECT_FALSE(half.fires(Ev{.amount = 12'345}));
}

TEST(Language, DaysSince) {
  EXPECT_EQ(value_of("days_since(ts - 36h)"), "1.5");
  EXPECT_EQ(value_of("days_since(ts + 12h)"), "-0.5");
  Probe dormant("round(days_since(last_seen(by: user_id)))");
  dormant.engine().ensure_user(0, kT0 - 200 * kD);
  dormant.engine().ensure_user(1, 0);
  EXPECT_EQ(dormant(Ev{.user = 0}), "200");
  EXPECT_EQ(dormant(Ev{.at = kD, .user = 0}), "1");  // since the event before
  EXPECT_EQ(dormant(Ev{.user = 1}), "n/a");          // never active
}

TEST(Language, ValidGeo) {
  Probe geo("valid_geo(lat, lon)");
  EXPECT_EQ(geo(Ev{.located = true, .lat = kManilaLat, .lon = kManilaLon}), "true");
  EXPECT_EQ(geo(Ev{.located = true, .lat = 91, .lon = 0}), "false");
  EXPECT_EQ(geo(Ev{.located = true, .lat = 0, .lon = -180.5}), "false");
  EXPECT_EQ(geo(Ev{.located = true, .lat = -90, .lon = 180}), "true");
  EXPECT_EQ(geo(Ev{}), "n/a");  // no coordinates: unknown, so `not valid_geo` does not fire
  EXPECT_EQ(value_of("valid_geo(10, 200)"), "false");
  EXPECT_EQ(value_of("valid_geo(10, 20)"), "true");
}

TEST(Language, DistanceKm) {
  Ev manila{.located = true, .lat = kManilaLat, .lon = kManilaLon};
  EXPECT_EQ(value_of("distance_km(location, location(10.3157, 123.8854))", manila), "571.03");
  EXPECT_EQ(value_of("round(distance_km(location(0, 179.5), location(0, -179.5)))"), "111");
  EXPECT_EQ(value_of("distance_km(location, location(0, 0))"), "n/a");  // no location
  // The fused `distance_km(...) > constant` agrees with the distance around the boundary:
  // due north of Manila, 15.4988 is 99.998 km away and 15.4989 is 100.009 km.
  Lang far("distance_km(location, location(14.5995, 120.9842)) > 100");
  EXPECT_FALSE(far.fires(Ev{.located = true, .lat = 15.4988, .lon = kManilaLon}));
  EXPECT_TRUE(far.fires(Ev{.located = true, .lat = 15.4989, .lon = kManilaLon}));
  EXPECT_FALSE(far.fires(Ev{}));
}

TEST(DistanceKm, Haversine) {
  EXPECT_DOUBLE_EQ(distance_km(kManilaLat, kManilaLon, kManilaLat, kManilaLon), 0.0);
  // One degree of a meridian on a 6371.0088 km sphere.
  EXPECT_NEAR(distance_km(0, 0, 1, 0), 111.19508, 1e-4);
  EXPECT_NEAR(distance_km(0, 179.5, 0, -179.5), 111.19508, 1e-4);  // across the antimeridian
  EXPECT_NEAR(distance_km(90, 0, -90, 0), 3.14159265358979 * 6371.0088, 1e-6);
  EXPECT_NEAR(distance_km(kManilaLat, kManilaLon, kCebuLat, kCebuLon), 571.026, 1e-3);
  EXPECT_NEAR(distance_km(kCebuLat, kCebuLon, kManilaLat, kManilaLon), 571.026, 1e-3);
}

// --- windowed features --------------------------------------------------------------------

TEST(Language, CountWithWhereAndPrior) {
  Probe count(
      "{count(by: user_id, window: 5m, where: amount >= PHP 100)}/"
      "{count(by: user_id, window: 5m, prior: true)}");
  EXPECT_EQ(count(Ev{.at = 0, .amount = 10'000}), "1/0");
  EXPECT_EQ(count(Ev{.at = 1 * kMin, .amount = 5'000}), "1/1");  // filtered out itself
  EXPECT_EQ(count(Ev{.at = 2 * kMin, .amount = 20'000}), "2/2");
  EXPECT_EQ(count(Ev{.at = 2 * kMin, .user = 1}), "1/0");  // users are apart
  // 6m30s: back to 1m30s, which leaves the 2m event (it passes the filter).
  EXPECT_EQ(count(Ev{.at = 6 * kMin + 30 * kS, .amount = 10'000}), "2/1");
  EXPECT_EQ(count(Ev{.at = 6 * kMin + 30 * kS, .amount = 100}), "2/2");
}

TEST(Language, WindowBoundaries) {
  Probe count("count(by: user_id, window: 5m)");
  // The window includes its start: an event exactly 5 minutes back counts.
  EXPECT_EQ(count(Ev{.at = 0, .user = 0}), "1");
  EXPECT_EQ(count(Ev{.at = 5 * kMin, .user = 0}), "2");
  // One millisecond more and it does not.
  EXPECT_EQ(count(Ev{.at = 0, .user = 1}), "1");
  EXPECT_EQ(count(Ev{.at = 5 * kMin + 1000, .user = 1}), "1");
  // Times are kept to the millisecond: 999 microseconds more is still the same one.
  EXPECT_EQ(count(Ev{.at = 0, .user = 2}), "1");
  EXPECT_EQ(count(Ev{.at = 5 * kMin + 999, .user = 2}), "2");
}

TEST(Language, SumAvgMinMaxStddevOfAmount) {
  Probe agg(
      "{sum(amount, by: user_id, window: 1h)} {avg(amount, by: user_id, window: 1h)} "
      "{min(amount, by: user_id, window: 1h)} {max(amount, by: user_id, window: 1h)} "
      "{stddev(amount, by: user_id, window: 1h)}");
  EXPECT_EQ(agg(Ev{.at = 0, .amount = 10'000}),
            "PHP 100.00 PHP 100.00 PHP 100.00 PHP 100.00 PHP 0.00");
  EXPECT_EQ(agg(Ev{.at = 10 * kMin, .amount = 20'050}),
            "PHP 300.50 PHP 150.25 PHP 100.00 PHP 200.50 PHP 50.25");
  // avg 10798.33.. and stddev 7250.05.. centavos.
  EXPECT_EQ(agg(Ev{.at = 20 * kMin, .amount = 2'345}),
            "PHP 323.95 PHP 107.98 PHP 23.45 PHP 200.50 PHP 72.50");
  // At 1h15m only the 20m event is in the window: {2345, 100}, mean 1222.5 and
  // deviation 1122.5 centavos, both rounded half away from zero.
  EXPECT_EQ(agg(Ev{.at = 75 * kMin, .amount = 100}),
            "PHP 24.45 PHP 12.23 PHP 1.00 PHP 23.45 PHP 11.23");
  // Another user has nothing in the window yet.
  EXPECT_EQ(agg(Ev{.at = 75 * kMin, .amount = 100, .user = 1}),
            "PHP 1.00 PHP 1.00 PHP 1.00 PHP 1.00 PHP 0.00");
}

TEST(Language, AggregatesOfNumbersAndEmptyWindows) {
  Probe q(
      "{avg(quantity, by: user_id, window: 1h)} {sum(quantity, by: user_id, window: 1h)} "
      "{max(quantity, by: user_id, window: 1h, prior: true)} "
      "{sum(amount, by: user_id, window: 1h, prior: true)}");
  EXPECT_EQ(q(Ev{.at = 0, .quantity = 2}), "2 2 n/a PHP 0.00");
  EXPECT_EQ(q(Ev{.at = kMin, .quantity = 3}), "2.5 5 2 PHP 100.00");
}

TEST(Language, DistinctCount) {
  Probe devices("distinct_count(device_id, by: user_id, window: 1h)");
  EXPECT_EQ(devices(Ev{.at = 0, .device = "a"}), "1");
  EXPECT_EQ(devices(Ev{.at = kMin, .device = "b"}), "2");
  EXPECT_EQ(devices(Ev{.at = 2 * kMin, .device = "a"}), "2");
  EXPECT_EQ(devices(Ev{.at = 3 * kMin, .device = ""}), "2");  // missing is not a value
  EXPECT_EQ(devices(Ev{.at = 4 * kMin, .device = "c"}), "3");
  EXPECT_EQ(devices(Ev{.at = 4 * kMin, .user = 1, .device = "a"}), "1");
  // 1h01m30s: back to 1m30s, leaving a (at 2m), c (at 4m) and this d.
  EXPECT_EQ(devices(Ev{.at = kH + 90 * kS, .device = "d"}), "3");
}

TEST(Language, LateEventsAreCountedInWindows) {
  Probe count("count(by: user_id, window: 5m)");
  EXPECT_EQ(count(Ev{.at = 0}), "1");
  EXPECT_EQ(count(Ev{.at = 2 * kMin}), "2");
  // Arrives after the 2m event but happened at 1m: counts the 0 event and itself.
  EXPECT_EQ(count(Ev{.at = 1 * kMin}), "2");
  // All three are in the window of the next one.
  EXPECT_EQ(count(Ev{.at = 3 * kMin}), "4");
  // 5m30s: the 0 event is out, the late one (1m) still in.
  EXPECT_EQ(count(Ev{.at = 5 * kMin + 30 * kS}), "4");
}

TEST(Language, WindowEventsCapacityIsHonoured) {
  Probe count("{count(by: user_id, window: 1h)} {sum(amount, by: user_id, window: 1h)}",
              "[state]\nwindow_events = 3\n");
  const char* want[] = {"1 PHP 1.00", "2 PHP 3.00", "3 PHP 6.00", "4 PHP 10.00",
                        "4 PHP 14.00"};  // the newest 3 kept, plus the event itself
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(count(Ev{.at = i * kMin, .amount = 100 * (i + 1)}), want[i]) << i;
  }
  // A late event older than every kept one: only itself.
  EXPECT_EQ(count(Ev{.at = 0, .amount = 100}), "1 PHP 1.00");
}

// --- prev, last_seen, streak, sequential_run ----------------------------------------------

TEST(Language, PrevMembersAndWithin) {
  Probe prev("{last.city}|{last.amount}|{last.age}|{last.location}|{ts - last.ts}",
             "[features]\nlast = \"prev(by: user_id, where: has_location, within: 10m)\"\n");
  EXPECT_EQ(prev(Ev{.at = 0,
                    .amount = 10'000,
                    .city = "Manila",
                    .located = true,
                    .lat = kManilaLat,
                    .lon = kManilaLon}),
            "n/a|n/a|n/a|n/a|n/a");
  // Without a location: not a candidate for `last`, and sees the Manila event.
  EXPECT_EQ(prev(Ev{.at = 3 * kMin, .amount = 20'000, .city = "X"}),
            "Manila|PHP 100.00|3 min|14.5995,120.9842|3 min");
  EXPECT_EQ(prev(Ev{.at = 6 * kMin + 41 * kS,
                    .city = "Cebu",
                    .located = true,
                    .lat = kCebuLat,
                    .lon = kCebuLon}),
            "Manila|PHP 100.00|6 min 41 s|14.5995,120.9842|6 min 41 s");
  // More than 10 minutes after the Cebu event: missing.
  EXPECT_EQ(prev(Ev{.at = 17 * kMin + 1 * kS, .located = true, .lat = 1, .lon = 1}),
            "n/a|n/a|n/a|n/a|n/a");
  // Exactly 10 minutes after that one: present. A missing city stays missing.
  EXPECT_EQ(prev(Ev{.at = 27 * kMin + 1 * kS}), "n/a|PHP 100.00|10 min|1.0000,1.0000|10 min");
}

TEST(Language, PrevWithoutWithinAndAnyField) {
  Probe prev(
      "{prev(by: user_id).device_id} {prev(by: user_id).quantity} "
      "{prev(by: user_id).type} {prev(by: user_id).ts}");
  EXPECT_EQ(prev(Ev{.at = 0, .device = "d1", .quantity = 4, .type = domain::TxType::kCashIn}),
            "n/a n/a n/a n/a");
  EXPECT_EQ(prev(Ev{.at = 20 * kD, .device = "d2"}), "d1 4 cash_in 2026-11-25T04:00:00.000000Z");
  EXPECT_EQ(prev(Ev{.at = 20 * kD + kS}), "d2 0 payment 2026-12-15T04:00:00.000000Z");
}

TEST(Language, LastSeenIsSeededByEnsureUser) {
  Probe since("ts - last_seen(by: user_id)");
  since.engine().ensure_user(0, kT0 - kH);
  since.engine().ensure_user(1, 0);
  EXPECT_EQ(since.engine().users(), 2u);
  EXPECT_EQ(since(Ev{.at = 0, .user = 0}), "1 h 0 min");
  EXPECT_EQ(since(Ev{.at = 90 * kS, .user = 0}), "1 min 30 s");
  EXPECT_EQ(since(Ev{.at = 0, .user = 1}), "n/a");  // never active before
  EXPECT_EQ(since(Ev{.at = 5 * kS, .user = 1}), "5 s");
  // A late event does not move last activity back.
  EXPECT_EQ(since(Ev{.at = 60 * kS, .user = 0}), "-30 s");
  EXPECT_EQ(since(Ev{.at = 100 * kS, .user = 0}), "10 s");
  // set_last_seen raises it, never lowers it.
  since.engine().set_last_seen(0, kT0 + 200 * kS);
  since.engine().set_last_seen(0, kT0);
  EXPECT_EQ(since(Ev{.at = 210 * kS, .user = 0}), "10 s");
  // Dormancy as a rule.
  Lang dormant("ts - last_seen(by: user_id) >= 180d and amount >= PHP 20000");
  dormant.engine().ensure_user(0, kT0 - 180 * kD);
  dormant.engine().ensure_user(1, kT0 - 180 * kD + kS);
  EXPECT_TRUE(dormant.fires(Ev{.amount = 2'000'000, .user = 0}));
  EXPECT_FALSE(dormant.fires(Ev{.amount = 2'000'000, .user = 1}));
}

TEST(Language, Streak) {
  Probe streak("streak(by: user_id, same: product_id)");
  EXPECT_EQ(streak(Ev{.at = 0, .product = "A"}), "1");
  EXPECT_EQ(streak(Ev{.at = 1 * kS, .product = "A"}), "2");
  EXPECT_EQ(streak(Ev{.at = 2 * kS, .product = "A"}), "3");
  EXPECT_EQ(streak(Ev{.at = 2 * kS, .user = 1, .product = "A"}), "1");  // another user
  EXPECT_EQ(streak(Ev{.at = 3 * kS, .product = "B"}), "1");
  EXPECT_EQ(streak(Ev{.at = 4 * kS, .product = "B"}), "2");
  EXPECT_EQ(streak(Ev{.at = 5 * kS, .product = ""}), "n/a");  // missing breaks it
  EXPECT_EQ(streak(Ev{.at = 6 * kS, .product = "B"}), "1");
  Lang rule("streak(by: user_id, same: product_id) >= 3");
  EXPECT_FALSE(rule.fires(Ev{.at = 0, .product = "A"}));
  EXPECT_FALSE(rule.fires(Ev{.at = 1 * kS, .product = "A"}));
  EXPECT_TRUE(rule.fires(Ev{.at = 2 * kS, .product = "A"}));
}

TEST(Language, SequentialRun) {
  Probe run("sequential_run(by: [product_id, quantity], id: user_id, within: 1m)");
  auto ev = [](int64_t at, uint32_t user, const char* product, int64_t quantity) {
    char id[16];
    std::snprintf(id, sizeof id, "u%04u", user);
    return Ev{.at = at, .user = user, .user_id = id, .product = product, .quantity = quantity};
  };
  EXPECT_EQ(run(ev(0, 1, "P", 1)), "1");
  EXPECT_EQ(run(ev(10 * kS, 2, "P", 1)), "2");
  EXPECT_EQ(run(ev(15 * kS, 7, "Q", 1)), "1");  // another product: another key
  EXPECT_EQ(run(ev(20 * kS, 3, "P", 1)), "3");
  EXPECT_EQ(run(ev(25 * kS, 4, "P", 2)), "1");  // another quantity: another key
  // u0004 on (P, 1), but 61 s after u0003: the run starts over.
  EXPECT_EQ(run(ev(81 * kS, 4, "P", 1)), "1");
  EXPECT_EQ(run(ev(141 * kS, 5, "P", 1)), "2");  // exactly 1 minute later: continues
  EXPECT_EQ(run(ev(150 * kS, 7, "P", 1)), "1");  // not the next number
  EXPECT_EQ(run(Ev{.at = 151 * kS, .user_id = "guest", .product = "P", .quantity = 1}),
            "n/a");                              // no number at the end
  EXPECT_EQ(run(ev(152 * kS, 8, "P", 1)), "1");  // the guest broke the run
}

// --- keys ---------------------------------------------------------------------------------

TEST(Language, ByUserIdAloneUsesTheDenseIndex) {
  Probe count("count(by: user_id, window: 1h)");
  EXPECT_EQ(count(Ev{.user = 0, .user_id = "x"}), "1");
  EXPECT_EQ(count(Ev{.user = 1, .user_id = "x"}), "1");  // the index, not the text
  EXPECT_EQ(count(Ev{.user = 0, .user_id = "y"}), "2");
  EXPECT_EQ(count.engine().users(), 2u);
}

TEST(Language, HashedKeysAreKeptApart) {
  Probe count("count(by: [user_id, product_id], window: 1h)");
  EXPECT_EQ(count(Ev{.user_id = "u1", .product = "A"}), "1");
  EXPECT_EQ(count(Ev{.user_id = "u1", .product = "B"}), "1");
  EXPECT_EQ(count(Ev{.user_id = "u2", .product = "A"}), "1");
  EXPECT_EQ(count(Ev{.user_id = "u1", .product = "A"}), "2");
  EXPECT_EQ(count(Ev{.user_id = "u2", .product = "B"}), "1");
  EXPECT_EQ(count(Ev{.user_id = "u1", .product = "B"}), "2");
  // The same values in other fields are another key.
  EXPECT_EQ(count(Ev{.user_id = "A", .product = "u1"}), "1");
  // A key with a missing field has no state: the feature is missing.
  EXPECT_EQ(count(Ev{.user_id = "u1", .product = ""}), "n/a");
  // The dense index plays no part in hashed keys.
  EXPECT_EQ(count(Ev{.user = 9, .user_id = "u1", .product = "A"}), "3");
}

TEST(Language, ExpireDropsIdleHashedKeys) {
  Probe since("ts - last_seen(by: device_id)", "[state]\nidle_expiry = \"1h\"\n");
  EXPECT_EQ(since(Ev{.at = 0, .device = "d1"}), "n/a");
  EXPECT_EQ(since(Ev{.at = 0, .device = "d2"}), "n/a");
  EXPECT_EQ(since(Ev{.at = 0, .device = "d3"}), "n/a");
  EXPECT_EQ(since(Ev{.at = 50 * kMin, .device = "d3"}), "50 min");
  // Idle since 0 (more than 1h before 1h00m01s): d1 and d2.
  EXPECT_EQ(since.engine().expire(kT0 + kH + kS), 2u);
  EXPECT_EQ(since.engine().expire(kT0 + kH + kS), 0u);
  EXPECT_EQ(since(Ev{.at = 61 * kMin, .device = "d1"}), "n/a");  // forgotten
  EXPECT_EQ(since(Ev{.at = 61 * kMin, .device = "d3"}), "11 min");
  // Keys idle exactly 1h are kept.
  EXPECT_EQ(since.engine().expire(kT0 + 121 * kMin), 0u);
  EXPECT_EQ(since.engine().expire(kT0 + 121 * kMin + 1), 2u);
}

TEST(Language, ExpireRunsAsEventTimeAdvances) {
  Probe since("ts - last_seen(by: device_id)", "[state]\nidle_expiry = \"1h\"\n");
  EXPECT_EQ(since(Ev{.at = 0, .device = "d1"}), "n/a");
  EXPECT_EQ(since(Ev{.at = 30 * kMin, .device = "d1"}), "30 min");
  EXPECT_EQ(since(Ev{.at = 3 * kH, .device = "d2"}), "n/a");  // sweeps d1 first
  EXPECT_EQ(since(Ev{.at = 3 * kH + kS, .device = "d1"}), "n/a");
  // Without the sweep (default idle_expiry 1d) d1 would still be known.
  Probe kept("ts - last_seen(by: device_id)");
  EXPECT_EQ(kept(Ev{.at = 0, .device = "d1"}), "n/a");
  EXPECT_EQ(kept(Ev{.at = 3 * kH, .device = "d2"}), "n/a");
  EXPECT_EQ(kept(Ev{.at = 3 * kH + kS, .device = "d1"}), "3 h 0 min");
}

TEST(Language, ExpireKeepsUsers) {
  Probe count("count(by: user_id, window: 1h)", "[state]\nidle_expiry = \"1m\"\n");
  EXPECT_EQ(count(Ev{.at = 0, .user = 0}), "1");
  EXPECT_EQ(count(Ev{.at = 0, .user = 1}), "1");
  EXPECT_EQ(count.engine().expire(kT0 + kD), 0u);
  EXPECT_EQ(count.engine().users(), 2u);
  EXPECT_EQ(count(Ev{.at = 30 * kMin, .user = 0}), "2");
}

// --- sharing ------------------------------------------------------------------------------

double state_bytes(const std::string& rules, const std::string& extra = "") {
  auto pack = RulePack::parse(pack_text(rules, extra));
  if (!pack.ok()) {
    ADD_FAILURE() << pack.error().message;
    return -1;
  }
  Engine engine(*pack);
  engine.ensure_user(0, 0);
  return engine.bytes_per_user();
}

TEST(Language, AFeatureUsedByTwoRulesIsKeptAndComputedOnce) {
  const double one = state_bytes(rule_text("A", "count(by: user_id, window: 5m) > 3", ""));
  // The same count three times: as a named feature in two rules and written out in a third.
  const std::string features = "[features]\nn5 = \"count(by: user_id, window: 5m)\"\n";
  const std::string shared = rule_text("A", "n5 > 3", "{n5}") +
                             rule_text("B", "n5 > 1 and amount > PHP 1", "") +
                             rule_text("C", "count(by: user_id, window: 5m) > 2", "");
  EXPECT_GT(one, 0);
  EXPECT_EQ(state_bytes(shared, features), one);
  // Control: a count over other events needs its own state.
  const double two = state_bytes(rule_text("A", "count(by: user_id, window: 5m) > 3", "") +
                                 rule_text("B",
                                           "count(by: user_id, window: 5m, where: "
                                           "has_location) > 3",
                                           ""));
  EXPECT_GT(two, one);

  auto pack = RulePack::parse(pack_text(shared, features));
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->program().features.size(), 1u);
  Engine engine(*pack);
  std::string got;
  for (int i = 0; i < 5; ++i) {
    domain::Decision d;
    std::string reasons = score(engine, Ev{.at = i * kS}, &d);
    got += pack->fired_ids(d.rules_fired) + ";";
    if (i == 4) {
      EXPECT_EQ(reasons, "A: 5; B: rule_B; C: rule_C");
    }
  }
  EXPECT_EQ(got, ";B;B,C;A,B,C;A,B,C;");
}

// --- the engine's contract ----------------------------------------------------------------

TEST(Engine, TopRuleIsTheFirstOfTheHighestScores) {
  const std::string when = "country != home_country";
  auto pack =
      RulePack::parse(pack_text(rule_text("LOW", when, "", 10) + rule_text("HIGH1", when, "", 60) +
                                rule_text("HIGH2", when, "", 60) + rule_text("MID", when, "", 50)));
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Engine engine(*pack);
  domain::Decision d;
  score(engine, Ev{.country = "JP"}, &d);
  EXPECT_EQ(d.score, 60);
  EXPECT_EQ(d.verdict, domain::Verdict::kFlag);
  EXPECT_EQ(d.rules_fired, 0b1111u);
  EXPECT_EQ(d.top_rule, 1);
  EXPECT_EQ(pack->fired_ids(d.rules_fired), "LOW,HIGH1,HIGH2,MID");
}

TEST(Engine, AFiredRuleOfScoreZeroIsStillReported) {
  auto pack = RulePack::parse(pack_text(rule_text("ZERO", "country != home_country", "", 0)));
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Engine engine(*pack);
  domain::Decision d;
  EXPECT_EQ(score(engine, Ev{.country = "JP"}, &d), "ZERO: rule_ZERO");
  EXPECT_EQ(d.score, 0);
  EXPECT_EQ(d.verdict, domain::Verdict::kNormal);
  EXPECT_EQ(d.rules_fired, 1u);
  EXPECT_EQ(d.top_rule, 0);
  EXPECT_EQ(score(engine, Ev{.country = ""}, &d), "-");
  EXPECT_EQ(d.rules_fired, 0u);
  EXPECT_EQ(d.top_rule, -1);
}

TEST(Engine, VerdictThresholds) {
  for (int s : {39, 40, 59, 60}) {
    auto pack = RulePack::parse(pack_text(rule_text("R", "true", "", s)));
    ASSERT_TRUE(pack.ok()) << pack.error().message;
    Engine engine(*pack);
    domain::Decision d;
    score(engine, Ev{}, &d);
    EXPECT_EQ(d.score, s);
    EXPECT_EQ(d.verdict, s >= 60   ? domain::Verdict::kFlag
                         : s >= 40 ? domain::Verdict::kMonitor
                                   : domain::Verdict::kNormal)
        << s;
  }
}

// observe() folds exactly like evaluate(): replaying history with observe() then scoring
// gives the decisions (and reasons) of scoring everything.
TEST(Engine, ObserveRebuildsTheSameState) {
  auto pack = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(pack.ok());
  Engine scored(*pack);
  Engine rebuilt(*pack);
  scored.ensure_user(0, kT0 - 200 * kD);
  rebuilt.ensure_user(0, kT0 - 200 * kD);
  Ev e{.amount = 2'500'050, .country = "", .located = true, .lat = kManilaLat, .lon = kManilaLon};
  for (int i = 0; i < 10; ++i) {
    e.at = i * kS;
    e.city = i % 2 ? "Manila" : "Makati";
    score(scored, e);
    score(rebuilt, e, nullptr, /*observe=*/true);
  }
  e.at = 20 * kS;
  e.lat = kCebuLat;
  e.lon = kCebuLon;
  domain::Decision a, b;
  std::string ra = score(scored, e, &a);
  std::string rb = score(rebuilt, e, &b);
  EXPECT_EQ(a.rules_fired, b.rules_fired);
  EXPECT_EQ(ra, rb);
  // Not R005: no longer dormant after the first event.
  EXPECT_EQ(pack->fired_ids(a.rules_fired), "R002,R003");
  EXPECT_EQ(ra, "R002: 11 transactions in 5 min; R003: 571 km from Manila in 11 s");
  EXPECT_EQ(scored.bytes_per_user(), rebuilt.bytes_per_user());
}

// A pack using every kind of state, for the extreme inputs below.
const char* const kEveryFeature = R"toml(
[state]
idle_expiry = "1h"

[features]
last = "prev(by: user_id, where: has_location, within: 10m)"
)toml";

TEST(Engine, ExtremeTimesDoNotOverflow) {
  auto builtin = RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(builtin.ok());
  auto every = RulePack::parse(pack_text(
      rule_text("A", "distance_km(location, last.location) > 100 and last.age < 5m",
                "{last.age} {days_since(last_seen(by: user_id))}") +
          rule_text("B", "sum(amount, by: user_id, window: 30d) > PHP 1",
                    "{stddev(amount, by: "
                    "device_id, window: "
                    "1h)}") +
          rule_text("C", "sequential_run(by: product_id, id: user_id, within: 1m) > 1", "") +
          rule_text("D",
                    "streak(by: device_id, same: product_id) > 1 and ts - last_seen(by: "
                    "user_id) > 1d",
                    "{distinct_count(city, by: user_id, window: 1h)}"),
      kEveryFeature));
  ASSERT_TRUE(every.ok()) << every.error().message;
  for (const RulePack* pack : {&*builtin, &*every}) {
    Engine engine(*pack);
    engine.ensure_user(0, INT64_MAX);
    for (Instant t : {INT64_MIN, INT64_MAX, Instant{0}, INT64_MIN + 1, INT64_MAX - 1}) {
      domain::Transaction tx;
      tx.event_ts = t;
      tx.user_id = "u0001";
      tx.device_id = "d";
      tx.product_id = "p";
      tx.city = "c";
      tx.has_location = true;
      tx.lat = kManilaLat;
      tx.lon = kManilaLon;
      Event f;
      f.tx = &tx;
      f.amount = 5'000'000;
      f.has_location = true;
      std::string reasons;
      (void)engine.evaluate(f, &reasons);
      engine.observe(f);
      (void)engine.expire(t);
    }
  }
  SUCCEED();  // UBSan (debug preset) stops the test on signed overflow
}

}  // namespace
}  // namespace wf::rules
