// Cron expressions as in crontab(5): five fields (minute hour day-of-month month
// day-of-week) with `*`, lists `1,15`, ranges `1-5`, steps `*/15` and `8-18/2`, month and
// day names (`jan`, `mon`), 0 or 7 for Sunday, and the macros @hourly @daily @weekly
// @monthly @yearly. When both day fields are restricted a day matching either one fires
// (Vixie cron). Times are local at a fixed offset from UTC.
#pragma once

#include <bitset>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace wf::jobs {

class Cron {
 public:
  // kConfig naming the bad field.
  static Result<Cron> parse(std::string_view text);

  // The first firing strictly after `t`, with local time `offset_minutes` ahead of UTC.
  // Always exists for a valid expression (Feb 30 alone never fires: kConfig at parse).
  Instant next_after(Instant t, int offset_minutes) const;
  // The last firing at or before `t`; 0 if none within ~5 years.
  Instant last_at_or_before(Instant t, int offset_minutes) const;

  const std::string& text() const { return text_; }

 private:
  bool day_matches(int64_t days_since_epoch) const;

  std::string text_;
  std::bitset<60> minute_;
  std::bitset<24> hour_;
  std::bitset<32> dom_;    // 1-31
  std::bitset<13> month_;  // 1-12
  std::bitset<7> dow_;     // 0 = Sunday
  bool dom_any_ = true;
  bool dow_any_ = true;
};

}  // namespace wf::jobs
