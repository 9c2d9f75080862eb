#include "rules/key_state.h"

#include <algorithm>
#include <cstring>

namespace wf::rules {

KeyTable::KeyTable(uint32_t stride_words, bool dense) : stride_(stride_words), dense_(dense) {
  if (!dense_) rehash(1024);
}

void KeyTable::grow_dense(uint32_t i) {
  const size_t new_size = size_t{i} + 1;
  const size_t needed = new_size * stride_;
  if (needed > words_.capacity()) {
    // Grow by a quarter, not the usual doubling: this table is most of the process's
    // memory, and bytes() counts the slack honestly.
    size_t grown = words_.capacity() + words_.capacity() / 4 + 1024 * size_t{stride_};
    words_.reserve(std::max(needed, grown));
  }
  words_.resize(needed, 0);
  size_ = new_size;
}

uint32_t* KeyTable::hashed_slot(uint64_t key) {
  if (key == 0) key = 1;  // 0 marks an empty bucket
  if ((used_ + 1) * 2 > keys_.size()) rehash(keys_.size() * 2);
  const size_t mask = keys_.size() - 1;
  size_t i = (key * 0x9e3779b97f4a7c15ULL) >> 20 & mask;
  while (keys_[i] != 0 && keys_[i] != key) i = (i + 1) & mask;
  uint32_t* slot = words_.data() + i * stride_;
  if (keys_[i] == 0) {
    keys_[i] = key;
    ++used_;
    std::memset(slot, 0, sizeof(uint32_t) * stride_);
  }
  return slot;
}

const uint32_t* KeyTable::find(uint64_t key) const {
  if (dense_ || keys_.empty()) return nullptr;
  if (key == 0) key = 1;
  const size_t mask = keys_.size() - 1;
  for (size_t i = (key * 0x9e3779b97f4a7c15ULL) >> 20 & mask; keys_[i] != 0; i = (i + 1) & mask) {
    if (keys_[i] == key) return words_.data() + i * stride_;
  }
  return nullptr;
}

void KeyTable::rehash(size_t capacity) {
  std::vector<uint64_t> old_keys = std::move(keys_);
  std::vector<uint32_t, HugePageAllocator<uint32_t>> old_words = std::move(words_);
  keys_.assign(capacity, 0);
  words_.assign(capacity * stride_, 0);
  used_ = 0;
  const size_t mask = capacity - 1;
  for (size_t j = 0; j < old_keys.size(); ++j) {
    if (old_keys[j] == 0) continue;
    size_t i = (old_keys[j] * 0x9e3779b97f4a7c15ULL) >> 20 & mask;
    while (keys_[i] != 0) i = (i + 1) & mask;
    keys_[i] = old_keys[j];
    std::memcpy(words_.data() + i * stride_, old_words.data() + j * stride_,
                sizeof(uint32_t) * stride_);
    ++used_;
  }
}

size_t KeyTable::expire(Instant before) {
  if (dense_) return 0;
  size_t dropped = 0;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] != 0 && load64(words_.data() + i * stride_) < before) {
      keys_[i] = 0;
      ++dropped;
    }
  }
  if (dropped == 0) return 0;
  used_ -= dropped;
  // Reinsert what is left (linear probing cannot just leave holes), shrinking when
  // the table is mostly empty.
  size_t capacity = keys_.size();
  while (capacity > 1024 && used_ * 8 < capacity) capacity /= 2;
  rehash(capacity);
  return dropped;
}

size_t KeyTable::bytes() const {
  return words_.capacity() * sizeof(uint32_t) + keys_.capacity() * sizeof(uint64_t);
}

uint32_t StringPool::intern(std::string_view s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  if (strings_.size() >= capacity_) return 0;
  strings_.emplace_back(s);
  uint32_t id = static_cast<uint32_t>(strings_.size());
  ids_.emplace(strings_.back(), id);
  return id;
}

}  // namespace wf::rules
