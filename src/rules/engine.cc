#include "rules/engine.h"

#include <cassert>
#include <cmath>

#include "rules/user_state_internal.h"

namespace wf::rules {
namespace {

// a - b, saturated: Features may carry any Instant, and overflow must not be UB.
int64_t sat_sub(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_sub_overflow(a, b, &out)) return b < 0 ? INT64_MAX : INT64_MIN;
  return out;
}

bool in_hours(int hour, int start, int end) {
  return start < end ? (hour >= start && hour < end) : (hour >= start || hour < end);
}

// Records the event: last activity only moves forward, the kept location only moves to a
// newer located event, and the time joins the velocity ring (late ones too).
void fold(const Features& f, internal::SlotRef& slot) {
  const Instant t = f.event_ts;
  if (t > slot.last_activity()) slot.set_last_activity(t);
  if (f.has_location && std::isfinite(f.lat) && std::isfinite(f.lon) &&
      (!slot.has_location() || t >= slot.location_time())) {
    slot.set_location(t, f.lat, f.lon);
  }
  slot.record_time(internal::floor_ms(t));
}

constexpr double kEarthRadiusKm = 6371.0088;  // mean radius (IUGG)
constexpr double kRadians = 3.14159265358979323846 / 180.0;

// distance_km(...) > max_km, skipping the trigonometry when a cheap bound decides: on a
// sphere R*|dlat| <= d (latitude changes no faster than distance) and
// d <= R*(|dlat| + cos(lat1)*|dlon|) <= R*(|dlat| + |dlon|) (along the parallel, then
// the meridian). Nearly all events are near the previous one or very far from it.
bool farther_than(double lat1, double lon1, double lat2, double lon2, double max_km) {
  constexpr double kKmPerDegree = kEarthRadiusKm * kRadians;
  const double dlat = std::abs(lat2 - lat1);
  double dlon = std::abs(lon2 - lon1);
  if (dlon > 180) dlon = 360 - dlon;
  if (dlat * kKmPerDegree > max_km) return true;
  if ((dlat + dlon) * kKmPerDegree <= max_km) return false;
  return distance_km(lat1, lon1, lat2, lon2) > max_km;
}

}  // namespace

double distance_km(double lat1, double lon1, double lat2, double lon2) {
  const double sin_dlat = std::sin((lat2 - lat1) * kRadians / 2);
  const double sin_dlon = std::sin((lon2 - lon1) * kRadians / 2);
  double a = sin_dlat * sin_dlat +
             std::cos(lat1 * kRadians) * std::cos(lat2 * kRadians) * sin_dlon * sin_dlon;
  a = a < 0 ? 0 : (a > 1 ? 1 : a);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(a));
}

domain::Decision Engine::evaluate(const Features& f, UserStateTable& state) const {
  domain::Decision decision;
  if (f.user >= state.size()) return decision;  // caller forgot ensure(): score nothing
  internal::SlotRef slot(state.slot_words(f.user), state.ring_capacity_);
  const Instant t = f.event_ts;
  const int64_t t_ms = internal::floor_ms(t);
  const std::vector<Rule>& rules = pack_.rules();
  const std::string_view home = pack_.home_country();

  uint64_t fired = 0;
  int top = -1;
  int best = 0;
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    bool hit = false;
    switch (r.kind) {
      case RuleKind::kAmountAtNight:
        hit = f.amount_base >= r.min_amount && in_hours(f.local_hour, r.start_hour, r.end_hour);
        break;
      case RuleKind::kVelocity: {
        assert(state.velocity_capacity_ >= r.max_count && "UserStateTable built for another pack");
        // Kept times in [t - window, t], plus this event.
        int64_t lo_ms = internal::floor_ms(sat_sub(t, r.window_us));
        hit = slot.count_between(lo_ms, t_ms) + 1 > r.max_count;
        break;
      }
      case RuleKind::kLocationJump:
        if (f.has_location && slot.has_location()) {
          int64_t gap = sat_sub(t, slot.location_time());
          if (gap < 0) gap = gap == INT64_MIN ? INT64_MAX : -gap;
          hit = gap <= r.window_us && farther_than(f.lat, f.lon, slot.lat(), slot.lon(), r.max_km);
        }
        break;
      case RuleKind::kRoundAmount:
        hit = f.amount_base >= r.min_amount && f.amount_base % r.round_unit == 0;
        break;
      case RuleKind::kDormantReactivation: {
        Instant last = slot.last_activity();
        hit = last > 0 && sat_sub(t, last) >= r.window_us && f.amount_base >= r.min_amount;
        break;
      }
      case RuleKind::kForeignAmount:
        hit = !f.country.empty() && f.country != home && f.amount_base >= r.min_amount;
        break;
    }
    if (hit) {
      fired |= uint64_t{1} << i;
      if (top < 0 || r.score > best) {  // ties keep the earlier rule
        top = static_cast<int>(i);
        best = r.score;
      }
    }
  }
  decision.score = best;
  decision.verdict = domain::verdict_for(best);
  decision.rules_fired = fired;
  decision.top_rule = top;

  fold(f, slot);
  return decision;
}

void Engine::observe(const Features& f, UserStateTable& state) const {
  if (f.user >= state.size()) return;
  internal::SlotRef slot(state.slot_words(f.user), state.ring_capacity_);
  fold(f, slot);
}

}  // namespace wf::rules
