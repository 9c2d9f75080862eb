// Labels side channel as JSON lines: {"transaction_id":"...","is_fraud":true,"pattern":"R001"}
// (and "baseline": true|false when the data carries a baseline detector's verdict).
// Ground truth never travels inside the event; only `eval` reads these.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wf::codec {

struct LabelRecord {
  std::string transaction_id;
  bool is_fraud = false;
  std::string pattern;
  // The verdict of a baseline detector the data came with (PaySim's isFlaggedFraud):
  // 1 or 0; -1 when there is none.
  int baseline = -1;
};

// Appends one line (with '\n') to `out`.
void append_label_line(std::string* out, std::string_view transaction_id, bool is_fraud,
                       std::string_view pattern, int baseline = -1);
// Reads a whole labels file; kIo when unreadable, kMalformedJson naming the line number.
Result<std::vector<LabelRecord>> read_labels_file(const std::string& path);

}  // namespace wf::codec
