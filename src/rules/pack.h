// A rule pack: the rules of one profile with every threshold, window and score as a
// parameter, the profile's home country, local UTC offset, tolerated lateness and the FX
// table used to express amounts in the base currency (PHP for ph-ewallet). Loaded from
// TOML once at start; immutable afterwards, so any thread may read it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/result.h"

namespace wf::rules {

// What a rule checks. Parameters that a kind does not use stay at their defaults.
enum class RuleKind : uint8_t {
  kAmountAtNight,        // amount >= min_amount and local hour in [start_hour, end_hour)
  kVelocity,             // more than max_count transactions of the user within window
  kLocationJump,         // > max_km from the user's previous location within window
  kRoundAmount,          // amount >= min_amount and an exact multiple of round_unit
  kDormantReactivation,  // first transaction after >= window inactive and amount >= min_amount
  kForeignAmount,        // amount >= min_amount and country != home country
};

struct Rule {
  std::string id;    // "R001"
  std::string name;  // "high_amount_night"
  RuleKind kind = RuleKind::kAmountAtNight;
  int score = 0;           // 0..100
  int64_t min_amount = 0;  // base-currency minor units
  int64_t round_unit = 0;  // base-currency minor units
  int start_hour = 0;      // local time, inclusive
  int end_hour = 0;        // local time, exclusive
  int64_t max_count = 0;   // velocity
  int64_t window_us = 0;   // velocity, location jump, dormancy
  double max_km = 0;       // location jump
};

// A currency's value in base-currency minor units per one minor unit, as a fixed-point
// ratio: base_minor = minor * numerator / 1'000'000 (rounded half away from zero).
struct FxRate {
  Currency currency;
  int64_t micro_ratio = 0;
};

class RulePack {
 public:
  // Parses TOML text; kConfig with the offending key on any error (unknown kind,
  // missing parameter, score out of range, duplicate id, more than 64 rules, bad FX).
  static Result<RulePack> parse(std::string_view toml_text, std::string_view origin = "rules");
  static Result<RulePack> load_file(const std::string& path);
  // The pack shipped for a profile ("ph-ewallet"), compiled into the binary.
  static Result<RulePack> builtin(std::string_view profile);
  // The TOML text of a built-in pack (empty when there is none): a team's starting point.
  static std::string_view builtin_text(std::string_view profile);

  const std::string& name() const { return name_; }
  // Content hash of the pack's text (16 hex chars): recorded with every decision, so
  // each one can be traced to the exact rules that made it.
  const std::string& version() const { return version_; }
  std::string_view home_country() const { return home_country_; }
  Currency base_currency() const { return base_currency_; }
  int utc_offset_minutes() const { return utc_offset_minutes_; }
  int64_t lateness_us() const { return lateness_us_; }
  const std::vector<Rule>& rules() const { return rules_; }
  // Longest window any rule looks back over, plus lateness: state older than this is
  // never read again except the last-activity time.
  int64_t horizon_us() const;

  // Converts to base-currency minor units; kUnknownCurrency when no rate is configured.
  Result<int64_t> to_base(const Money& money) const;

  // "R001,R004" for a fired-rules bitmask, in pack order; empty for 0.
  std::string fired_ids(uint64_t mask) const;
  // Writes the same text into `out` (size >= 1 + 6 * rule count is always enough for
  // ids of <= 5 chars); returns the length.
  size_t fired_ids(uint64_t mask, char* out, size_t capacity) const;

 private:
  std::string name_;
  std::string version_;
  std::string home_country_ = "PH";
  Currency base_currency_ = Currency::php();
  int utc_offset_minutes_ = 480;
  int64_t lateness_us_ = 0;
  std::vector<Rule> rules_;
  std::vector<FxRate> fx_;
};

}  // namespace wf::rules
