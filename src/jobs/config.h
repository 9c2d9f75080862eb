// The operations config (config/operations.toml, built in; --config FILE): the
// scheduler's jobs and the thresholds of the stream alerts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "jobs/cron.h"
#include "notify/notifier.h"
#include "notify/stream_alerts.h"

namespace wf::jobs {

enum class CatchUp { kNone, kLatest, kAll };
inline constexpr int kMaxCatchUp = 31;

struct JobSpec {
  std::string name;
  std::optional<Cron> schedule;  // or:
  std::string after;             // runs when this job succeeds
  std::string action;            // marts | quality | maintain | retention | command
  CatchUp catch_up = CatchUp::kLatest;
  int retries = 2;
  int64_t retry_backoff_us = 30 * kMicrosPerSecond;
  // marts
  std::vector<std::string> marts;  // empty: all
  std::string days = "yesterday";  // yesterday | today | previous_hour (of the run's time)
  // quality
  std::string checks_file;  // empty: the built-in checks
  // maintain
  int months_ahead = 3;
  // retention
  int64_t dead_letters_us = 30 * kMicrosPerDay;
  int64_t history_us = 90 * kMicrosPerDay;
  // command: run by /bin/sh -c; exit 0 is success
  std::string command;
};

struct OpsConfig {
  int offset_minutes = 480;
  std::vector<JobSpec> jobs;
  notify::AlertThresholds alerts;
  notify::Notifier::Options webhooks;  // webhook_timeout, _attempts, _backoff, _drain
  const JobSpec* find(std::string_view name) const;
};

// kConfig with "origin:line:column: ..." per problem.
Result<OpsConfig> parse_ops_config(std::string_view toml_text, std::string_view origin);
Result<OpsConfig> load_ops_config(const std::string& path);  // "" = the built-in one
std::string_view default_ops_config_toml();

}  // namespace wf::jobs
