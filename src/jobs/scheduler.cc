#include "jobs/scheduler.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/log.h"
#include "marts/marts.h"
#include "quality/quality.h"

extern char** environ;

namespace wf::jobs {
namespace {

std::string ts_literal(Instant t) { return t == 0 ? "NULL" : store::sql_literal(format_utc(t)); }

int64_t to_i64(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Instant to_time(std::string_view s) {
  if (s.empty()) return 0;
  auto t = parse_rfc3339(s);
  return t.ok() ? *t : 0;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string default_instance() { return host_name() + ":" + std::to_string(getpid()); }

// A lease's process is known to be gone: same host, and no such pid.
bool process_gone(const std::string& instance) {
  size_t colon = instance.rfind(':');
  if (colon == std::string::npos || instance.substr(0, colon) != host_name()) return false;
  const int64_t pid = to_i64(std::string_view(instance).substr(colon + 1));
  if (pid <= 0 || pid == getpid()) return false;  // ours: running in this process
  return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

Result<int64_t> count(store::Store& store, const std::string& sql) {
  auto n = store::query_int(store, sql);
  if (!n.ok()) return n.take_error();
  return n->value_or(0);
}

Result<int64_t> run_marts(JobContext& ctx) {
  std::string date;
  if (ctx.spec.days == "today") {
    date = format_date(ctx.slot, ctx.offset_minutes);
  } else if (ctx.spec.days == "previous_hour") {
    date = format_date(ctx.slot - kMicrosPerHour, ctx.offset_minutes);
  } else {
    date = format_date(ctx.slot - kMicrosPerDay, ctx.offset_minutes);
  }
  std::vector<const marts::Mart*> chosen;
  for (const std::string& name : ctx.spec.marts) {
    const marts::Mart* m = marts::find_mart(name);
    if (m == nullptr) return make_error(Errc::kConfig, "unknown mart '" + name + "'");
    chosen.push_back(m);
  }
  if (chosen.empty()) {
    for (const marts::Mart& m : marts::all_marts()) chosen.push_back(&m);
  }
  int64_t rows = 0;
  const bool pg = ctx.store.kind() == "postgresql";
  for (const marts::Mart* m : chosen) {
    if (Status s = marts::build(ctx.store, *m, date, ctx.offset_minutes); !s.ok()) {
      return make_error(s.error().code, m->name + " " + date + ": " + s.error().message);
    }
    auto n = count(ctx.store, "SELECT COUNT(*) FROM " + std::string(pg ? "gold." : "") + m->name +
                                  " WHERE " + m->date_column + " = " + store::sql_literal(date));
    if (!n.ok()) return n.take_error();
    rows += *n;
    ctx.heartbeat();
  }
  return rows;
}

Result<int64_t> run_quality(JobContext& ctx) {
  auto checks = ctx.spec.checks_file.empty()
                    ? quality::parse_checks(quality::default_checks_toml(), "builtin:quality")
                    : quality::load_checks_file(ctx.spec.checks_file);
  if (!checks.ok()) return checks.take_error();
  quality::Report report = quality::run(ctx.store, *checks, SystemClock().now());
  WF_RETURN_IF_ERROR(quality::record(ctx.store, report));
  if (!report.failed()) return static_cast<int64_t>(report.results.size());
  std::string failed;
  int n = 0;
  for (const quality::CheckResult& r : report.results) {
    if (r.outcome != quality::Outcome::kFail && r.outcome != quality::Outcome::kError) continue;
    if (++n <= 5) failed += (failed.empty() ? "" : "; ") + r.name + ": " + r.detail;
  }
  if (ctx.notifier != nullptr) {
    notify::Message m;
    m.event = "quality_failed";
    m.severity = notify::Severity::kCritical;
    m.title = "Data-quality checks failed";
    m.text = std::to_string(n) + " of " + std::to_string(report.results.size()) +
             " checks failed: " + failed;
    m.fields = {{"failed", std::to_string(n)},
                {"passed", std::to_string(report.count(quality::Outcome::kPass))},
                {"run", std::to_string(report.run_id)}};
    ctx.notifier->send(std::move(m));
  }
  return make_error(Errc::kFailed, std::to_string(n) + " of " +
                                       std::to_string(report.results.size()) +
                                       " checks failed: " + failed);
}

Result<int64_t> run_retention(JobContext& ctx) {
  const std::string_view kind = ctx.store.kind();
  const std::string dead = store::table_name(kind, "dead_letters");
  const std::string offsets = store::table_name(kind, "source_offsets");
  const std::string dead_before = ts_literal(ctx.slot - ctx.spec.dead_letters_us);
  const std::string history_before = ts_literal(ctx.slot - ctx.spec.history_us);
  auto n_dead =
      count(ctx.store, "SELECT COUNT(*) FROM " + dead + " WHERE received_at < " + dead_before);
  if (!n_dead.ok()) return n_dead.take_error();
  int64_t rows = *n_dead;
  std::vector<std::string> statements;
  // Purged dead letters stay accounted for: reconciliation adds `purged`.
  statements.push_back("UPDATE " + offsets + " SET purged = purged + (SELECT COUNT(*) FROM " +
                       dead + " d WHERE d.source = " + offsets + ".source AND d.received_at < " +
                       dead_before + ")");
  statements.push_back("DELETE FROM " + dead + " WHERE received_at < " + dead_before);
  for (auto [table, column] :
       {std::pair{"job_runs", "started_at"}, std::pair{"dq_results", "checked_at"},
        std::pair{"ingestion_monitoring", "checked_at"}}) {
    const std::string t = store::table_name(kind, table);
    std::string where = " WHERE " + std::string(column) + " < " + history_before;
    if (std::string_view(table) == "job_runs") where += " AND status <> 'RUNNING'";
    auto n = count(ctx.store, "SELECT COUNT(*) FROM " + t + where);
    if (!n.ok()) return n.take_error();
    rows += *n;
    statements.push_back("DELETE FROM " + t + where);
  }
  WF_RETURN_IF_ERROR(ctx.store.exec_script(statements));
  return rows;
}

Result<int64_t> run_command(JobContext& ctx) {
  // The command learns what run it is: WALLETFLOW_JOB, WALLETFLOW_JOB_SLOT (UTC) and
  // WALLETFLOW_JOB_DATE (the slot's local date).
  std::vector<std::string> env_text = {
      "WALLETFLOW_JOB=" + ctx.spec.name, "WALLETFLOW_JOB_SLOT=" + format_utc(ctx.slot),
      "WALLETFLOW_JOB_DATE=" + format_date(ctx.slot, ctx.offset_minutes)};
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with("WALLETFLOW_JOB")) continue;
    env.push_back(*e);
  }
  for (std::string& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);
  const char* argv[] = {"/bin/sh", "-c", ctx.spec.command.c_str(), nullptr};
  pid_t pid = 0;
  if (int e = posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), env.data());
      e != 0) {
    return make_error(Errc::kIo, "cannot start /bin/sh: " + std::string(strerror(e)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return make_error(Errc::kIo, "waitpid: " + std::string(strerror(errno)));
  }
  // A command's failure may pass (a network hiccup): kIo, retried.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return int64_t{0};
  if (WIFEXITED(status)) {
    return make_error(Errc::kIo, "command exited with " + std::to_string(WEXITSTATUS(status)));
  }
  return make_error(Errc::kIo, "command killed by signal " + std::to_string(WTERMSIG(status)));
}

void default_sleep(int64_t us, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

Result<int64_t> run_action(JobContext& ctx) {
  const std::string& a = ctx.spec.action;
  if (a == "marts") return run_marts(ctx);
  if (a == "quality") return run_quality(ctx);
  if (a == "maintain") {
    auto n = ctx.store.maintain(ctx.spec.months_ahead);
    if (!n.ok()) return n.take_error();
    return int64_t{*n};
  }
  if (a == "retention") return run_retention(ctx);
  if (a == "command") return run_command(ctx);
  return make_error(Errc::kConfig, "unknown action '" + a + "'");
}

Scheduler::Scheduler(store::Store& store, OpsConfig config, const Clock& clock,
                     notify::Notifier* notifier)
    : Scheduler(store, std::move(config), clock, notifier, Options()) {}

Scheduler::Scheduler(store::Store& store, OpsConfig config, const Clock& clock,
                     notify::Notifier* notifier, Options options)
    : store_(store),
      config_(std::move(config)),
      clock_(clock),
      notifier_(notifier),
      options_(std::move(options)) {
  if (options_.instance.empty()) options_.instance = default_instance();
  if (!options_.sleep) options_.sleep = default_sleep;
}

std::string Scheduler::table() const { return store::table_name(store_.kind(), "job_runs"); }

std::string Scheduler::time_text(const std::string& column) const {
  return store::utc_text(store_.kind(), column);
}

Status Scheduler::free_dead_leases() {
  std::vector<std::pair<std::string, std::string>> running;  // job, instance
  std::vector<Instant> beats;
  WF_RETURN_IF_ERROR(store_.query_text("SELECT job, instance, " + time_text("heartbeat_at") +
                                           " FROM " + table() + " WHERE status = 'RUNNING'",
                                       [&](const std::vector<std::string_view>& row) {
                                         running.emplace_back(std::string(row[0]),
                                                              std::string(row[1]));
                                         beats.push_back(to_time(row[2]));
                                       }));
  const Instant now = clock_.now();
  for (size_t i = 0; i < running.size(); ++i) {
    const auto& [job, instance] = running[i];
    std::string why;
    if (process_gone(instance)) {
      why = "abandoned: process " + instance + " is gone";
    } else if (now - beats[i] > options_.stale_after_us) {
      why = "abandoned: no heartbeat from " + instance + " since " + format_utc(beats[i]);
    } else {
      continue;
    }
    log::warn("scheduler: " + job + ": " + why);
    WF_RETURN_IF_ERROR(store_.exec_script(
        {"UPDATE " + table() + " SET status = 'FAILED', finished_at = " + ts_literal(now) +
         ", error = " + store::sql_literal(why) + " WHERE job = " + store::sql_literal(job) +
         " AND status = 'RUNNING' AND instance = " + store::sql_literal(instance)}));
  }
  return Status::Ok();
}

Result<bool> Scheduler::begin(const JobSpec& spec, Instant slot, const std::string& trigger,
                              int attempt) {
  WF_RETURN_IF_ERROR(free_dead_leases());
  auto running = count(store_, "SELECT COUNT(*) FROM " + table() + " WHERE job = " +
                                   store::sql_literal(spec.name) + " AND status = 'RUNNING'");
  if (!running.ok()) return running.take_error();
  if (*running > 0) return false;
  const std::string now = ts_literal(clock_.now());
  Status s = store_.exec_script(
      {"INSERT INTO " + table() +
       " (job, scheduled_for, trigger, attempt, started_at, heartbeat_at, status, instance)"
       " VALUES (" +
       store::sql_literal(spec.name) + ", " + ts_literal(slot) + ", " +
       store::sql_literal(trigger) + ", " + std::to_string(attempt) + ", " + now + ", " + now +
       ", 'RUNNING', " + store::sql_literal(options_.instance) + ")"});
  if (!s.ok()) {
    // Another instance took the lease between the check and the insert (unique index).
    auto again = count(store_, "SELECT COUNT(*) FROM " + table() + " WHERE job = " +
                                   store::sql_literal(spec.name) + " AND status = 'RUNNING'");
    if (again.ok() && *again > 0) return false;
    return s.error();
  }
  return true;
}

Status Scheduler::heartbeat(const JobSpec& spec) {
  return store_.exec_script(
      {"UPDATE " + table() + " SET heartbeat_at = " + ts_literal(clock_.now()) +
       " WHERE job = " + store::sql_literal(spec.name) +
       " AND status = 'RUNNING' AND instance = " + store::sql_literal(options_.instance)});
}

Status Scheduler::finish(const JobSpec& spec, bool ok, int64_t rows, const std::string& error) {
  const std::string now = ts_literal(clock_.now());
  return store_.exec_script(
      {"UPDATE " + table() + " SET status = " + store::sql_literal(ok ? "SUCCESS" : "FAILED") +
       ", finished_at = " + now + ", heartbeat_at = " + now + ", rows = " + std::to_string(rows) +
       ", error = " + (error.empty() ? std::string("NULL") : store::sql_literal(error)) +
       " WHERE job = " + store::sql_literal(spec.name) +
       " AND status = 'RUNNING' AND instance = " + store::sql_literal(options_.instance)});
}

void Scheduler::notify_outcome(const JobSpec& spec, const RunRow& run, int64_t elapsed_us) {
  if (notifier_ == nullptr) return;
  notify::Message m;
  const bool ok = run.status == "SUCCESS";
  m.event = ok ? "job_succeeded" : "job_failed";
  m.severity = ok ? notify::Severity::kInfo : notify::Severity::kCritical;
  m.title = "Job " + spec.name + (ok ? " succeeded" : " failed");
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f s", double(elapsed_us) / 1e6);
  m.text = ok ? spec.action + " finished in " + secs + ", " + std::to_string(run.rows) + " rows."
              : spec.action + " failed after " + std::to_string(run.attempt) +
                    " attempt(s): " + run.error;
  m.fields = {{"job", spec.name},
              {"attempts", std::to_string(run.attempt)},
              {"rows", std::to_string(run.rows)},
              {"duration", secs}};
  if (run.scheduled_for != 0) {
    m.fields.emplace_back("scheduled for",
                          format_rfc3339_offset(run.scheduled_for, config_.offset_minutes));
  }
  notifier_->send(std::move(m));
}

Result<RunRow> Scheduler::execute(const JobSpec& spec, Instant slot, const std::string& trigger,
                                  const std::atomic<bool>& stop) {
  RunRow run;
  run.job = spec.name;
  run.scheduled_for = trigger == "manual" ? 0 : slot;
  run.trigger = trigger;
  run.instance = options_.instance;
  const int64_t started = clock_.monotonic_us();
  int64_t wait = spec.retry_backoff_us;
  for (int attempt = 1; attempt <= spec.retries + 1; ++attempt) {
    auto leased = begin(spec, run.scheduled_for, trigger, attempt);
    if (!leased.ok()) return leased.take_error();
    if (!*leased) {
      return make_error(Errc::kConflict, "job " + spec.name + " is running elsewhere; skipped");
    }
    run.attempt = attempt;
    run.started_at = clock_.now();
    log::info("scheduler: " + spec.name + " started (" + trigger + ", attempt " +
              std::to_string(attempt) + ")");
    JobContext ctx{store_,   spec, slot, config_.offset_minutes, [&] { (void)heartbeat(spec); },
                   notifier_};
    auto rows = run_action(ctx);
    run.rows = rows.ok() ? *rows : 0;
    run.error = rows.ok() ? "" : rows.error().message;
    run.status = rows.ok() ? "SUCCESS" : "FAILED";
    run.finished_at = clock_.now();
    WF_RETURN_IF_ERROR(finish(spec, rows.ok(), run.rows, run.error));
    if (rows.ok()) {
      log::info("scheduler: " + spec.name + " succeeded, " + std::to_string(run.rows) + " rows");
      break;
    }
    log::warn("scheduler: " + spec.name + " failed (attempt " + std::to_string(attempt) +
              "): " + run.error);
    // Failed checks and bad config fail the same way again: only other errors retry.
    const Errc code = rows.error().code;
    if (code == Errc::kFailed || code == Errc::kConfig || code == Errc::kNotFound) break;
    if (attempt <= spec.retries && !stop.load()) {
      options_.sleep(wait, stop);
      wait *= 2;
    }
    if (stop.load()) break;
  }
  notify_outcome(spec, run, clock_.monotonic_us() - started);
  if (run.status == "SUCCESS") {
    for (const JobSpec& next : config_.jobs) {
      if (next.after != spec.name) continue;
      auto chained = execute(next, slot, "after", stop);
      if (!chained.ok()) log::warn("scheduler: " + next.name + ": " + chained.error().message);
    }
  }
  return run;
}

Result<Instant> Scheduler::last_done_slot(const JobSpec& spec) {
  Instant last = 0;
  WF_RETURN_IF_ERROR(store_.query_text(
      "SELECT " + time_text("MAX(scheduled_for)") + " FROM " + table() +
          " WHERE job = " + store::sql_literal(spec.name) +
          " AND trigger IN ('schedule', 'catch-up') AND (status = 'SUCCESS' OR (status = 'FAILED'"
          " AND error NOT LIKE 'abandoned%'))",
      [&](const std::vector<std::string_view>& row) {
        if (!row.empty()) last = to_time(row[0]);
      }));
  return last;
}

Status Scheduler::start(const std::atomic<bool>& stop) {
  WF_RETURN_IF_ERROR(free_dead_leases());
  const Instant now = clock_.now();
  for (const JobSpec& spec : config_.jobs) {
    if (!spec.schedule) continue;
    next_[spec.name] = spec.schedule->next_after(now, config_.offset_minutes);
    if (spec.catch_up == CatchUp::kNone) continue;
    auto last = last_done_slot(spec);
    if (!last.ok()) return last.take_error();
    if (*last == 0) continue;  // never ran: nothing was missed
    std::vector<Instant> missed;
    for (Instant s = spec.schedule->next_after(*last, config_.offset_minutes); s <= now;
         s = spec.schedule->next_after(s, config_.offset_minutes)) {
      missed.push_back(s);
      if (missed.size() > static_cast<size_t>(kMaxCatchUp)) missed.erase(missed.begin());
    }
    if (missed.empty()) continue;
    if (spec.catch_up == CatchUp::kLatest) missed.erase(missed.begin(), missed.end() - 1);
    log::info("scheduler: " + spec.name + ": catching up " + std::to_string(missed.size()) +
              " missed run(s)");
    for (Instant s : missed) {
      if (stop.load()) return Status::Ok();
      auto r = execute(spec, s, "catch-up", stop);
      if (!r.ok()) log::warn("scheduler: " + spec.name + ": " + r.error().message);
    }
  }
  return Status::Ok();
}

Instant Scheduler::tick(const std::atomic<bool>& stop) {
  for (const JobSpec& spec : config_.jobs) {
    if (!spec.schedule || stop.load()) continue;
    Instant& next = next_[spec.name];
    const Instant now = clock_.now();
    if (next > now) continue;
    // Several slots passed during a long run: the latest stands for them.
    const Instant slot = spec.schedule->last_at_or_before(now, config_.offset_minutes);
    auto r = execute(spec, slot, "schedule", stop);
    if (!r.ok()) log::warn("scheduler: " + spec.name + ": " + r.error().message);
    next = spec.schedule->next_after(std::max(slot, clock_.now()), config_.offset_minutes);
  }
  Instant soonest = INT64_MAX;
  for (const auto& [name, at] : next_) soonest = std::min(soonest, at);
  return soonest;
}

Status Scheduler::run(const std::atomic<bool>& stop) {
  WF_RETURN_IF_ERROR(start(stop));
  while (!stop.load()) {
    const Instant due = tick(stop);
    while (!stop.load() && clock_.now() < due) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::clamp<int64_t>((due - clock_.now()) / 1000, 1, 200)));
    }
  }
  return Status::Ok();
}

Result<RunRow> Scheduler::run_now(const std::string& name, const std::atomic<bool>& stop) {
  const JobSpec* spec = config_.find(name);
  if (spec == nullptr) return make_error(Errc::kNotFound, "no job named '" + name + "'");
  return execute(*spec, clock_.now(), "manual", stop);
}

Result<std::vector<RunRow>> Scheduler::history(const std::string& job, int limit) {
  std::vector<RunRow> rows;
  std::string where = job.empty() ? "" : " WHERE job = " + store::sql_literal(job);
  WF_RETURN_IF_ERROR(store_.query_text(
      "SELECT run_id, job, " + time_text("scheduled_for") + ", trigger, attempt, " +
          time_text("started_at") + ", " + time_text("finished_at") +
          ", status, rows, error, instance FROM " + table() + where +
          " ORDER BY run_id DESC LIMIT " + std::to_string(limit),
      [&](const std::vector<std::string_view>& r) {
        RunRow row;
        row.run_id = to_i64(r[0]);
        row.job = std::string(r[1]);
        row.scheduled_for = to_time(r[2]);
        row.trigger = std::string(r[3]);
        row.attempt = static_cast<int>(to_i64(r[4]));
        row.started_at = to_time(r[5]);
        row.finished_at = to_time(r[6]);
        row.status = std::string(r[7]);
        row.rows = to_i64(r[8]);
        row.error = std::string(r[9]);
        row.instance = std::string(r[10]);
        rows.push_back(std::move(row));
      }));
  return rows;
}

}  // namespace wf::jobs
