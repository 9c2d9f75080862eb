// Labels side channel as JSON lines: {"transaction_id":"...","is_fraud":true,"pattern":"R001"}.
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
};

// Appends one line (with '\n') to `out`.
void append_label_line(std::string* out, std::string_view transaction_id, bool is_fraud,
                       std::string_view pattern);
// Reads a whole labels file; kIo when unreadable, kMalformedJson naming the line number.
Result<std::vector<LabelRecord>> read_labels_file(const std::string& path);

}  // namespace wf::codec
