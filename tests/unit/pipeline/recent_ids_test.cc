#include "pipeline/recent_ids.h"

#include <gtest/gtest.h>

#include <string>

namespace wf::pipeline {
namespace {

TEST(RecentIds, RecognisesIdsWithinAHorizonAndForgetsOlderOnes) {
  RecentIds ids(10 * kMicrosPerMinute);
  Instant t = *parse_rfc3339("2026-11-25T10:00:00Z");
  EXPECT_FALSE(ids.seen_or_add("a", t));
  EXPECT_TRUE(ids.seen_or_add("a", t + kMicrosPerSecond));
  EXPECT_FALSE(ids.seen_or_add("b", t + 11 * kMicrosPerMinute));  // rotates once
  EXPECT_TRUE(ids.seen_or_add("a", t + 11 * kMicrosPerMinute));   // previous generation
  EXPECT_FALSE(ids.seen_or_add("c", t + 25 * kMicrosPerMinute));  // rotates again
  EXPECT_FALSE(ids.seen_or_add("a", t + 25 * kMicrosPerMinute));  // two horizons on: gone
}

TEST(RecentIds, GrowsWithoutLosingIds) {
  RecentIds ids(kMicrosPerDay);
  for (int i = 0; i < 50'000; ++i) ASSERT_FALSE(ids.seen_or_add("id-" + std::to_string(i), 1));
  for (int i = 0; i < 50'000; ++i) ASSERT_TRUE(ids.seen_or_add("id-" + std::to_string(i), 2));
  EXPECT_EQ(ids.size(), 50'000u);
}

}  // namespace
}  // namespace wf::pipeline
