// Test support for the generator tests: parses generated lines back and replays the
// seed-000 rules over them exactly as the pipeline states them (SPEC section 6), so
// label quality is checked against the rule definitions, not the generator's intent.
#pragma once

#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/money.h"
#include "core/time.h"
#include "gen/ph_ewallet.h"

namespace wf::gen::testing {

struct Parsed {
  std::string id, user, type, currency, country, city, province, device, ip, phone;
  std::string merchant, counterparty, channel, method, status, timestamp;
  std::string amount_text;
  bool amount_is_string = false;
  Instant ts = 0;
  int64_t minor = 0;
  int64_t php = 0;  // centavos after the pack's FX
  double lat = 0, lon = 0;
};

// PHP centavos per minor unit x 1e6, as in the ph-ewallet rule pack.
inline int64_t php_centavos(int64_t minor, std::string_view currency) {
  struct R {
    const char* c;
    int64_t ratio;
  };
  static const R kRates[] = {{"PHP", 1'000'000},  {"USD", 58'000'000}, {"EUR", 63'000'000},
                             {"GBP", 74'000'000}, {"JPY", 39'000'000}, {"SGD", 43'500'000},
                             {"HKD", 7'450'000},  {"AED", 15'800'000}, {"SAR", 15'450'000},
                             {"KRW", 4'200'000},  {"AUD", 38'000'000}, {"CAD", 42'000'000}};
  for (const R& r : kRates) {
    if (currency == r.c) return static_cast<int64_t>(std::llround(minor * (r.ratio / 1e6)));
  }
  return -1;
}

inline std::string raw_value(std::string_view line, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":";
  const size_t at = line.find(needle);
  if (at == std::string_view::npos) return "";
  size_t p = at + needle.size();
  if (line[p] == '"') {
    const size_t end = line.find('"', p + 1);
    return std::string(line.substr(p, end - p + 1));
  }
  size_t end = p;
  while (end < line.size() && line[end] != ',' && line[end] != '}') ++end;
  return std::string(line.substr(p, end - p));
}

// Parses a well-formed generated line; false (with a message) when it is not one.
inline bool parse_event(std::string_view line, Parsed* out, std::string* why) {
  static simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
    *why = "not JSON";
    return false;
  }
  auto str = [&](const char* key, std::string* dst, bool required) {
    std::string_view v;
    if (doc[key].get_string().get(v) != simdjson::SUCCESS) {
      if (required) *why = std::string("missing or non-string ") + key;
      return !required;
    }
    dst->assign(v);
    return true;
  };
  if (!str("transaction_id", &out->id, true) || !str("event_timestamp", &out->timestamp, true) ||
      !str("user_id", &out->user, true) || !str("transaction_type", &out->type, true) ||
      !str("currency", &out->currency, true) || !str("country", &out->country, true) ||
      !str("city", &out->city, true) || !str("province", &out->province, true) ||
      !str("device_id", &out->device, true) || !str("ip_address", &out->ip, true) ||
      !str("phone_number", &out->phone, true) || !str("channel", &out->channel, true) ||
      !str("payment_method", &out->method, true) || !str("status", &out->status, true) ||
      !str("merchant_id", &out->merchant, false) ||
      !str("counterparty_id", &out->counterparty, false)) {
    return false;
  }
  if (doc["lat"].get_double().get(out->lat) != simdjson::SUCCESS ||
      doc["lon"].get_double().get(out->lon) != simdjson::SUCCESS) {
    *why = "lat/lon";
    return false;
  }
  std::string raw = raw_value(line, "amount");
  out->amount_is_string = !raw.empty() && raw[0] == '"';
  out->amount_text = out->amount_is_string ? raw.substr(1, raw.size() - 2) : raw;
  auto ts = parse_rfc3339(out->timestamp);
  auto cur = Currency::from_code(out->currency);
  if (!ts.ok() || !cur.ok()) {
    *why = "timestamp or currency";
    return false;
  }
  out->ts = *ts;
  auto minor = parse_minor_units(out->amount_text, cur->exponent());
  if (!minor.ok() || *minor <= 0) {
    *why = "amount " + out->amount_text;
    return false;
  }
  out->minor = *minor;
  out->php = php_centavos(out->minor, out->currency);
  return true;
}

inline double km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = M_PI / 180;
  const double a = std::pow(std::sin((lat2 - lat1) * kRad / 2), 2) +
                   std::cos(lat1 * kRad) * std::cos(lat2 * kRad) *
                       std::pow(std::sin((lon2 - lon1) * kRad / 2), 2);
  return 2 * 6371.0088 * std::asin(std::sqrt(a));
}

// The six ph-ewallet rules over events in arrival order. fired[i] bit k-1 = rule Rk.
class RuleReplay {
 public:
  explicit RuleReplay(const Dimensions& dims) {
    for (const domain::User& u : dims.users) last_activity_[u.user_id] = u.last_txn_at;
  }
  unsigned evaluate(const Parsed& e) {
    unsigned fired = 0;
    const int hour = local_hour(e.ts, 480);
    if (e.php >= 5'000'000 && hour < 5) fired |= 1u << 0;
    auto& times = recent_[e.user];
    times.push_back(e.ts);
    while (!times.empty() && times.front() < e.ts - 5 * kMicrosPerMinute) times.pop_front();
    if (times.size() > 10) fired |= 1u << 1;
    auto prev = previous_.find(e.user);
    if (prev != previous_.end()) {
      const Previous& p = prev->second;
      if (km(p.lat, p.lon, e.lat, e.lon) > 100 && e.ts - p.ts <= 10 * kMicrosPerMinute &&
          e.ts >= p.ts) {
        fired |= 1u << 2;
      }
    }
    previous_[e.user] = Previous{e.ts, e.lat, e.lon};
    if (e.php >= 1'000'000 && e.php % 100'000 == 0) fired |= 1u << 3;
    Instant& last = last_activity_[e.user];
    if (last != 0 && e.ts - last >= 180 * kMicrosPerDay && e.php >= 2'000'000) fired |= 1u << 4;
    if (e.ts > last) last = e.ts;
    if (e.php >= 3'000'000 && e.country != "PH") fired |= 1u << 5;
    return fired;
  }
  static bool flags(unsigned fired) { return (fired & ~(1u << 3)) != 0; }  // R004 monitors

 private:
  struct Previous {
    Instant ts;
    double lat, lon;
  };
  std::unordered_map<std::string, Instant> last_activity_;
  std::unordered_map<std::string, std::deque<Instant>> recent_;
  std::unordered_map<std::string, Previous> previous_;
};

inline Instant test_now() { return *parse_rfc3339("2026-03-01T00:00:00Z"); }

}  // namespace wf::gen::testing
