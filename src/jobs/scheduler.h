// The scheduler: runs the jobs of the operations config at their cron times (local
// time), or after the job they follow, on either store. Every attempt is a row of
// ops.job_runs (start, end, status, rows, error). A job never overlaps itself, even
// across instances: a RUNNING row is a lease (a unique index allows one per job),
// taken over only when its process is gone (same host) or its heartbeat is an hour old.
// Failures are retried with doubling backoff; runs missed while nothing was running are
// caught up at start (config: all, latest or none); outcomes go to the webhooks.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "jobs/config.h"
#include "notify/notifier.h"
#include "store/store.h"

namespace wf::jobs {

struct RunRow {
  int64_t run_id = 0;
  std::string job;
  Instant scheduled_for = 0;  // the cron time this run is for; 0 for manual runs
  std::string trigger;        // schedule, catch-up, after, manual
  int attempt = 1;
  Instant started_at = 0;
  Instant finished_at = 0;  // 0 while running
  std::string status;       // RUNNING, SUCCESS, FAILED
  int64_t rows = 0;
  std::string error;
  std::string instance;  // host:pid
};

// What a job did: rows written (or checked, deleted, created), or why it failed.
struct JobContext {
  store::Store& store;
  const JobSpec& spec;
  Instant slot;  // the time the run is for
  int offset_minutes;
  std::function<void()> heartbeat;  // call between steps of long work
  notify::Notifier* notifier;
};
Result<int64_t> run_action(JobContext& ctx);

class Scheduler {
 public:
  struct Options {
    std::string instance;  // default host:pid
    // Waits between retries; default sleeps, waking early on stop.
    std::function<void(int64_t us, const std::atomic<bool>& stop)> sleep;
    int64_t stale_after_us = kMicrosPerHour;  // a lease without heartbeat this long is free
  };

  Scheduler(store::Store& store, OpsConfig config, const Clock& clock, notify::Notifier* notifier);
  Scheduler(store::Store& store, OpsConfig config, const Clock& clock, notify::Notifier* notifier,
            Options options);

  // Frees leases of dead runs, catches up missed runs, and plans the next ones.
  Status start(const std::atomic<bool>& stop);
  // Runs every job due at the clock's now; returns when the next one is due.
  Instant tick(const std::atomic<bool>& stop);
  // start(), then tick() at the due times until stop.
  Status run(const std::atomic<bool>& stop);

  // Runs one job now (and what follows it), with retries. Its last attempt's row;
  // kConflict when it is running elsewhere.
  Result<RunRow> run_now(const std::string& name, const std::atomic<bool>& stop);

  Result<std::vector<RunRow>> history(const std::string& job, int limit);
  // The next planned time of each scheduled job (after start()).
  const std::map<std::string, Instant>& next_runs() const { return next_; }
  const OpsConfig& config() const { return config_; }

 private:
  // Runs `spec` for `slot` with retries; the last attempt's row, or kConflict.
  Result<RunRow> execute(const JobSpec& spec, Instant slot, const std::string& trigger,
                         const std::atomic<bool>& stop);
  Result<bool> begin(const JobSpec& spec, Instant slot, const std::string& trigger, int attempt);
  Status finish(const JobSpec& spec, bool ok, int64_t rows, const std::string& error);
  Status heartbeat(const JobSpec& spec);
  Status free_dead_leases();
  Result<Instant> last_done_slot(const JobSpec& spec);
  void notify_outcome(const JobSpec& spec, const RunRow& run, int64_t elapsed_us);
  std::string table() const;
  std::string time_text(const std::string& column) const;

  store::Store& store_;
  OpsConfig config_;
  const Clock& clock_;
  notify::Notifier* notifier_;
  Options options_;
  std::map<std::string, Instant> next_;
};

}  // namespace wf::jobs
