// walletflow run: the whole pipeline on one machine: seeds the embedded store on first
// start, generates a live stream, processes it and prints a status line every second.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "api/server.h"
#include "app/commands.h"
#include "app/common.h"
#include "app/dims.h"
#include "app/generator_source.h"
#include "app/live_stats.h"
#include "app/operations.h"
#include "app/rules_watcher.h"
#include "app/status_line.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "pipeline/runner.h"

namespace wf::app {
namespace {

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db" (for messages).
std::string without_password(const std::string& uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string::npos) return uri;
  size_t at = uri.find('@', scheme + 3);
  size_t colon = uri.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon + 1) + "***" + uri.substr(at);
}

constexpr const char* kUsage =
    "usage: walletflow run [--db walletflow.db] [--rate 2000] [--duration S] [options]\n"
    "\n"
    "Runs everything in one process on an embedded SQLite store: seeds users and merchants\n"
    "on first start, generates a live ph-ewallet stream at --rate, scores and stores it,\n"
    "and prints one status line per second. Ctrl-C or SIGTERM stops cleanly.\n"
    "\n"
    "options:\n"
    "  --db PATH            SQLite database (default walletflow.db)\n"
    "  --store STORE        another store instead, e.g. postgresql://... (see pg-dev)\n"
    "  --rate R             transactions per second (default 2000)\n"
    "  --duration S         stop after S seconds (default: until stopped)\n"
    "  --users N            users to seed on first start (default 200000)\n"
    "  --merchants N        merchants to seed on first start (default 2000)\n"
    "  --seed S             random seed (default: time-based)\n"
    "  --fraud-rate F       share of injected fraud (default 0.02)\n"
    "  --bad-rate B         share of malformed lines (default 0.001)\n"
    "  --pii-key-file FILE  PII key (default: WALLETFLOW_PII_KEY, else <db>.key, created\n"
    "                       with mode 0600 on first start)\n"
    "  --labels-out FILE    also write ground-truth labels (for 'walletflow eval')\n"
    "  --rules FILE         rule pack (TOML; default the builtin ph-ewallet pack), reloaded\n"
    "                       when the file changes or on SIGHUP\n"
    "  --config FILE        operations config: the scheduler's jobs (gold marts, quality,\n"
    "                       maintenance, retention) and the stream alerts' thresholds\n"
    "                       (default: the built-in config/operations.toml); webhooks from\n"
    "                       WALLETFLOW_WEBHOOKS / WALLETFLOW_WEBHOOKS_FILE\n"
    "  --no-scheduler       do not run the scheduled jobs in this process\n"
    "  --port P             the HTTP API (and dashboard) on 127.0.0.1:P (default 8080;\n"
    "                       0: any free port). JWT secret: WALLETFLOW_JWT_SECRET, else\n"
    "                       <db>.jwt (created, mode 0600). With no API user yet, a demo\n"
    "                       admin is created and its password printed once\n"
    "  --no-api             do not serve the API\n";

// Committed batches to the API's live stream.
class HubSink final : public pipeline::BatchSink {
 public:
  explicit HubSink(api::EventHub& hub) : hub_(hub) {}
  Status publish(const store::Batch& batch) override {
    hub_.publish_batch(batch);
    return Status::Ok();
  }

 private:
  api::EventHub& hub_;
};

// The API for `run`, not started yet (its hooks are set first): the JWT secret from the
// environment or <db>.jwt, and a demo admin (password in `demo`, printed once by
// announce_api) when the store has no API user yet.
Result<std::unique_ptr<api::Server>> make_api(const std::string& store_uri, const std::string& db,
                                              int port, store::Store& store,
                                              const std::string& rules_file, std::string* demo) {
  auto secret = api::jwt_secret_from_env();
  if (!secret.ok()) return secret.take_error();
  if (secret->empty()) {
    secret = api::load_or_create_secret_file(db + ".jwt");
    if (!secret.ok()) return secret.take_error();
  }
  api::ServerOptions options;
  options.store_uri = store_uri;
  options.port = port;
  options.rules_file = rules_file;
  auto tokens = api::Tokens::create(*secret, options.issuer, options.token_ttl_us);
  if (!tokens.ok()) return tokens.take_error();
  auto users = api::count_users(store);
  if (!users.ok()) return users.take_error();
  if (*users == 0) {
    *demo = api::random_password();
    WF_RETURN_IF_ERROR(api::put_user(store, "demo", api::Role::kAdmin, *demo, SystemClock().now()));
  }
  return std::make_unique<api::Server>(options, std::move(*tokens));
}

Status announce_api(api::Server& server, const std::string& demo) {
  WF_RETURN_IF_ERROR(server.start());
  std::fprintf(stderr, "walletflow run: API on http://127.0.0.1:%d (GET /openapi.json)\n",
               server.port());
  if (!demo.empty()) {
    std::fprintf(stderr, "walletflow run: demo login (shown this once): user demo, password %s\n",
                 demo.c_str());
  }
  return Status::Ok();
}

}  // namespace

int cmd_run(int argc, char** argv) {
  Args args(std::string(kUsage) + "\nmodel options:\n" + kModelOptionsUsage);
  args.option("db")
      .option("store")
      .option("rate")
      .option("duration")
      .option("users")
      .option("merchants");
  args.option("seed").option("fraud-rate").option("bad-rate").option("pii-key-file");
  args.option("labels-out").option("now").option("rules").option("config");
  args.option("no-scheduler", true).option("port").option("no-api", true);
  args.option("model").option("model-policy").option("model-threshold");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  auto rate = args.get_double("rate", 2000, 0.001, 10'000'000);
  auto duration = args.get_double("duration", 0, 0, 365.0 * 86400);
  auto fraud = args.get_double("fraud-rate", 0.02, 0, 0.5);
  auto bad = args.get_double("bad-rate", 0.001, 0, 1);
  for (const Error* e :
       {rate.ok() ? nullptr : &rate.error(), duration.ok() ? nullptr : &duration.error(),
        fraud.ok() ? nullptr : &fraud.error(), bad.ok() ? nullptr : &bad.error()}) {
    if (e != nullptr) return usage_error(args, e->message);
  }
  SystemClock clock;
  std::string db = args.get_or("db", "walletflow.db");

  auto pii = [&]() -> Result<pipeline::PiiProtector> {
    if (args.has("pii-key-file") || std::getenv("WALLETFLOW_PII_KEY") != nullptr) {
      return load_pii(args);
    }
    return pipeline::PiiProtector::load_or_create_key_file(db + ".key");
  }();
  if (!pii.ok()) return report(pii.error());
  auto pack = load_pack(args);
  if (!pack.ok()) return report(pack.error());
  auto model_option = load_model_option(args, &*pack);  // the rules with its features
  if (!model_option.ok()) {
    if (model_option.error().code == Errc::kInvalidArgument) {
      return usage_error(args, model_option.error().message);
    }
    return report(model_option.error());
  }
  const std::string store_uri = args.get_or("store", "sqlite:" + db);
  auto store = store::open_store(store_uri);
  if (!store.ok()) return report(store.error());

  auto dims = load_dimensions(**store);
  if (!dims.ok() && dims.error().code != Errc::kNotFound) return report(dims.error());
  if (!dims.ok()) {
    auto options = seed_options_from(args, clock.now());
    if (!options.ok()) return usage_error(args, options.error().message);
    if (!args.has("users")) options->users = 200'000;
    if (!args.has("merchants")) options->merchants = 2'000;
    log::info("seeding " + std::to_string(options->users) + " users and " +
              std::to_string(options->merchants) + " merchants into " +
              std::string((*store)->kind()) + " store");
    dims = seed_store(**store, *options, *pii);
    if (!dims.ok()) return report(dims.error());
  }

  gen::StreamOptions stream_options;
  auto seed = args.get_int("seed", clock.now(), 0, INT64_MAX);
  if (!seed.ok()) return usage_error(args, seed.error().message);
  stream_options.seed = static_cast<uint64_t>(*seed);
  stream_options.fraud_rate = *fraud;
  stream_options.bad_rate = *bad;
  stream_options.start = clock.now();
  gen::StreamGenerator generator(*dims, stream_options);

  std::unique_ptr<OutputFile> labels;
  if (auto path = args.get("labels-out")) {
    auto f = OutputFile::open(*path);
    if (!f.ok()) return report(f.error());
    labels = std::move(f).value();
  }
  GeneratorSource source(generator, clock, *rate, labels.get());

  pipeline::Processor processor(*pack, *pii, clock);
  processor.load_users(dims->users);
  processor.load_merchants(dims->merchants);
  apply_model_option(*model_option, processor);
  pipeline::RunnerOptions options;
  options.batch_records = 4096;
  options.max_batch_age_us = 200'000;
  pipeline::RulesMailbox mailbox;
  std::unique_ptr<RulesWatcher> watcher =
      watch_rules_option(args, *pack, model_option->model, mailbox, &options);
  std::mutex processor_mutex;  // the stream and POST /api/v1/score share the Processor
  std::unique_ptr<HubSink> hub_sink;
  std::unique_ptr<api::Server> api_server;  // stopped (destroyed) before what it uses
  std::string demo_password;
  if (!args.has("no-api")) {
    auto port = args.get_int("port", 8080, 0, 65535);
    if (!port.ok()) return usage_error(args, port.error().message);
    auto server = make_api(store_uri, db, static_cast<int>(*port), **store,
                           args.get_or("rules", ""), &demo_password);
    if (!server.ok()) return report(server.error());
    api_server = std::move(*server);
    hub_sink = std::make_unique<HubSink>(api_server->hub());
    options.sink = hub_sink.get();  // committed batches feed /api/v1/stream
    options.processor_mutex = &processor_mutex;
    api_server->set_scorer([&processor, &processor_mutex](std::string_view body) {
      return score_json(processor, processor_mutex, body);
    });
  }
  pipeline::Runner runner(source, **store, processor, clock, options);
  install_stop_handlers();
  auto ops = Operations::open(args);
  if (!ops.ok()) return report(ops.error());
  if (!args.has("no-scheduler")) {
    if (Status s = (*ops)->start_scheduler(store_uri); !s.ok()) return report(s.error());
  }
  std::unique_ptr<LiveStats> live;  // the dashboard's live figures, once a second
  if (api_server) {
    api_server->set_source_lag([&runner] { return runner.snapshot().source_lag; });
    notify::Notifier* notifier = &(*ops)->notifier();
    api_server->set_extra_metrics([&runner, notifier] {
      return pipeline_metrics(runner.snapshot()) + notifier_metrics(*notifier);
    });
    live = std::make_unique<LiveStats>(api_server->hub(), [&runner] {
      const pipeline::RunnerSnapshot s = runner.snapshot();
      return LiveSample{s.facts, s.flagged, s.monitored, s.latency_ns, s.source_lag};
    });
    // Serving starts once every hook is set (requests read them from other threads).
    if (Status s = announce_api(*api_server, demo_password); !s.ok()) return report(s.error());
  }

  std::fprintf(stderr, "walletflow run: %s, %.0f tx/s, %zu users, %zu merchants%s\n", db.c_str(),
               *rate, dims->users.size(), dims->merchants.size(),
               *duration > 0 ? "" : " (Ctrl-C to stop)");
  StatusLine status(clock, stderr_is_tty(), /*lines_when_not_tty=*/true);
  Status result = run_with_status(runner, status, clock, static_cast<int64_t>(*duration * 1e6),
                                  (*ops)->observer());
  (*ops)->stop_scheduler();
  live.reset();
  if (api_server) api_server->stop();
  auto snap = runner.snapshot();
  if (!result.ok()) return report(result.error());
  if (labels) {
    Status flushed = labels->flush();
    if (!flushed.ok()) return report(flushed.error());
  }
  std::fprintf(stderr,
               "walletflow run: stopped after %lld transactions (%lld flagged, %lld "
               "monitored, %lld dead letters); data in %s\n",
               static_cast<long long>(snap.records), static_cast<long long>(snap.flagged),
               static_cast<long long>(snap.monitored), static_cast<long long>(snap.dead_letters),
               args.has("store") ? without_password(store_uri).c_str() : db.c_str());
  return kExitOk;
}

}  // namespace wf::app
