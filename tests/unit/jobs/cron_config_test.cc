// Cron expressions fire as crontab(5) says, at a local offset; the operations config
// parses the shipped file and names each problem's line.
#include <gtest/gtest.h>

#include "jobs/config.h"
#include "jobs/cron.h"

namespace wf::jobs {
namespace {

constexpr int kPh = 480;  // +08:00

Instant utc(const char* text) { return *parse_rfc3339(text); }

std::string next_local(const char* cron, const char* after_local) {
  auto c = Cron::parse(cron);
  EXPECT_TRUE(c.ok()) << cron << ": " << (c.ok() ? "" : c.error().message);
  if (!c.ok()) return "";
  return format_rfc3339_offset(c->next_after(utc(after_local), kPh), kPh).substr(0, 16);
}

TEST(Cron, FiresAtTheNextLocalTime) {
  // 02:00 in Manila is 18:00 UTC the day before.
  EXPECT_EQ(next_local("0 2 * * *", "2026-11-25T01:00:00+08:00"), "2026-11-25T02:00");
  EXPECT_EQ(next_local("0 2 * * *", "2026-11-25T02:00:00+08:00"), "2026-11-26T02:00");
  EXPECT_EQ(Cron::parse("0 2 * * *")->next_after(utc("2026-11-25T12:00:00Z"), kPh),
            utc("2026-11-25T18:00:00Z"));
  EXPECT_EQ(next_local("*/10 * * * *", "2026-11-25T10:41:30+08:00"), "2026-11-25T10:50");
  EXPECT_EQ(next_local("*/10 * * * *", "2026-11-25T23:55:00+08:00"), "2026-11-26T00:00");
  // Weekdays, business hours: Friday evening -> Monday morning (2026-11-27 is a Friday).
  EXPECT_EQ(next_local("*/15 9-17 * * mon-fri", "2026-11-27T17:50:00+08:00"), "2026-11-30T09:00");
  EXPECT_EQ(next_local("0 12 * * 7", "2026-11-25T00:00:00+08:00"), "2026-11-29T12:00");
  EXPECT_EQ(next_local("0 12 * * sun", "2026-11-25T00:00:00+08:00"), "2026-11-29T12:00");
  EXPECT_EQ(next_local("0 0 1,15 * *", "2026-11-15T00:00:00+08:00"), "2026-12-01T00:00");
  EXPECT_EQ(next_local("0 0 29 2 *", "2026-03-01T00:00:00+08:00"), "2028-02-29T00:00");
  EXPECT_EQ(next_local("30 4 1 jan *", "2026-11-25T00:00:00+08:00"), "2027-01-01T04:30");
  // Both day fields restricted: either matches (the 13th, or any Friday).
  EXPECT_EQ(next_local("0 0 13 * fri", "2026-11-25T00:00:00+08:00"), "2026-11-27T00:00");
  EXPECT_EQ(next_local("0 0 13 * fri", "2026-12-10T00:00:00+08:00"), "2026-12-11T00:00");
  EXPECT_EQ(next_local("0 0 13 * fri", "2026-12-12T00:00:00+08:00"), "2026-12-13T00:00");
  EXPECT_EQ(next_local("@hourly", "2026-11-25T10:00:00+08:00"), "2026-11-25T11:00");
  EXPECT_EQ(next_local("@monthly", "2026-11-25T10:00:00+08:00"), "2026-12-01T00:00");
  EXPECT_EQ(next_local("5/20 * * * *", "2026-11-25T10:06:00+08:00"), "2026-11-25T10:25");
  EXPECT_EQ(next_local("0 8-18/5 * * *", "2026-11-25T14:00:00+08:00"), "2026-11-25T18:00");
}

TEST(Cron, LastFiringAtOrBefore) {
  auto c = Cron::parse("0 2 * * *");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->last_at_or_before(utc("2026-11-25T02:00:00+08:00"), kPh),
            utc("2026-11-25T02:00:00+08:00"));
  EXPECT_EQ(c->last_at_or_before(utc("2026-11-25T01:59:00+08:00"), kPh),
            utc("2026-11-24T02:00:00+08:00"));
}

TEST(Cron, RefusesWhatCrontabWould) {
  for (const char* bad :
       {"60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "* * * *",
        "* * * * * *", "a * * * *", "*/0 * * * *", "5-1 * * * *", "0 0 30 2 *", "@often", ""}) {
    auto c = Cron::parse(bad);
    EXPECT_FALSE(c.ok()) << "'" << bad << "'";
    if (!c.ok()) {
      EXPECT_EQ(c.error().code, Errc::kConfig);
    }
  }
  EXPECT_NE(Cron::parse("0 0 30 2 *").error().message.find("never fires"), std::string::npos);
  EXPECT_NE(Cron::parse("61 * * * *").error().message.find("minute field '61'"), std::string::npos);
}

TEST(OpsConfig, TheShippedConfigParses) {
  auto c = parse_ops_config(default_ops_config_toml(), "builtin");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->offset_minutes, 480);
  const JobSpec* daily = c->find("gold_marts_daily");
  ASSERT_NE(daily, nullptr);
  ASSERT_TRUE(daily->schedule.has_value());
  EXPECT_EQ(daily->schedule->text(), "0 2 * * *");  // seed 000: daily at 02:00
  EXPECT_EQ(daily->catch_up, CatchUp::kAll);
  const JobSpec* quality = c->find("quality");
  ASSERT_NE(quality, nullptr);
  EXPECT_EQ(quality->after, "gold_marts_daily");
  for (const char* name : {"hourly_velocity", "partition_maintenance", "retention"}) {
    EXPECT_NE(c->find(name), nullptr) << name;
  }
  EXPECT_EQ(c->alerts.burst_flagged, 50);
}

TEST(OpsConfig, WebhookDeliverySettings) {
  auto c = parse_ops_config(R"toml(webhook_timeout = "1500ms"
webhook_attempts = 7
webhook_backoff = "2s"
webhook_drain = "1m"
)toml",
                            "ops.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->webhooks.timeout_us, 1'500'000);
  EXPECT_EQ(c->webhooks.attempts, 7);
  EXPECT_EQ(c->webhooks.backoff_us, 2'000'000);
  EXPECT_EQ(c->webhooks.drain_us, 60'000'000);
  auto bad = parse_ops_config("webhook_attempts = 0\nwebhook_timeout = \"0s\"\n", "o.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("o.toml:1:20: 'webhook_attempts' must be an integer in 1..20"),
            std::string::npos)
      << bad.error().message;
  EXPECT_NE(bad.error().message.find("o.toml:2:"), std::string::npos) << bad.error().message;
}

TEST(OpsConfig, ProblemsNameTheirLine) {
  auto c = parse_ops_config(R"toml(utc_offset = "+8"
colour = "blue"

[[job]]
name = "a"
schedule = "0 25 * * *"
action = "marts"

[[job]]
name = "b"
action = "launch"
after = "nobody"

[[job]]
name = "c"
schedule = "@daily"
after = "a"
action = "command"

[alerts]
burst_window = "soon"
)toml",
                            "ops.toml");
  ASSERT_FALSE(c.ok());
  const std::string& m = c.error().message;
  EXPECT_NE(m.find("ops.toml:1:14: a UTC offset looks like +08:00"), std::string::npos) << m;
  EXPECT_NE(m.find("ops.toml:2:10: unknown key 'colour'"), std::string::npos) << m;
  EXPECT_NE(m.find("hour field '25'"), std::string::npos) << m;
  EXPECT_NE(m.find("'action' must be one of"), std::string::npos) << m;
  EXPECT_NE(m.find("needs either 'schedule' or 'after'"), std::string::npos) << m;
  EXPECT_NE(m.find("action command needs a 'command'"), std::string::npos) << m;
  EXPECT_NE(m.find("bad duration 'soon'"), std::string::npos) << m;
}

}  // namespace
}  // namespace wf::jobs
