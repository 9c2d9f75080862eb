#include "pipeline/user_index.h"

#include <cstring>
#include <functional>

namespace wf::pipeline {

namespace {

// prefix (zero-padded to kInline bytes) == id, for ids of at most 16 bytes, with two
// 8-byte compares instead of a memcmp call.
bool equal_prefix(const char* prefix, std::string_view id) {
  char padded[16] = {};
  std::memcpy(padded, id.data(), id.size());
  uint64_t a[2], b[2];
  std::memcpy(a, prefix, 16);
  std::memcpy(b, padded, 16);
  return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

}  // namespace

UserIndex::Slot& UserIndex::find(std::string_view id, uint64_t hash) {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.index == UINT32_MAX) return s;
    if (s.hash != hash || s.length != id.size()) continue;
    if (id.size() <= kInline ? equal_prefix(s.prefix, id) : ids_[s.index] == id) {
      return s;
    }
  }
}

void UserIndex::grow() {
  std::vector<Slot, HugePageAllocator<Slot>> old;
  old.swap(slots_);
  slots_.resize(old.size() * 2);
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.index == UINT32_MAX) continue;
    size_t i = s.hash & mask;
    while (slots_[i].index != UINT32_MAX) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

uint32_t UserIndex::lookup(std::string_view user_id) const {
  return find(user_id, hash_id(user_id)).index;
}

uint32_t UserIndex::lookup_or_add(std::string_view user_id, bool* is_new) {
  uint64_t h = hash_id(user_id);
  Slot& s = find(user_id, h);
  if (s.index != UINT32_MAX) {
    *is_new = false;
    return s.index;
  }
  *is_new = true;
  return add(user_id);
}

uint32_t UserIndex::add(std::string_view user_id) {
  uint64_t h = hash_id(user_id);
  Slot* s = &find(user_id, h);
  if (s->index != UINT32_MAX) return s->index;
  if ((ids_.size() + 1) * 2 > slots_.size()) {  // keep the load factor <= 1/2
    grow();
    s = &find(user_id, h);
  }
  uint32_t index = static_cast<uint32_t>(ids_.size());
  s->hash = h;
  s->index = index;
  s->length = static_cast<uint32_t>(user_id.size());
  std::memcpy(s->prefix, user_id.data(), std::min(user_id.size(), kInline));
  ids_.emplace_back(user_id);
  return index;
}

}  // namespace wf::pipeline
