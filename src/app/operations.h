// The operational side of `process` and `run`: webhooks (WALLETFLOW_WEBHOOKS /
// WALLETFLOW_WEBHOOKS_FILE), the stream alerts fed from the runner's totals, and for
// `run` the scheduler on a thread of its own with its own store connection.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/args.h"
#include "jobs/config.h"
#include "notify/notifier.h"
#include "notify/stream_alerts.h"
#include "pipeline/processor.h"
#include "pipeline/runner.h"

namespace wf::app {

// The pipeline's running totals as Prometheus text: events by outcome, decisions,
// decision latency, store commit latency, end-to-end latency, source lag, rule reloads.
std::string pipeline_metrics(const pipeline::RunnerSnapshot& s);

// POST /api/v1/score's answer from `processor`, used under `mu` (shared with the Runner
// that feeds it the stream).
Result<std::string> score_json(pipeline::Processor& processor, std::mutex& mu,
                               std::string_view body);

// The webhooks of WALLETFLOW_WEBHOOKS / WALLETFLOW_WEBHOOKS_FILE, delivered with the
// config's webhook_timeout, _attempts, _backoff and _drain.
Result<std::unique_ptr<notify::Notifier>> open_notifier(const jobs::OpsConfig& config);
// walletflow_webhook_deliveries_total{outcome=sent|retried|failed|dropped}.
std::string notifier_metrics(const notify::Notifier& n);

class Operations {
 public:
  // --config FILE (default: the built-in operations config) and the webhooks.
  static Result<std::unique_ptr<Operations>> open(const Args& args);
  ~Operations();

  // For run_with_status: feeds the stream alerts.
  std::function<void(const pipeline::RunnerSnapshot&)> observer();
  // Starts the scheduler on its own thread and store connection (`run`).
  Status start_scheduler(const std::string& store_uri);
  void stop_scheduler();

  const jobs::OpsConfig& config() const { return config_; }
  notify::Notifier& notifier() { return *notifier_; }

 private:
  jobs::OpsConfig config_;
  std::unique_ptr<notify::Notifier> notifier_;
  std::unique_ptr<notify::StreamAlerts> alerts_;
  SystemClock clock_;
  std::atomic<bool> scheduler_stop_{false};
  std::thread scheduler_;
};

}  // namespace wf::app
