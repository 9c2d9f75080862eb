#include "core/time.h"

#include <gtest/gtest.h>

#include "core/cycle_timer.h"
#include "core/rng.h"
#include "core/uuid.h"

namespace wf {
namespace {

TEST(ParseRfc3339, HandlesOffsetsAndFractions) {
  Instant utc = *parse_rfc3339("2026-11-25T10:05:56Z");
  EXPECT_EQ(*parse_rfc3339("2026-11-25T18:05:56+08:00"), utc);
  EXPECT_EQ(*parse_rfc3339("2026-11-25T03:05:56-07:00"), utc);
  EXPECT_EQ(*parse_rfc3339("2026-11-25 10:05:56.5Z"), utc + 500000);
  EXPECT_EQ(*parse_rfc3339("2026-11-25T10:05:56.123456789Z"), utc + 123456);
  EXPECT_EQ(*parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_rfc3339("2024-02-29T00:00:00Z"), days_from_civil(2024, 2, 29) * kMicrosPerDay);
}

TEST(ParseRfc3339, RejectsBadTimestamps) {
  const char* bad[] = {"",
                       "2026-11-25",
                       "2026-11-25T10:05:56",
                       "2026-13-01T00:00:00Z",
                       "2026-02-29T00:00:00Z",
                       "2026-11-25T24:00:00Z",
                       "2026-11-25T10:05:56+8:00",
                       "2026-11-25T10:05:56Zjunk",
                       "yesterday",
                       "2026-11-25T10:05:56.Z",
                       "0000-01-01T00:00:00+00:01",
                       "1969-12-31T23:59:59Z",
                       "2200-01-01T00:00:00Z",
                       "9999-12-31T23:59:59-00:01"};
  for (const char* text : bad) {
    auto r = parse_rfc3339(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, Errc::kBadTimestamp) << text;
  }
}

TEST(FormatUtc, IsFixedWidthAndRoundTrips) {
  Instant t = *parse_rfc3339("2026-01-02T03:04:05.000678Z");
  EXPECT_EQ(format_utc(t), "2026-01-02T03:04:05.000678Z");
  EXPECT_EQ(*parse_rfc3339(format_utc(t)), t);
  EXPECT_EQ(format_rfc3339_offset(t, 480), "2026-01-02T11:04:05.000+08:00");
  EXPECT_EQ(format_date(t, 480), "2026-01-02");
  EXPECT_EQ(format_date(*parse_rfc3339("2026-01-02T20:00:00Z"), 480), "2026-01-03");
}

TEST(LocalHour, UsesTheProfileOffset) {
  Instant t = *parse_rfc3339("2026-11-25T17:30:00Z");
  EXPECT_EQ(local_hour(t, 0), 17);
  EXPECT_EQ(local_hour(t, 480), 1);  // 01:30 in Manila
  EXPECT_EQ(local_hour(t, 420), 0);  // 00:30 in Jakarta
}

TEST(Uuid, IsTimeOrderedAndVersion7) {
  Rng rng(42);
  std::string a = make_uuid_v7(*parse_rfc3339("2026-11-25T10:00:00Z"), rng);
  std::string b = make_uuid_v7(*parse_rfc3339("2026-11-25T10:00:01Z"), rng);
  EXPECT_EQ(a.size(), kUuidChars);
  EXPECT_EQ(a[14], '7');
  EXPECT_LT(a, b);
  Rng same(42);
  EXPECT_EQ(make_uuid_v7(*parse_rfc3339("2026-11-25T10:00:00Z"), same), a);
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock clock(1000);
  EXPECT_EQ(clock.now(), 1000);
  clock.advance(kMicrosPerSecond);
  EXPECT_EQ(clock.now(), 1000 + kMicrosPerSecond);
}

}  // namespace
}  // namespace wf

namespace wf {
namespace {

TEST(CycleTimer, IsMonotonicAndConvertsToNanoseconds) {
  uint64_t a = CycleTimer::ticks();
  uint64_t b = CycleTimer::ticks();
  EXPECT_GE(b, a);
  EXPECT_EQ(CycleTimer::to_ns(0), 0);
  EXPECT_GE(CycleTimer::elapsed_ns(a), 0);
  // A million ticks is a positive, plausible duration (TSCs tick at 0.5-6 GHz; the
  // steady_clock fallback ticks in ns).
  int64_t ns = CycleTimer::to_ns(1'000'000);
  EXPECT_GT(ns, 100'000);
  EXPECT_LE(ns, 2'000'000);
}

}  // namespace
}  // namespace wf
