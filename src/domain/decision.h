// The outcome of scoring one transaction: score, verdict and which rules fired.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace wf::domain {

enum class Verdict : uint8_t { kNormal, kMonitor, kFlag };

inline std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kNormal:
      return "NORMAL";
    case Verdict::kMonitor:
      return "MONITOR";
    case Verdict::kFlag:
      return "FLAG";
  }
  return "NORMAL";
}

// Thresholds of SPEC section 6: FLAG at >= 60, MONITOR at 40-59.
inline constexpr int kFlagScore = 60;
inline constexpr int kMonitorScore = 40;

inline Verdict verdict_for(int score) {
  return score >= kFlagScore ? Verdict::kFlag
                             : (score >= kMonitorScore ? Verdict::kMonitor : Verdict::kNormal);
}

struct Decision {
  int score = 0;
  Verdict verdict = Verdict::kNormal;
  uint64_t rules_fired = 0;  // bit i set when rule i of the loaded pack fired
  int top_rule = -1;         // index of the rule that set the score, -1 when none fired
};

// Whether `id` is one of the ids of a stored fired-rules list ("R001,R004"), as a whole
// id (R1 is not in "R10").
inline bool fired_in(std::string_view rules_fired, std::string_view id) {
  for (size_t at = 0; at <= rules_fired.size();) {
    const size_t comma = std::min(rules_fired.find(',', at), rules_fired.size());
    if (rules_fired.substr(at, comma - at) == id) return true;
    at = comma + 1;
  }
  return false;
}

}  // namespace wf::domain
