// Time-ordered identifiers in the UUIDv7 layout (RFC 9562): 48-bit Unix milliseconds,
// then random bits. Sorting the text sorts by creation time, which keeps B-tree inserts
// appending.
#pragma once

#include <cstddef>
#include <string>

#include "core/rng.h"
#include "core/time.h"

namespace wf {

inline constexpr size_t kUuidChars = 36;

// Writes the 36-character lower-case text of a v7 UUID for `t` to `out`.
void format_uuid_v7(Instant t, Rng& rng, char* out);
std::string make_uuid_v7(Instant t, Rng& rng);

}  // namespace wf
