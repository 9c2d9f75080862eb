#include "app/operations.h"

#include <cmath>

#include "api/metrics.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/thread.h"
#include "jobs/scheduler.h"
#include "store/store.h"

namespace wf::app {

namespace {

std::string counter(const std::string& name, const std::string& help,
                    std::initializer_list<std::pair<std::string, int64_t>> values) {
  std::string out = "# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n";
  for (const auto& [labels, v] : values) {
    out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(v) + "\n";
  }
  return out;
}

}  // namespace

std::string pipeline_metrics(const pipeline::RunnerSnapshot& s) {
  std::string out;
  out += counter("walletflow_events_total", "Records read, by outcome.",
                 {{"outcome=\"stored\"", s.facts},
                  {"outcome=\"dead_letter\"", s.dead_letters},
                  {"outcome=\"duplicate\"", s.duplicates}});
  out += counter("walletflow_decisions_total", "Decisions, by verdict.",
                 {{"decision=\"FLAG\"", s.flagged},
                  {"decision=\"MONITOR\"", s.monitored},
                  {"decision=\"NORMAL\"", s.facts - s.flagged - s.monitored}});
  out += counter("walletflow_batches_committed_total", "Store transactions committed.",
                 {{"", s.batches}});
  out += counter("walletflow_store_retries_total",
                 "Store operations retried after a transient failure (PostgreSQL "
                 "unreachable, disk full).",
                 {{"", store::transient_retries()}});
  out += counter("walletflow_rules_reloads_total", "Rule packs swapped in while running.",
                 {{"", s.rules_swaps}});
  out +=
      "# HELP walletflow_rule_hits_total Events each rule fired on (every rule that fired).\n"
      "# TYPE walletflow_rule_hits_total counter\n";
  for (const auto& [rule, n] : s.rule_hits) {
    out += "walletflow_rule_hits_total{rule=\"" + api::prometheus_label(rule) + "\"} " +
           std::to_string(n) + "\n";
  }
  out += api::prometheus_histogram("walletflow_decision_latency_seconds",
                                   "Decode to decision, per event.", s.latency_ns, 1e9);
  out += api::prometheus_histogram("walletflow_store_commit_seconds",
                                   "Store commit time per batch.", s.commit_us, 1e6);
  out += api::prometheus_histogram("walletflow_end_to_end_seconds",
                                   "Record entered the source to its batch committed.",
                                   s.end_to_end_ms, 1e3);
  out +=
      "# HELP walletflow_source_lag Records waiting in the source (-1: unknown).\n"
      "# TYPE walletflow_source_lag gauge\nwalletflow_source_lag " +
      std::to_string(s.source_lag) + "\n";
  return out;
}

// POST /api/v1/score against the stream's own Processor, between its reads.
Result<std::string> score_json(pipeline::Processor& processor, std::mutex& mu,
                               std::string_view body) {
  Result<pipeline::Processor::Scored> scored = [&] {
    std::lock_guard lock(mu);
    return processor.score(body);
  }();
  if (!scored.ok()) return scored.take_error();
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("decision").string(domain::verdict_name(scored->decision.verdict));
  w.key("score").number(int64_t{scored->decision.score});
  w.key("rules_fired").comma_list(scored->rules_fired);
  w.key("reasons").string(scored->reasons);
  w.key("ruleset_version").string(scored->ruleset_version);
  if (!std::isnan(scored->model_score)) w.key("model_score").number(scored->model_score, 4);
  w.key("latency_us").number(double(scored->latency_ns) / 1000.0, 1);
  w.end_object();
  return out;
}

Result<std::unique_ptr<notify::Notifier>> open_notifier(const jobs::OpsConfig& config) {
  auto hooks = notify::webhooks_from_env();
  if (!hooks.ok()) return hooks.take_error();
  if (!hooks->empty()) {
    log::info("notify: " + std::to_string(hooks->size()) + " webhook(s) configured");
  }
  return std::make_unique<notify::Notifier>(std::move(*hooks), config.webhooks);
}

std::string notifier_metrics(const notify::Notifier& n) {
  const notify::Notifier::Stats s = n.stats();
  return counter("walletflow_webhook_deliveries_total",
                 "Webhook deliveries (a message to one webhook) sent, failed after every "
                 "attempt or dropped (full queue, exit); retried counts attempts tried again.",
                 {{"outcome=\"sent\"", s.sent},
                  {"outcome=\"retried\"", s.retried},
                  {"outcome=\"failed\"", s.failed},
                  {"outcome=\"dropped\"", s.dropped}});
}

Result<std::unique_ptr<Operations>> Operations::open(const Args& args) {
  auto config = jobs::load_ops_config(args.get_or("config", ""));
  if (!config.ok()) return config.take_error();
  auto notifier = open_notifier(*config);
  if (!notifier.ok()) return notifier.take_error();
  auto ops = std::unique_ptr<Operations>(new Operations());
  ops->config_ = std::move(*config);
  ops->notifier_ = std::move(*notifier);
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
