// The scheduler on both stores, with a hand-moved clock: runs at the cron times, catches
// up what was missed while nothing ran, retries with backoff, never overlaps a running
// job (even another instance's), frees the leases of dead runs, chains jobs, and its
// retention keeps reconciliation whole.
#include "jobs/scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "quality/quality.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace wf::jobs {
namespace {

Instant utc(const char* text) { return *parse_rfc3339(text); }

class SchedulerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string uri = wf::testing::fresh_store_uri(GetParam(), dir_);
    ASSERT_FALSE(uri.empty());
    store_ = std::move(store::open_store(uri)).value();
  }

  OpsConfig config(const std::string& jobs_toml) {
    auto c = parse_ops_config("utc_offset = \"+08:00\"\n" + jobs_toml, "test.toml");
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? *c : OpsConfig();
  }

  Scheduler make(OpsConfig c, std::string instance = "test-host:1") {
    Scheduler::Options o;
    o.instance = std::move(instance);
    o.sleep = [this](int64_t us, const std::atomic<bool>&) {
      slept_.push_back(us);
      clock_.advance(us);
    };
    return Scheduler(*store_, std::move(c), clock_, nullptr, o);
  }

  std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string table() const { return store::table_name(GetParam(), "job_runs"); }

  // "trigger status attempt" of each run of `job`, oldest first.
  std::vector<std::string> runs(Scheduler& s, const std::string& job) {
    auto h = s.history(job, 100);
    EXPECT_TRUE(h.ok());
    std::vector<std::string> out;
    for (auto it = h->rbegin(); it != h->rend(); ++it) {
      out.push_back(it->trigger + " " + it->status + " " + std::to_string(it->attempt));
    }
    return out;
  }

  wf::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  ManualClock clock_{utc("2026-11-20T03:00:00+08:00")};
  std::vector<int64_t> slept_;
  std::atomic<bool> stop_{false};
};

TEST_P(SchedulerTest, RunsAtItsTimesAndCatchesUpWhatWasMissed) {
  const std::string log = dir_.file("dates.txt");
  const std::string jobs =
      "[[job]]\nname = \"nightly\"\nschedule = \"0 2 * * *\"\n"
      "action = \"command\"\ncatch_up = \"all\"\ncommand = \"echo "
      "$WALLETFLOW_JOB_DATE >> " +
      log + "\"\n";
  {
    Scheduler s = make(config(jobs));
    ASSERT_TRUE(s.start(stop_).ok());  // never ran: nothing to catch up
    EXPECT_EQ(read(log), "");
    EXPECT_EQ(s.next_runs().at("nightly"), utc("2026-11-21T02:00:00+08:00"));
    clock_.set(utc("2026-11-21T01:59:00+08:00"));
    s.tick(stop_);
    EXPECT_EQ(read(log), "");
    clock_.set(utc("2026-11-21T02:00:30+08:00"));
    EXPECT_EQ(s.tick(stop_), utc("2026-11-22T02:00:00+08:00"));
    EXPECT_EQ(read(log), "2026-11-21\n");
  }
  // Down for three nights; the next start runs each missed night, oldest first.
  clock_.set(utc("2026-11-24T09:00:00+08:00"));
  Scheduler again = make(config(jobs));
  ASSERT_TRUE(again.start(stop_).ok());
  EXPECT_EQ(read(log), "2026-11-21\n2026-11-22\n2026-11-23\n2026-11-24\n");
  EXPECT_EQ(runs(again, "nightly"),
            (std::vector<std::string>{"schedule SUCCESS 1", "catch-up SUCCESS 1",
                                      "catch-up SUCCESS 1", "catch-up SUCCESS 1"}));
  // "latest" catches up only the last missed night.
  clock_.set(utc("2026-11-27T09:00:00+08:00"));
  std::string latest = jobs;
  latest.replace(latest.find("catch_up = \"all\""), 16, "catch_up = \"latest\"");
  Scheduler third = make(config(latest));
  ASSERT_TRUE(third.start(stop_).ok());
  EXPECT_EQ(read(log), "2026-11-21\n2026-11-22\n2026-11-23\n2026-11-24\n2026-11-27\n");
}

TEST_P(SchedulerTest, RetriesWithDoublingBackoffThenGivesUp) {
  const std::string marker = dir_.file("once");
  Scheduler s =
      make(config("retries = 2\nretry_backoff = \"30s\"\n"
                  "[[job]]\nname = \"broken\"\nschedule = \"@daily\"\naction = \"command\"\n"
                  "command = \"exit 3\"\n"
                  "[[job]]\nname = \"flaky\"\nschedule = \"@daily\"\naction = \"command\"\n"
                  "command = \"test -f " +
                  marker + " || { touch " + marker + "; exit 1; }\"\n"));
  auto broken = s.run_now("broken", stop_);
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->status, "FAILED");
  EXPECT_EQ(broken->attempt, 3);
  EXPECT_EQ(broken->error, "command exited with 3");
  EXPECT_EQ(slept_, (std::vector<int64_t>{30 * kMicrosPerSecond, 60 * kMicrosPerSecond}));
  EXPECT_EQ(runs(s, "broken"),
            (std::vector<std::string>{"manual FAILED 1", "manual FAILED 2", "manual FAILED 3"}));
  auto flaky = s.run_now("flaky", stop_);
  ASSERT_TRUE(flaky.ok());
  EXPECT_EQ(flaky->status, "SUCCESS");
  EXPECT_EQ(runs(s, "flaky"), (std::vector<std::string>{"manual FAILED 1", "manual SUCCESS 2"}));
}

TEST_P(SchedulerTest, NeverOverlapsARunningJobAndFreesDeadLeases) {
  Scheduler s =
      make(config("[[job]]\nname = \"work\"\nschedule = \"@hourly\"\n"
                  "action = \"command\"\ncommand = \"true\"\n"));
  auto lease = [&](const std::string& instance, Instant heartbeat) {
    const std::string t = "'" + format_utc(heartbeat) + "'";
    ASSERT_TRUE(store_
                    ->exec_script({"INSERT INTO " + table() +
                                   " (job, trigger, attempt, started_at, heartbeat_at, status,"
                                   " instance) VALUES ('work', 'schedule', 1, " +
                                   t + ", " + t + ", 'RUNNING', '" + instance + "')"})
                    .ok());
  };
  // Another machine's run, alive (fresh heartbeat): skipped.
  lease("other-host:77", clock_.now() - kMicrosPerMinute);
  auto skipped = s.run_now("work", stop_);
  ASSERT_FALSE(skipped.ok());
  EXPECT_EQ(skipped.error().code, Errc::kConflict);
  // An hour and more without a heartbeat: the lease is free again.
  clock_.advance(2 * kMicrosPerHour);
  auto ran = s.run_now("work", stop_);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_EQ(ran->status, "SUCCESS");
  // This machine, a process that is gone: freed at once.
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  lease(std::string(host) + ":4194303", clock_.now());
  ran = s.run_now("work", stop_);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  auto h = s.history("work", 10);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 4u);
  EXPECT_EQ((*h)[1].status, "FAILED");
  EXPECT_NE((*h)[1].error.find("abandoned: process"), std::string::npos) << (*h)[1].error;
  EXPECT_EQ((*h)[3].status, "FAILED");
  EXPECT_NE((*h)[3].error.find("abandoned: no heartbeat"), std::string::npos) << (*h)[3].error;
  // An abandoned scheduled run is not "done": the next start runs that slot again.
}

TEST_P(SchedulerTest, MartsForYesterdayThenQualityAfterThem) {
  Scheduler s =
      make(config("[[job]]\nname = \"marts\"\nschedule = \"0 2 * * *\"\naction = \"marts\"\n"
                  "marts = [\"mart_fraud_daily_saved_amount\"]\n"
                  "[[job]]\nname = \"checks\"\nafter = \"marts\"\naction = \"quality\"\n"));
  ASSERT_TRUE(s.start(stop_).ok());
  clock_.set(utc("2026-11-21T02:00:00+08:00"));
  s.tick(stop_);
  std::vector<std::string> dates;
  ASSERT_TRUE(store_
                  ->query_text("SELECT saved_date FROM " +
                                   store::table_name(GetParam(), "mart_fraud_daily_saved_amount"),
                               [&](const auto& r) { dates.emplace_back(r[0]); })
                  .ok());
  EXPECT_EQ(dates, (std::vector<std::string>{"2026-11-20"}));  // the night's day before
  // An empty store is not fresh: the quality job runs after the marts, and fails.
  EXPECT_EQ(runs(s, "checks"), (std::vector<std::string>{"after FAILED 1"}));
  auto h = s.history("checks", 1);
  EXPECT_NE(h->front().error.find("freshness"), std::string::npos) << h->front().error;
}

TEST_P(SchedulerTest, RetentionPurgesOldDeadLettersAndReconciliationStillHolds) {
  store::Batch old;
  old.source = "file:/x";
  old.end_offset = 20;
  old.received_at = clock_.now() - 40 * kMicrosPerDay;
  old.dead_letters = {{0, Errc::kBadAmount, "bad", "{}", {}},
                      {10, Errc::kBadAmount, "bad", "{}", {}}};
  ASSERT_TRUE(store_->commit(old).ok());
  store::Batch recent = old;
  recent.end_offset = 30;
  recent.received_at = clock_.now() - kMicrosPerDay;
  recent.dead_letters = {{20, Errc::kBadAmount, "bad", "{}", {}}};
  ASSERT_TRUE(store_->commit(recent).ok());
  Scheduler s =
      make(config("[[job]]\nname = \"retention\"\nschedule = \"30 3 * * *\"\n"
                  "action = \"retention\"\ndead_letters = \"30d\"\n"));
  auto r = s.run_now("retention", stop_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, "SUCCESS") << r->error;
  EXPECT_EQ(store_->counts()->dead_letters, 1);
  auto checks = quality::parse_checks("[[check]]\nkind = \"reconciliation\"\n", "t");
  quality::Report report = quality::run(*store_, *checks, clock_.now());
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_EQ(report.sources[0].purged, 2);
  EXPECT_EQ(report.sources[0].records, 3);
  EXPECT_TRUE(report.sources[0].consistent());
}

INSTANTIATE_TEST_SUITE_P(Stores, SchedulerTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace wf::jobs
