#include "core/time.h"

#include <chrono>
#include <cstdio>

namespace wf {

int64_t days_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2)), m, d};
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, int m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

Result<Instant> parse_rfc3339(std::string_view s) {
  auto bad = [&](const char* why) {
    return make_error(Errc::kBadTimestamp, std::string(why) + ": '" + std::string(s) + "'");
  };
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, &month) ||
      s[7] != '-' || !digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2, &hour) || s[13] != ':' || !digits(s, 14, 2, &minute) || s[16] != ':' ||
      !digits(s, 17, 2, &second)) {
    return bad("not an RFC 3339 timestamp");
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, month) || hour > 23 || minute > 59 ||
      second > 60) {
    return bad("timestamp field out of range");
  }
  if (second == 60) second = 59;  // leap second: clamp, never reject
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) micros = micros * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return bad("empty fraction of a second");
    for (int k = n; k < 6; ++k) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad("bad UTC offset");
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("timestamp has no UTC offset");
  }
  if (pos != s.size()) return bad("trailing characters after timestamp");
  int64_t days = days_from_civil(year, month, day);
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  Instant t = secs * kMicrosPerSecond + micros;
  // Transactions happen between 1970 and 2199: anything else is a producer bug, and
  // would also break fixed-width storage and time-window state.
  static const Instant kLatest = days_from_civil(2200, 1, 1) * kMicrosPerDay;
  if (t < 0 || t >= kLatest) return bad("timestamp outside 1970-2199");
  return t;
}

namespace {
void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}
}  // namespace

void format_utc(Instant t, char* out) {
  int64_t days = t >= 0 ? t / kMicrosPerDay : (t - kMicrosPerDay + 1) / kMicrosPerDay;
  int64_t rem = t - days * kMicrosPerDay;
  CivilDate d = civil_from_days(days);
  unsigned y = static_cast<unsigned>(d.year);
  out[0] = static_cast<char>('0' + y / 1000 % 10);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  put2(out + 2, y % 100);
  out[4] = '-';
  put2(out + 5, d.month);
  out[7] = '-';
  put2(out + 8, d.day);
  out[10] = 'T';
  int64_t secs = rem / kMicrosPerSecond;
  put2(out + 11, static_cast<unsigned>(secs / 3600));
  out[13] = ':';
  put2(out + 14, static_cast<unsigned>(secs / 60 % 60));
  out[16] = ':';
  put2(out + 17, static_cast<unsigned>(secs % 60));
  out[19] = '.';
  unsigned us = static_cast<unsigned>(rem % kMicrosPerSecond);
  for (int i = 25; i >= 20; --i) {
    out[i] = static_cast<char>('0' + us % 10);
    us /= 10;
  }
  out[26] = 'Z';
}

std::string format_utc(Instant t) {
  std::string s(kTimestampChars, '\0');
  format_utc(t, s.data());
  return s;
}

std::string format_rfc3339_offset(Instant t, int offset_minutes) {
  char buf[kTimestampChars];
  format_utc(t + offset_minutes * kMicrosPerMinute, buf);
  std::string out(buf, 23);  // through milliseconds
  int m = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char tz[16];
  std::snprintf(tz, sizeof tz, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
  out += tz;
  return out;
}

std::string format_date(Instant t, int offset_minutes) {
  return format_utc(t + offset_minutes * kMicrosPerMinute).substr(0, 10);
}

Result<int> parse_utc_offset(std::string_view text) {
  auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' || !digit(1) ||
      !digit(2) || !digit(4) || !digit(5)) {
    return make_error(Errc::kInvalidArgument,
                      "a UTC offset looks like +08:00, not '" + std::string(text) + "'");
  }
  int h = (text[1] - '0') * 10 + (text[2] - '0');
  int m = (text[4] - '0') * 10 + (text[5] - '0');
  if (h > 14 || m > 59) {
    return make_error(Errc::kInvalidArgument,
                      "UTC offset '" + std::string(text) + "' out of range");
  }
  return (text[0] == '-' ? -1 : 1) * (h * 60 + m);
}

Result<int64_t> parse_duration_us(std::string_view text) {
  auto bad = [&] {
    return make_error(Errc::kConfig, "bad duration '" + std::string(text) +
                                         "' (want an integer and a unit: ms, s, m, h, d)");
  };
  size_t i = 0;
  int64_t value = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (INT64_MAX - 9) / 10) return bad();
    value = value * 10 + (text[i] - '0');
  }
  if (i == 0) return bad();
  std::string_view unit = text.substr(i);
  int64_t scale = unit == "ms"  ? 1000
                  : unit == "s" ? kMicrosPerSecond
                  : unit == "m" ? kMicrosPerMinute
                  : unit == "h" ? kMicrosPerHour
                  : unit == "d" ? kMicrosPerDay
                                : 0;
  if (scale == 0 || value > INT64_MAX / scale) return bad();
  return value * scale;
}

Result<Instant> parse_date(std::string_view text) {
  int y, m, d;
  if (text.size() != 10 || !digits(text, 0, 4, &y) || text[4] != '-' || !digits(text, 5, 2, &m) ||
      text[7] != '-' || !digits(text, 8, 2, &d) || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > days_in_month(y, m)) {
    return make_error(Errc::kInvalidArgument,
                      "not a date (YYYY-MM-DD): '" + std::string(text) + "'");
  }
  return days_from_civil(y, m, d) * kMicrosPerDay;
}

Instant SystemClock::now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::monotonic_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace wf
