// Per-user memo of the last phone number and IP address seen, with their HMAC digests:
// a user's phone and IP rarely change, so most events skip both HMACs. The clear values
// live only in this process's memory, never on disk. Values longer than the inline
// buffer are hashed every time. Owned by the scoring thread; not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/huge_page_allocator.h"
#include "pipeline/pii_protector.h"

namespace wf::pipeline {

class PiiMemo {
 public:
  void ensure(uint32_t users) {
    if (users > phones_.size()) {
      phones_.resize(users);
      ips_.resize(users);
    }
  }
  // 64 hex chars of HMAC(phone, normalised) for `user`; false for an empty phone.
  bool phone_hash(uint32_t user, std::string_view phone, const PiiProtector& pii, char* out) {
    return lookup(phones_[user], phone, pii, /*phone=*/true, out);
  }
  void ip_hash(uint32_t user, std::string_view ip, const PiiProtector& pii, char* out) {
    lookup(ips_[user], ip, pii, /*phone=*/false, out);
  }
  void prefetch(uint32_t user) const {
    if (user < phones_.size()) {
      __builtin_prefetch(&phones_[user]);
      __builtin_prefetch(&ips_[user]);
    }
  }

 private:
  static constexpr size_t kInline = 39;  // fits an IPv6 address
  struct Entry {
    uint8_t length = 0;  // 0: nothing memoised
    char value[kInline];
    unsigned char digest[32];
  };

  static bool lookup(Entry& e, std::string_view value, const PiiProtector& pii, bool phone,
                     char* out);

  std::vector<Entry, HugePageAllocator<Entry>> phones_;
  std::vector<Entry, HugePageAllocator<Entry>> ips_;
};

}  // namespace wf::pipeline
