// Records that are rows of a delimited file (PaySim's CSV, a team's own CSV through a
// mapping) rather than JSON events: one interface for the processor. A row may carry
// ground truth (a fraud label, a baseline detector's verdict): it comes back beside the
// event, for the labels side channel, and never enters the event.
#pragma once

#include <string_view>

#include "core/hash.h"
#include "core/result.h"
#include "domain/transaction.h"

namespace wf::codec {

struct RowTruth {
  bool labelled = false;  // the row said whether it is fraud
  bool is_fraud = false;
  int baseline = -1;  // a baseline detector's verdict (PaySim's isFlaggedFraud); -1: none
};

// The id of a row that carries none: `prefix` and the row's hash as 16 hex digits,
// written to `out` (room for the prefix and 16 more). The same row has the same id, so
// a row sent twice is a duplicate.
inline std::string_view hashed_row_id(std::string_view prefix, std::string_view row, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  prefix.copy(out, prefix.size());
  uint64_t h = hash_bytes(row);
  for (size_t i = prefix.size() + 16; i-- > prefix.size(); h >>= 4) out[i] = kHex[h & 15];
  return std::string_view(out, prefix.size() + 16);
}

class RowDecoder {
 public:
  virtual ~RowDecoder() = default;
  // One data row without its line end. Views in `out` stay valid until the next call.
  // Errors are dead-letter codes.
  virtual Status decode(std::string_view row, domain::Transaction* out, RowTruth* truth) = 0;
};

}  // namespace wf::codec
