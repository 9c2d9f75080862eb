#include "app/operations.h"

#include "core/log.h"
#include "core/thread.h"
#include "jobs/scheduler.h"

namespace wf::app {

Result<std::unique_ptr<Operations>> Operations::open(const Args& args) {
  auto config = jobs::load_ops_config(args.get_or("config", ""));
  if (!config.ok()) return config.take_error();
  auto hooks = notify::webhooks_from_env();
  if (!hooks.ok()) return hooks.take_error();
  auto ops = std::unique_ptr<Operations>(new Operations());
  ops->config_ = std::move(*config);
  if (!hooks->empty()) {
    log::info("notify: " + std::to_string(hooks->size()) + " webhook(s) configured");
  }
  ops->notifier_ = std::make_unique<notify::Notifier>(std::move(*hooks));
  notify::Notifier* n = ops->notifier_.get();
  ops->alerts_ =
      std::make_unique<notify::StreamAlerts>(ops->config_.alerts, [n](notify::Message m) {
        log::warn("alert: " + m.title + ": " + m.text);
        n->send(std::move(m));
      });
  return ops;
}

Operations::~Operations() { stop_scheduler(); }

std::function<void(const pipeline::RunnerSnapshot&)> Operations::observer() {
  return [this](const pipeline::RunnerSnapshot& s) {
    notify::PipelineTotals t;
    t.records = s.records;
    t.committed = s.committed;
    t.facts = s.facts;
    t.flagged = s.flagged;
    t.lag = s.source_lag;
    alerts_->observe(clock_.now(), t);
  };
}

Status Operations::start_scheduler(const std::string& store_uri) {
  auto store = store::open_store(store_uri);
  if (!store.ok()) return store.error();
  scheduler_ = spawn_quiet_thread([this, s = std::shared_ptr<store::Store>(std::move(*store))] {
    jobs::Scheduler scheduler(*s, config_, clock_, notifier_.get());
    if (Status r = scheduler.run(scheduler_stop_); !r.ok()) {
      log::error("scheduler stopped: " + r.error().message);
    }
  });
  return Status::Ok();
}

void Operations::stop_scheduler() {
  scheduler_stop_ = true;
  if (scheduler_.joinable()) scheduler_.join();
}

}  // namespace wf::app
