// Maps user ids to the dense indexes the rule state is keyed by. Users from dim_users
// come first; ids first seen in the stream are appended. An open-addressing table whose 32-byte
// slots hold the hash and the first 16 bytes of the id, so a lookup of a typical id touches one
// cache line. Owned by the scoring thread; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "core/huge_page_allocator.h"

namespace wf::pipeline {

class UserIndex {
 public:
  UserIndex() { slots_.resize(1024); }

  // Index of `user_id`, adding it when new.
  // *is_new is set when the id was added.
  uint32_t lookup_or_add(std::string_view user_id, bool* is_new);
  // Index of a known id, or UINT32_MAX. Never adds.
  uint32_t lookup(std::string_view user_id) const;
  // Hints the CPU to load the slot `user_id` hashes to.
  void prefetch(std::string_view user_id) const {
    __builtin_prefetch(&slots_[hash_id(user_id) & (slots_.size() - 1)]);
  }
  // Index of `user_id`, adding it when new (dim_users loading).
  uint32_t add(std::string_view user_id);
  size_t size() const { return ids_.size(); }

 private:
  static constexpr size_t kInline = 16;
  struct Slot {
    uint64_t hash = 0;
    uint32_t index = UINT32_MAX;  // UINT32_MAX: empty
    uint32_t length = 0;
    char prefix[kInline] = {};
  };
  static_assert(sizeof(Slot) == 32);

  static uint64_t hash_id(std::string_view id) { return hash_bytes(id) | 1; }
  // Slot holding `id`, or the empty slot where it would go.
  Slot& find(std::string_view id, uint64_t hash);
  const Slot& find(std::string_view id, uint64_t hash) const {
    return const_cast<UserIndex*>(this)->find(id, hash);
  }
  void grow();

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  std::vector<std::string> ids_;
};

}  // namespace wf::pipeline
