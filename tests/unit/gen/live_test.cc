// Live mode: events happen at the caller's clock, ordinary traffic still keeps its
// per-user gap, and scheduled pattern events come out once their time has come.
#include <gtest/gtest.h>

#include "gen/ph_ewallet.h"
#include "gen_support.h"
#include "sample.h"

namespace wf::gen {
namespace {

TEST(LiveMode, EventsAtTheCallersClock) {
  StreamOptions o = testing::stream_options(31, 0.05);
  StreamGenerator gen(testing::dims(), o);
  testing::RuleReplay rules(testing::dims());
  std::string line;
  Label label;
  std::string why;
  Instant now = testing::test_now() + 9 * kMicrosPerHour;  // 17:00 local
  int at_now = 0, patterns = 0, n = 0;
  for (int i = 0; i < 100'000; ++i, now += 10'000) {  // 100 events/s for 1,000 s
    line.clear();
    ASSERT_TRUE(gen.next_at(now, &line, &label));
    testing::Parsed e;
    ASSERT_TRUE(testing::parse_event(std::string_view(line).substr(0, line.size() - 1), &e, &why))
        << why;
    ++n;
    ASSERT_LE(e.ts, now);
    at_now += e.ts / 1000 == now / 1000;
    const unsigned fired = rules.evaluate(e);
    if (label.pattern.empty()) {
      ASSERT_EQ(fired & 0b110u, 0u) << line;
    } else if (label.pattern != "R001") {  // R001 waits for the night
      ++patterns;
      const int rule = label.pattern[3] - '0';
      EXPECT_TRUE((fired >> (rule - 1)) & 1) << line;
    }
  }
  EXPECT_GT(at_now / double(n), 0.9);
  EXPECT_GT(patterns, 1'000);
}

TEST(LiveMode, NightPatternsWaitForTheNight) {
  StreamGenerator gen(testing::dims(), testing::stream_options(32, 0.05));
  std::string line;
  Label label;
  Instant now = testing::test_now() + 4 * kMicrosPerHour;  // 12:00 local
  int r001 = 0;
  for (int i = 0; i < 200'000; ++i, now += 500'000) {  // 2 events/s for 28 hours
    line.clear();
    ASSERT_TRUE(gen.next_at(now, &line, &label));
    if (label.pattern == "R001") {
      ++r001;
      ASSERT_LT(local_hour(now, 480), 6) << line;
    }
  }
  EXPECT_GT(r001, 50);
}

}  // namespace
}  // namespace wf::gen
