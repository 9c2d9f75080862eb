#include "app/status_line.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace wf::app {
namespace {

std::string read_all(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(StatusLine, PrintsOncePerSecondWithRateAndTotals) {
  ManualClock clock(0);
  std::FILE* out = std::tmpfile();
  StatusLine line(clock, /*tty=*/false, /*lines_when_not_tty=*/true, out);
  RunnerSnapshot s;
  s.records = 1000;
  s.facts = 990;
  s.duplicates = 0;
  s.flagged = 7;
  s.monitored = 3;
  s.dead_letters = 10;
  s.p99_ns = 4200;
  line.maybe_print(s, false);  // less than a second: nothing
  EXPECT_EQ(read_all(out), "");
  clock.advance(kMicrosPerSecond);
  line.maybe_print(s, false);
  std::string text = read_all(out);
  EXPECT_NE(text.find("1000 tx/s"), std::string::npos) << text;
  EXPECT_NE(text.find("flagged 7"), std::string::npos);
  EXPECT_NE(text.find("monitored 3"), std::string::npos);
  EXPECT_NE(text.find("dead letters 10"), std::string::npos);
  EXPECT_NE(text.find("p99 decision 4.2 us"), std::string::npos);
  EXPECT_EQ(text.find("| lag"), std::string::npos);  // a source that cannot tell: no lag
  EXPECT_EQ(text.back(), '\n');
  // A Kafka source knows how far behind it is.
  s.source_lag = 1234;
  clock.advance(kMicrosPerSecond);
  line.maybe_print(s, false);
  text = read_all(out);
  EXPECT_NE(text.find("| lag 1234\n"), std::string::npos) << text;
  std::fclose(out);
}

TEST(StatusLine, SilentOffATtyUnlessAsked) {
  ManualClock clock(0);
  std::FILE* out = std::tmpfile();
  StatusLine line(clock, /*tty=*/false, /*lines_when_not_tty=*/false, out);
  clock.advance(5 * kMicrosPerSecond);
  line.maybe_print(RunnerSnapshot{}, true);
  EXPECT_EQ(read_all(out), "");
  std::fclose(out);
}

}  // namespace
}  // namespace wf::app

namespace wf::app {
namespace {

TEST(StatusLine, P99CoversOnlyTheLastInterval) {
  ManualClock clock(0);
  std::FILE* out = std::tmpfile();
  StatusLine line(clock, /*tty=*/false, /*lines_when_not_tty=*/true, out);
  RunnerSnapshot s;
  for (int i = 0; i < 100; ++i) s.latency_ns.record(900'000);  // 900 us, early on
  clock.advance(kMicrosPerSecond);
  line.maybe_print(s, false);
  for (int i = 0; i < 100; ++i) s.latency_ns.record(2'000);  // 2 us in the next second
  clock.advance(kMicrosPerSecond);
  line.maybe_print(s, false);
  std::string text = read_all(out);
  std::string second = text.substr(text.find('\n') + 1);
  EXPECT_NE(text.find("p99 decision 9"), std::string::npos) << text;  // ~900 us
  EXPECT_NE(second.find("p99 decision 2.0 us"), std::string::npos) << second;
  std::fclose(out);
}

}  // namespace
}  // namespace wf::app
