// Per-key state for the rule language's stateful features: one table per key group
// (`by: user_id`, `by: [user_id, product_id]`, ...), each key one fixed-size slot of
// uint32 words laid out by the compiled Program (program.h). Keys by user_id alone use
// the pipeline's dense user index (an array access); other keys are 64-bit hashes of
// their field values in an open-addressing table, dropped after `idle_expiry` without
// events, so memory is bounded by the keys active within that time. Owned by one
// scoring thread; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/hash.h"
#include "core/huge_page_allocator.h"
#include "core/time.h"

namespace wf::rules {

class KeyTable {
 public:
  KeyTable(uint32_t stride_words, bool dense);

  bool dense() const { return dense_; }
  uint32_t stride() const { return stride_; }

  // Dense tables: the slot of index `i`, zero-filled when new.
  uint32_t* dense_slot(uint32_t i) {
    if (i >= size_) grow_dense(i);
    return words_.data() + size_t{i} * stride_;
  }
  const uint32_t* dense_peek(uint32_t i) const {
    return i < size_ ? words_.data() + size_t{i} * stride_ : nullptr;
  }
  void prefetch(uint32_t i) const {
    if (i < size_) {
      const char* p = reinterpret_cast<const char*>(words_.data() + size_t{i} * stride_);
      __builtin_prefetch(p, 1);
      __builtin_prefetch(p + 64, 1);
    }
  }

  // Hashed tables: the slot of `key`, zero-filled when new. Pointers stay valid until the
  // next insert or expire.
  uint32_t* hashed_slot(uint64_t key);
  // The slot of `key` if the table holds it, else null. Never inserts.
  const uint32_t* find(uint64_t key) const;

  // Drops hashed keys whose last event (the slot header) is before `before`; returns how
  // many. Dense slots are never dropped (one per known user).
  size_t expire(Instant before);
  size_t keys() const { return dense_ ? size_ : used_; }
  size_t bytes() const;
  // Every slot, for state migration on reload: fn(key, words). Dense keys are indexes.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    if (dense_) {
      for (size_t i = 0; i < size_; ++i) fn(uint64_t{i}, words_.data() + i * stride_);
      return;
    }
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] != 0) fn(keys_[i], words_.data() + i * stride_);
    }
  }

 private:
  void grow_dense(uint32_t i);
  void rehash(size_t capacity);

  uint32_t stride_;
  bool dense_;
  size_t size_ = 0;             // dense: slots
  size_t used_ = 0;             // hashed: keys held
  std::vector<uint64_t> keys_;  // hashed: 0 = empty
  std::vector<uint32_t, HugePageAllocator<uint32_t>> words_;
};

// Interned strings for string attributes kept in state (prev(...).city): ids are small
// and stable; at most `capacity` distinct strings, then new ones are not kept.
class StringPool {
 public:
  explicit StringPool(size_t capacity = size_t{1} << 20) : capacity_(capacity) {}
  // 0 when the pool is full; ids start at 1.
  uint32_t intern(std::string_view s);
  std::string_view get(uint32_t id) const {
    return id == 0 || id > strings_.size() ? std::string_view() : strings_[id - 1];
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return hash_bytes(s); }
  };
  size_t capacity_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
};

// Word access helpers: slots are plain uint32 storage, read and written with memcpy.
inline int64_t load64(const uint32_t* w) {
  int64_t v;
  __builtin_memcpy(&v, w, sizeof v);
  return v;
}
inline void store64(uint32_t* w, int64_t v) { __builtin_memcpy(w, &v, sizeof v); }
inline double load_double(const uint32_t* w) {
  double v;
  __builtin_memcpy(&v, w, sizeof v);
  return v;
}
inline void store_double(uint32_t* w, double v) { __builtin_memcpy(w, &v, sizeof v); }
inline float load_float(const uint32_t* w) {
  float v;
  __builtin_memcpy(&v, w, sizeof v);
  return v;
}
inline void store_float(uint32_t* w, float v) { __builtin_memcpy(w, &v, sizeof v); }

// Floor of t / 1000, also for times before the epoch.
inline int64_t floor_ms(Instant t) {
  int64_t q = t / 1000;
  return (t % 1000 < 0) ? q - 1 : q;
}

}  // namespace wf::rules
