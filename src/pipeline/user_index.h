// Maps user ids to the dense indexes the rule state is keyed by. Users from dim_users
// come first (with their last_txn_at for the dormancy rule); ids first seen in the
// stream are appended. Owned by the scoring thread; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"

namespace wf::pipeline {

class UserIndex {
 public:
  // Index of `user_id`, adding it (with no known last activity) when new.
  // *is_new is set when the id was added.
  uint32_t lookup_or_add(std::string_view user_id, bool* is_new);
  // Adds or updates a user known from dim_users.
  uint32_t add(std::string_view user_id, Instant last_activity);
  // Last activity recorded by add() (0 = unknown).
  Instant dim_last_activity(uint32_t index) const { return dim_last_activity_[index]; }
  size_t size() const { return dim_last_activity_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<Instant> dim_last_activity_;
};

}  // namespace wf::pipeline
