// Append-only byte arena: copies of strings that must outlive a reused buffer, valid
// until reset(). Blocks are kept across reset(), so a steady workload stops allocating.
// Not thread-safe.
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace wf {

class Arena {
 public:
  explicit Arena(size_t block_bytes = 1 << 20) : block_bytes_(block_bytes) {}

  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return std::string_view(p, s.size());
  }

  char* allocate(size_t n) {
    while (current_ < blocks_.size()) {
      Block& block = blocks_[current_];
      if (used_ + n <= block.size) {
        char* p = block.data.get() + used_;
        used_ += n;
        return p;
      }
      ++current_;  // a block kept from before reset(), or the next one
      used_ = 0;
    }
    size_t size = n > block_bytes_ ? n : block_bytes_;
    blocks_.push_back(Block{std::make_unique<char[]>(size), size});
    current_ = blocks_.size() - 1;
    used_ = n;
    return blocks_[current_].data.get();
  }

  void reset() {
    current_ = 0;
    used_ = 0;
  }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
  };
  size_t block_bytes_;
  std::vector<Block> blocks_;
  size_t current_ = 0;
  size_t used_ = 0;
};

}  // namespace wf
