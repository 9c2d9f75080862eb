// Records that are rows of a delimited file (PaySim's CSV, a team's own CSV through a
// mapping) rather than JSON events: one interface for the processor. A row may carry
// ground truth (a fraud label, a baseline detector's verdict): it comes back beside the
// event, for the labels side channel, and never enters the event.
#pragma once

#include <string_view>

#include "core/result.h"
#include "domain/transaction.h"

namespace wf::codec {

struct RowTruth {
  bool labelled = false;  // the row said whether it is fraud
  bool is_fraud = false;
  int baseline = -1;  // a baseline detector's verdict (PaySim's isFlaggedFraud); -1: none
};

class RowDecoder {
 public:
  virtual ~RowDecoder() = default;
  // One data row without its line end. Views in `out` stay valid until the next call.
  // Errors are dead-letter codes.
  virtual Status decode(std::string_view row, domain::Transaction* out, RowTruth* truth) = 0;
};

}  // namespace wf::codec
