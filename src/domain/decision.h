// The outcome of scoring one transaction: score, verdict and which rules fired.
#pragma once

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

}  // namespace wf::domain
