// walletflow scheduler: the jobs of the operations config at their times, until stopped.
// walletflow jobs list|run NAME|history: what is planned, run one now, what ran.
// Outcomes go to the webhooks of WALLETFLOW_WEBHOOKS / WALLETFLOW_WEBHOOKS_FILE.
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "app/common.h"
#include "app/operations.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "jobs/scheduler.h"

namespace wf::app {
namespace {

constexpr const char* kSchedulerUsage =
    "usage: walletflow scheduler --store STORE [--config FILE]\n"
    "\n"
    "Runs the scheduled jobs (gold marts, quality checks, partition maintenance,\n"
    "retention) at their cron times until Ctrl-C; runs missed while nothing was running\n"
    "are caught up first. History in ops.job_runs (walletflow jobs history).\n"
    "\n"
    "options:\n"
    "  --store STORE   sqlite:PATH or postgresql://...\n"
    "  --config FILE   operations config (default: the built-in one; see\n"
    "                  config/operations.toml)\n";

constexpr const char* kJobsUsage =
    "usage: walletflow jobs list [--store STORE] [--config FILE] [--json]\n"
    "       walletflow jobs run NAME --store STORE [--config FILE] [--json]\n"
    "       walletflow jobs history --store STORE [--job NAME] [--limit N] [--json]\n"
    "\n"
    "list     the jobs, their schedules, next run and last outcome\n"
    "run      runs a job now (with its retries, and the jobs that follow it); exit 1 when\n"
    "         it fails\n"
    "history  the latest runs from ops.job_runs, newest first\n";

std::string local(Instant t, int offset) {
  return t == 0 ? "-" : format_rfc3339_offset(t, offset).substr(0, 19);
}

void write_run(JsonWriter& w, const jobs::RunRow& r) {
  w.begin_object();
  w.key("run_id").number(r.run_id);
  w.key("job").string(r.job);
  w.key("trigger").string(r.trigger);
  w.key("attempt").number(int64_t{r.attempt});
  w.key("scheduled_for");
  r.scheduled_for != 0 ? w.string(format_utc(r.scheduled_for)) : w.null();
  w.key("started_at").string(format_utc(r.started_at));
  w.key("finished_at");
  r.finished_at != 0 ? w.string(format_utc(r.finished_at)) : w.null();
  w.key("status").string(r.status);
  w.key("rows").number(r.rows);
  w.key("error").string(r.error);
  w.key("instance").string(r.instance);
  w.end_object();
}

}  // namespace

int cmd_scheduler(int argc, char** argv) {
  Args args(kSchedulerUsage);
  args.option("store").option("config");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (!args.has("store")) return usage_error(args, "--store is required");
  auto config = jobs::load_ops_config(args.get_or("config", ""));
  if (!config.ok()) return report(config.error());
  auto notifier = open_notifier(*config);
  if (!notifier.ok()) return report(notifier.error());
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  SystemClock clock;
  install_stop_handlers();
  jobs::Scheduler scheduler(**store, std::move(*config), clock, notifier->get());
  log::info("scheduler: " + std::to_string(scheduler.config().jobs.size()) +
            " jobs; Ctrl-C to stop");
  if (Status s = scheduler.run(stop_flag()); !s.ok()) return report(s.error());
  return kExitOk;
}

int cmd_jobs(int argc, char** argv) {
  Args args(kJobsUsage);
  args.option("store").option("config").option("job").option("limit").option("json", true);
  std::string_view action = argc >= 3 ? argv[2] : "";
  if (action == "--help" || action == "-h") {
    std::fputs(kJobsUsage, stdout);
    return kExitOk;
  }
  if (action != "list" && action != "run" && action != "history") {
    return usage_error(args, "jobs needs 'list', 'run NAME' or 'history'");
  }
  std::string name;
  int first = 3;
  if (action == "run") {
    if (argc < 4 || argv[3][0] == '-') return usage_error(args, "jobs run needs a job name");
    name = argv[3];
    first = 4;
  }
  if (auto code = parse_or_exit(args, argc, argv, first)) return *code;
  auto limit = args.get_int("limit", 20, 1, 10'000);
  if (!limit.ok()) return usage_error(args, limit.error().message);
  auto config = jobs::load_ops_config(args.get_or("config", ""));
  if (!config.ok()) return report(config.error());
  if (action == "run" && config->find(name) == nullptr) {
    return usage_error(args, "no job named '" + name + "' (see jobs list)");
  }
  if (action != "list" && !args.has("store")) return usage_error(args, "--store is required");
  SystemClock clock;
  const int offset = config->offset_minutes;

  if (action == "list" && !args.has("store")) {  // the plan only
    for (const jobs::JobSpec& j : config->jobs) {
      std::string when = j.schedule ? j.schedule->text() : "after " + j.after;
      std::string next =
          j.schedule ? local(j.schedule->next_after(clock.now(), offset), offset) : "-";
      std::printf("%-24s %-22s %-10s next %s\n", j.name.c_str(), when.c_str(), j.action.c_str(),
                  next.c_str());
    }
    return kExitOk;
  }
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  auto notifier = open_notifier(*config);
  if (!notifier.ok()) return report(notifier.error());
  jobs::Scheduler scheduler(**store, *config, clock, notifier->get());

  if (action == "run") {
    install_stop_handlers();
    auto run = scheduler.run_now(name, stop_flag());
    if (!run.ok()) return report(run.error());
    if (args.has("json")) {
      std::string out;
      JsonWriter w(&out);
      write_run(w, *run);
      std::printf("%s\n", out.c_str());
    } else {
      std::printf("%s: %s after %d attempt(s), %lld rows%s%s\n", name.c_str(), run->status.c_str(),
                  run->attempt, static_cast<long long>(run->rows), run->error.empty() ? "" : ": ",
                  run->error.c_str());
    }
    return run->status == "SUCCESS" ? kExitOk : kExitFailure;
  }

  if (action == "history") {
    auto runs = scheduler.history(args.get_or("job", ""), static_cast<int>(*limit));
    if (!runs.ok()) return report(runs.error());
    if (args.has("json")) {
      std::string out;
      JsonWriter w(&out);
      w.begin_array();
      for (const jobs::RunRow& r : *runs) write_run(w, r);
      w.end_array();
      std::printf("%s\n", out.c_str());
      return kExitOk;
    }
    for (const jobs::RunRow& r : *runs) {
      std::printf("%-6lld %-24s %-8s %-9s #%d %s  %-7s %8lld rows %s\n",
                  static_cast<long long>(r.run_id), r.job.c_str(), r.trigger.c_str(),
                  local(r.started_at, offset).c_str(), r.attempt,
                  r.finished_at ? local(r.finished_at, offset).c_str() : "running",
                  r.status.c_str(), static_cast<long long>(r.rows), r.error.c_str());
    }
    return kExitOk;
  }

  // list, with the last outcome of each job.
  std::string out;
  JsonWriter w(&out);
  w.begin_array();
  for (const jobs::JobSpec& j : config->jobs) {
    auto last = scheduler.history(j.name, 1);
    if (!last.ok()) return report(last.error());
    const jobs::RunRow* l = last->empty() ? nullptr : &last->front();
    const Instant next = j.schedule ? j.schedule->next_after(clock.now(), offset) : 0;
    if (args.has("json")) {
      w.begin_object();
      w.key("name").string(j.name);
      w.key("schedule");
      j.schedule ? w.string(j.schedule->text()) : w.null();
      w.key("after");
      j.after.empty() ? w.null() : w.string(j.after);
      w.key("action").string(j.action);
      w.key("next_run");
      next ? w.string(format_utc(next)) : w.null();
      w.key("last_status");
      l ? w.string(l->status) : w.null();
      w.key("last_started_at");
      l ? w.string(format_utc(l->started_at)) : w.null();
      w.end_object();
    } else {
      std::string when = j.schedule ? j.schedule->text() : "after " + j.after;
      std::printf("%-24s %-22s %-10s next %-19s last %s\n", j.name.c_str(), when.c_str(),
                  j.action.c_str(), next ? local(next, offset).c_str() : "-",
                  l ? (l->status + " " + local(l->started_at, offset)).c_str() : "-");
    }
  }
  w.end_array();
  if (args.has("json")) std::printf("%s\n", out.c_str());
  return kExitOk;
}

}  // namespace wf::app
