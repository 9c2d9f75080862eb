#include "pipeline/pii_memo.h"

#include <cstring>

namespace wf::pipeline {

bool PiiMemo::lookup(Entry& e, std::string_view value, const PiiProtector& pii, bool phone,
                     char* out) {
  if (value.empty()) return false;
  if (e.length == value.size() && std::memcmp(e.value, value.data(), value.size()) == 0) {
    PiiProtector::to_hex(e.digest, out);
    return true;
  }
  unsigned char digest[32];
  if (phone) {
    if (!pii.digest_phone(value, digest)) return false;
  } else {
    pii.digest(value, digest);
  }
  if (value.size() <= kInline) {
    e.length = static_cast<uint8_t>(value.size());
    std::memcpy(e.value, value.data(), value.size());
    std::memcpy(e.digest, digest, sizeof digest);
  }
  PiiProtector::to_hex(digest, out);
  return true;
}

}  // namespace wf::pipeline
