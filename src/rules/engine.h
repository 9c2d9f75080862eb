// Evaluates a RulePack against one transaction and the user's state, then folds the
// transaction into that state. Score = highest fired score; verdict by SPEC section 6.
// Reads only the event's time. Allocation-free per event. One Engine per scoring thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/time.h"
#include "domain/decision.h"
#include "rules/pack.h"
#include "rules/user_state.h"

namespace wf::rules {

// What the rules see of one enriched transaction.
struct Features {
  Instant event_ts = 0;
  uint32_t user = 0;          // dense user index in the UserStateTable
  int64_t amount_base = 0;    // amount in base-currency minor units (PHP centavos)
  int local_hour = 0;         // 0-23, profile local time
  std::string_view country;   // ISO alpha-2; empty means the home country
  bool has_location = false;  // lat/lon present and valid
  double lat = 0;
  double lon = 0;
};

class Engine {
 public:
  explicit Engine(const RulePack& pack) : pack_(pack) {}

  // Scores `f` against `state` (which must have `f.user` ensured), then records the
  // transaction in the state. Events older than the user's latest by more than the
  // pack's lateness are still scored, against the state as it is.
  domain::Decision evaluate(const Features& f, UserStateTable& state) const;
  // Records a transaction in the state without scoring (state rebuild on restart).
  void observe(const Features& f, UserStateTable& state) const;

  const RulePack& pack() const { return pack_; }

 private:
  const RulePack& pack_;
};

// Great-circle distance in kilometres (haversine, mean Earth radius).
double distance_km(double lat1, double lon1, double lat2, double lon2);

}  // namespace wf::rules
