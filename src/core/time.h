// UTC instants (microseconds since the Unix epoch), RFC 3339 parsing and formatting,
// and the injectable Clock. Rules read the event's time, never a Clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wf {

// Microseconds since 1970-01-01T00:00:00Z.
using Instant = int64_t;

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// Days since the epoch for a proleptic Gregorian date (Hinnant's algorithm).
int64_t days_from_civil(int year, unsigned month, unsigned day);
struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
CivilDate civil_from_days(int64_t days);

// Parses "2026-11-25T18:05:56.123+08:00" / "...Z" (RFC 3339; 'T' or ' ' separator,
// up to 9 fractional digits, truncated to microseconds). Errors are kBadTimestamp,
// including instants outside 1970-2199.
Result<Instant> parse_rfc3339(std::string_view text);

// Fixed-width UTC text "2026-11-25T10:05:56.123456Z" (27 chars) written to `out`,
// which must hold kTimestampChars bytes; lexicographic order is time order.
inline constexpr size_t kTimestampChars = 27;
void format_utc(Instant t, char* out);
std::string format_utc(Instant t);
// RFC 3339 with a local offset, e.g. "2026-11-25T18:05:56.123+08:00" (millisecond precision).
std::string format_rfc3339_offset(Instant t, int offset_minutes);
// "2026-11-25" of the UTC instant shifted by offset_minutes.
std::string format_date(Instant t, int offset_minutes = 0);
// Parses "2026-11-25" as midnight UTC.
Result<Instant> parse_date(std::string_view text);
// "5m", "180d", "250ms": a non-negative integer and one unit of ms, s, m, h, d, in
// microseconds. kConfig naming the text when malformed or beyond ~292 years.
Result<int64_t> parse_duration_us(std::string_view text);

// "+08:00" / "-05:30" -> minutes east of UTC (kInvalidArgument otherwise).
Result<int> parse_utc_offset(std::string_view text);

// Hour of day 0-23 at a fixed offset from UTC (PH is +480 minutes).
inline int local_hour(Instant t, int offset_minutes) {
  int64_t local = t + offset_minutes * kMicrosPerMinute;
  int64_t in_day = local % kMicrosPerDay;
  if (in_day < 0) in_day += kMicrosPerDay;
  return static_cast<int>(in_day / kMicrosPerHour);
}

// Day of the week 0 (Monday) - 6 (Sunday) at a fixed offset from UTC.
inline int local_weekday(Instant t, int offset_minutes) {
  int64_t local = t + offset_minutes * kMicrosPerMinute;
  int64_t day = local / kMicrosPerDay - (local % kMicrosPerDay < 0 ? 1 : 0);
  // 1970-01-01 was a Thursday (3).
  int64_t w = (day + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

// Time source for everything that needs "now" (status lines, latency, live generation).
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
  // Monotonic microseconds for measuring durations.
  virtual int64_t monotonic_us() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant now() const override;
  int64_t monotonic_us() const override;
};

// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start = 0) : now_(start) {}
  Instant now() const override { return now_; }
  int64_t monotonic_us() const override { return now_; }
  void advance(int64_t micros) { now_ += micros; }
  void set(Instant t) { now_ = t; }

 private:
  Instant now_;
};

}  // namespace wf
