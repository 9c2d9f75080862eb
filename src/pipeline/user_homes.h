// Each dense user index's home from dim_users, for the rules' enriched `home_province`
// and `home_location` fields. Provinces are few, so each user keeps a 16-bit id into a
// small table; locations are kept only once some user has one. Owned by the scoring
// thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/dims.h"
#include "rules/engine.h"

namespace wf::pipeline {

class UserHomes {
 public:
  void set(uint32_t user, const domain::User& u) {
    if (user >= of_user_.size()) of_user_.resize(size_t{user} + 1, 0);
    if (u.has_home) {
      if (user >= location_.size()) location_.resize(size_t{user} + 1, {kUnknown, 0});
      location_[user] = {u.home_lat, u.home_lon};
    }
    if (u.home_province.empty()) return;
    auto [it, added] = ids_.try_emplace(u.home_province, 0);
    if (added) {
      if (names_.size() >= UINT16_MAX) {  // more than any country has: keep it unknown
        ids_.erase(it);
        return;
      }
      names_.push_back(u.home_province);
      it->second = static_cast<uint16_t>(names_.size() - 1);
    }
    of_user_[user] = it->second;
  }
  // Empty when unknown.
  std::string_view province(uint32_t user) const {
    return user < of_user_.size() ? std::string_view(names_[of_user_[user]]) : std::string_view();
  }
  // By user index; NaN latitude when unknown (the rules' Event::homes).
  std::span<const rules::GeoPoint> locations() const { return location_; }

 private:
  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
  std::vector<uint16_t> of_user_;
  std::vector<std::string> names_{std::string()};  // id 0: unknown
  std::unordered_map<std::string, uint16_t> ids_;
  std::vector<rules::GeoPoint> location_;  // NaN latitude: unknown
};

}  // namespace wf::pipeline
