#include "pipeline/user_index.h"

namespace wf::pipeline {

uint32_t UserIndex::lookup_or_add(std::string_view user_id, bool* is_new) {
  auto it = ids_.find(user_id);
  if (it != ids_.end()) {
    *is_new = false;
    return it->second;
  }
  *is_new = true;
  return add(user_id, 0);
}

uint32_t UserIndex::add(std::string_view user_id, Instant last_activity) {
  auto it = ids_.find(user_id);
  if (it != ids_.end()) {
    dim_last_activity_[it->second] = last_activity;
    return it->second;
  }
  uint32_t index = static_cast<uint32_t>(dim_last_activity_.size());
  ids_.emplace(std::string(user_id), index);
  dim_last_activity_.push_back(last_activity);
  return index;
}

}  // namespace wf::pipeline
