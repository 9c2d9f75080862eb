// max_disorder_us: lines leave out of event-time order by at most the bound, each user's
// events stay in order, and the labels still match what the rules see.
#include <gtest/gtest.h>

#include <unordered_map>

#include "gen/ph_ewallet.h"
#include "gen_support.h"
#include "sample.h"

namespace wf::gen {
namespace {

TEST(Disorder, BoundedAndPerUserOrdered) {
  StreamOptions o = testing::stream_options(41, 0.05);
  o.max_disorder_us = 2 * kMicrosPerMinute;
  o.tx_per_user_per_day = 40;  // dense enough that two minutes hold many events
  o.bad_rate = 0.01;
  StreamGenerator gen(testing::dims(), o);
  testing::RuleReplay rules(testing::dims());
  std::unordered_map<std::string, Instant> user_last;
  std::string line;
  Label label;
  std::string why;
  Instant newest = 0;
  int inversions = 0, patterns = 0, caught = 0;
  for (int i = 0; i < 60'000; ++i) {
    line.clear();
    if (!gen.next(&line, &label)) continue;
    testing::Parsed e;
    ASSERT_TRUE(testing::parse_event(std::string_view(line).substr(0, line.size() - 1), &e, &why))
        << why;
    ASSERT_EQ(e.id, label.transaction_id);
    ASSERT_GE(e.ts, newest - o.max_disorder_us);
    inversions += e.ts < newest;
    newest = std::max(newest, e.ts);
    Instant& last = user_last[e.user];
    ASSERT_GE(e.ts, last) << e.user;
    last = e.ts;
    const unsigned fired = rules.evaluate(e);
    if (label.pattern.empty()) {
      ASSERT_EQ(fired & 0b110u, 0u) << line;
    } else {
      ++patterns;
      caught += (fired >> (label.pattern[3] - '1')) & 1;
    }
  }
  EXPECT_GT(inversions, 1'000);
  EXPECT_GT(patterns, 1'000);
  EXPECT_EQ(caught, patterns);
  EXPECT_GT(gen.bad_lines().total, 300);
}

}  // namespace
}  // namespace wf::gen
