// The home province of each dense user index (from dim_users), for the rules' enriched
// `home_province` field. Provinces are few, so each user keeps a 16-bit id into a small
// table. Owned by the scoring thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wf::pipeline {

class HomeProvinces {
 public:
  void set(uint32_t user, std::string_view province) {
    if (user >= of_user_.size()) of_user_.resize(size_t{user} + 1, 0);
    if (province.empty()) return;
    auto [it, added] = ids_.try_emplace(std::string(province), 0);
    if (added) {
      if (names_.size() >= UINT16_MAX) {  // more than any country has: keep it unknown
        ids_.erase(it);
        return;
      }
      names_.emplace_back(province);
      it->second = static_cast<uint16_t>(names_.size() - 1);
    }
    of_user_[user] = it->second;
  }
  // Empty when unknown.
  std::string_view get(uint32_t user) const {
    return user < of_user_.size() ? std::string_view(names_[of_user_[user]]) : std::string_view();
  }

 private:
  std::vector<uint16_t> of_user_;
  std::vector<std::string> names_{std::string()};  // id 0: unknown
  std::unordered_map<std::string, uint16_t> ids_;
};

}  // namespace wf::pipeline
