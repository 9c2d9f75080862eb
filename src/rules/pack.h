// A rule pack: one profile's rules written in the rule language, its named features,
// home country, local UTC offset, tolerated lateness, state limits and the FX table used
// to express amounts in the base currency (PHP for ph-ewallet). Loaded from TOML and
// compiled once; immutable afterwards, so any thread may read it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/result.h"

namespace wf::rules {

namespace internal {
struct Program;
}

// One rule: a condition in the rule language (docs/RULES.md), a score, and a reason
// template whose {expressions} show the values that made it fire.
struct Rule {
  std::string id;    // "R001"
  std::string name;  // "high_amount_night"
  int score = 0;     // 0..100
  std::string when;
  std::string reason;
};

// A currency's value in base-currency minor units per one minor unit, as a fixed-point
// ratio: base_minor = minor * numerator / 1'000'000 (rounded half away from zero).
struct FxRate {
  Currency currency;
  int64_t micro_ratio = 0;
};

class RulePack {
 public:
  // Parses and compiles TOML text. On failure kConfig whose message has one line per
  // error, each "ORIGIN:LINE:COLUMN: rule ID: message" (every error in the file, not
  // just the first).
  static Result<RulePack> parse(std::string_view toml_text, std::string_view origin = "rules");
  static Result<RulePack> load_file(const std::string& path);
  // A pack and a model's features file ([[model_feature]] entries: name and expr, in the
  // rule language): compiled together, so the features share the rules' per-key state.
  // Errors name the file each is in.
  static Result<RulePack> parse_with_features(std::string_view pack_text, std::string_view origin,
                                              std::string_view features_text,
                                              std::string_view features_origin);
  // The pack shipped for a profile ("ph-ewallet"), compiled into the binary.
  static Result<RulePack> builtin(std::string_view profile);
  // The TOML text of a built-in pack (empty when there is none): a team's starting point.
  static std::string_view builtin_text(std::string_view profile);
  // The model features shipped for a profile (config/features/), empty when none.
  static std::string_view builtin_features_text(std::string_view profile);

  const std::string& name() const { return name_; }
  // Content hash of the pack's text (16 hex chars): recorded with every decision, so
  // each one can be traced to the exact rules that made it.
  const std::string& version() const { return version_; }
  std::string_view home_country() const { return home_country_; }
  Currency base_currency() const { return base_currency_; }
  int utc_offset_minutes() const { return utc_offset_minutes_; }
  int64_t lateness_us() const { return lateness_us_; }
  const std::vector<Rule>& rules() const { return rules_; }
  // Named features ([features]): name and expression, in file order.
  const std::vector<std::pair<std::string, std::string>>& features() const { return features_; }
  // Model features ([[model_feature]]): name and expression, in file order; their values
  // come from Engine::evaluate's `model_features`.
  const std::vector<std::pair<std::string, std::string>>& model_features() const {
    return model_features_;
  }
  // The pack's own TOML text (without a features file compiled with it).
  const std::string& text() const { return text_; }
  // Longest window or `within:` any feature looks back over, plus lateness: the event
  // history a restarted process replays to rebuild windowed state.
  int64_t horizon_us() const;
  // The compiled conditions and state layout (rules module internal).
  const internal::Program& program() const { return *program_; }

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
  int window_events_ = 32;
  int64_t idle_expiry_us_ = 0;
  std::vector<std::pair<std::string, std::string>> features_;
  std::vector<std::pair<std::string, std::string>> model_features_;
  std::string text_;
  std::vector<Rule> rules_;
  std::vector<FxRate> fx_;
  std::shared_ptr<const internal::Program> program_;
  friend class PackParser;
};

}  // namespace wf::rules
