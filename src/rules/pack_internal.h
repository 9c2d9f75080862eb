// Internals of the rules module shared by its .cc files and its unit tests; no other
// module includes this.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "rules/pack.h"

namespace wf::rules::internal {

inline constexpr size_t kMaxRules = 64;  // the fired-rules mask is a uint64_t
inline constexpr int64_t kMaxLatenessUs = kMicrosPerDay;
inline constexpr size_t kMaxRuleIdChars = 16;

// The TOML text of a shipped pack, compiled from config/rules/<profile>.toml; empty when
// there is no such pack. Defined in the file CMake generates from builtin_packs.cc.in.
std::string_view builtin_pack_toml(std::string_view profile);
// The same for config/features/<profile>.toml (model features).
std::string_view builtin_features_toml(std::string_view profile);

}  // namespace wf::rules::internal
