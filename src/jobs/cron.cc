#include "jobs/cron.h"

#include <array>
#include <charconv>
#include <vector>

namespace wf::jobs {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (true) {
    size_t next = s.find(sep, at);
    out.push_back(
        s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) return out;
    at = next + 1;
  }
}

// One field into `bits` (indexes lo..hi); names: index 0 is the value `name_base`.
template <size_t N>
Status field(std::string_view text, int lo, int hi, std::string_view what,
             const std::string_view* names, size_t n_names, int name_base, std::bitset<N>* bits) {
  auto bad = [&](const std::string& why) {
    return make_error(Errc::kConfig,
                      std::string(what) + " field '" + std::string(text) + "': " + why);
  };
  auto value = [&](std::string_view v, int* out) -> bool {
    for (size_t i = 0; i < n_names; ++i) {
      if (v.size() == 3 && std::tolower(v[0]) == names[i][0] && std::tolower(v[1]) == names[i][1] &&
          std::tolower(v[2]) == names[i][2]) {
        *out = static_cast<int>(i) + name_base;
        return true;
      }
    }
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
    return ec == std::errc() && end == v.data() + v.size();
  };
  if (text.empty()) return bad("empty");
  for (std::string_view part : split(text, ',')) {
    int step = 1;
    if (size_t slash = part.find('/'); slash != std::string_view::npos) {
      std::string_view s = part.substr(slash + 1);
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
      if (ec != std::errc() || end != s.data() + s.size() || step < 1) return bad("bad step");
      part = part.substr(0, slash);
    }
    int first = lo, last = hi;
    if (part != "*") {
      size_t dash = part.find('-');
      if (dash == std::string_view::npos) {
        if (!value(part, &first)) return bad("'" + std::string(part) + "' is not a value");
        // "5/15" runs from 5 to the end, like "5-59/15".
        last = step > 1 ? hi : first;
      } else if (!value(part.substr(0, dash), &first) || !value(part.substr(dash + 1), &last)) {
        return bad("bad range '" + std::string(part) + "'");
      }
    }
    if (first < lo || last > hi || first > last) {
      return bad("out of " + std::to_string(lo) + "-" + std::to_string(hi));
    }
    for (int v = first; v <= last; v += step) bits->set(static_cast<size_t>(v));
  }
  return Status::Ok();
}

}  // namespace

Result<Cron> Cron::parse(std::string_view text) {
  Cron c;
  c.text_ = std::string(text);
  std::string_view spec = text;
  if (spec == "@hourly") spec = "0 * * * *";
  if (spec == "@daily" || spec == "@midnight") spec = "0 0 * * *";
  if (spec == "@weekly") spec = "0 0 * * 0";
  if (spec == "@monthly") spec = "0 0 1 * *";
  if (spec == "@yearly" || spec == "@annually") spec = "0 0 1 1 *";
  std::vector<std::string_view> fields;
  for (std::string_view f : split(spec, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 5) {
    return make_error(Errc::kConfig, "cron '" + std::string(text) +
                                         "': want five fields (minute hour day month weekday)"
                                         " or @hourly/@daily/@weekly/@monthly/@yearly");
  }
  auto wrap = [&](Status s) -> Status {
    if (s.ok()) return s;
    return make_error(Errc::kConfig, "cron '" + std::string(text) + "': " + s.error().message);
  };
  WF_RETURN_IF_ERROR(wrap(field(fields[0], 0, 59, "minute", nullptr, 0, 0, &c.minute_)));
  WF_RETURN_IF_ERROR(wrap(field(fields[1], 0, 23, "hour", nullptr, 0, 0, &c.hour_)));
  WF_RETURN_IF_ERROR(wrap(field(fields[2], 1, 31, "day-of-month", nullptr, 0, 0, &c.dom_)));
  WF_RETURN_IF_ERROR(
      wrap(field(fields[3], 1, 12, "month", kMonths.data(), kMonths.size(), 1, &c.month_)));
  std::bitset<8> dow;
  WF_RETURN_IF_ERROR(
      wrap(field(fields[4], 0, 7, "day-of-week", kDays.data(), kDays.size(), 0, &dow)));
  for (size_t d = 0; d < 7; ++d) c.dow_[d] = dow[d];
  if (dow[7]) c.dow_[0] = true;  // 7 is Sunday too
  c.dom_any_ = fields[2][0] == '*';
  c.dow_any_ = fields[4][0] == '*';
  // A day-of-month no selected month has (Feb 30) would never fire.
  if (!c.dom_any_ && c.dow_any_) {
    constexpr int kLongest[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool possible = false;
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= kLongest[m] && c.month_[static_cast<size_t>(m)]; ++d) {
        possible |= c.dom_[static_cast<size_t>(d)];
      }
    }
    if (!possible) {
      return make_error(Errc::kConfig, "cron '" + std::string(text) + "' never fires");
    }
  }
  return c;
}

bool Cron::day_matches(int64_t days) const {
  CivilDate d = civil_from_days(days);
  if (!month_[d.month]) return false;
  const bool dom = dom_[d.day];
  const bool dow = dow_[static_cast<size_t>(((days % 7) + 11) % 7)];  // 1970-01-01: Thursday
  if (dom_any_ && dow_any_) return true;
  if (dom_any_) return dow;
  if (dow_any_) return dom;
  return dom || dow;
}

Instant Cron::next_after(Instant t, int offset_minutes) const {
  const int64_t offset = int64_t{offset_minutes} * kMicrosPerMinute;
  // The first whole local minute after t.
  int64_t minute = (t + offset) / kMicrosPerMinute + 1;
  if (t + offset < 0 && (t + offset) % kMicrosPerMinute != 0) minute -= 1;
  int64_t day = minute / (24 * 60);
  int from_minute = static_cast<int>(minute % (24 * 60));
  for (int i = 0; i < 366 * 8; ++i, ++day, from_minute = 0) {
    if (!day_matches(day)) continue;
    for (int m = from_minute; m < 24 * 60; ++m) {
      if (hour_[static_cast<size_t>(m / 60)] && minute_[static_cast<size_t>(m % 60)]) {
        return (day * 24 * 60 + m) * kMicrosPerMinute - offset;
      }
    }
  }
  return INT64_MAX;  // unreachable for an expression parse() accepted
}

Instant Cron::last_at_or_before(Instant t, int offset_minutes) const {
  const int64_t offset = int64_t{offset_minutes} * kMicrosPerMinute;
  int64_t minute = (t + offset) / kMicrosPerMinute;
  int64_t day = minute / (24 * 60);
  int to_minute = static_cast<int>(minute % (24 * 60));
  for (int i = 0; i < 366 * 5; ++i, --day, to_minute = 24 * 60 - 1) {
    if (!day_matches(day)) continue;
    for (int m = to_minute; m >= 0; --m) {
      if (hour_[static_cast<size_t>(m / 60)] && minute_[static_cast<size_t>(m % 60)]) {
        return (day * 24 * 60 + m) * kMicrosPerMinute - offset;
      }
    }
  }
  return 0;
}

}  // namespace wf::jobs
