// walletflow serve: the HTTP API over an existing store.
// walletflow users add NAME --role R: an API user (password from stdin, argon2id).
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "api/auth.h"
#include "api/server.h"
#include "app/commands.h"
#include "app/common.h"
#include "app/dims.h"
#include "app/follower.h"
#include "app/operations.h"
#include "app/rules_watcher.h"
#include "core/log.h"

namespace wf::app {
namespace {

constexpr const char* kServeUsage =
    "usage: walletflow serve --store STORE [--port 8080] [--host 127.0.0.1] [--threads N]\n"
    "\n"
    "Serves the REST API (seed 003's endpoints and more; GET /openapi.json describes them)\n"
    "over STORE until Ctrl-C. Tokens are HS256 JWTs signed with WALLETFLOW_JWT_SECRET, or\n"
    "the contents of the file WALLETFLOW_JWT_SECRET_FILE names (at least 32 bytes).\n"
    "Users: walletflow users add NAME --role viewer|analyst|admin --store STORE.\n"
    "\n"
    "The stream's rule state is rebuilt from STORE at start and kept current by following\n"
    "what the pipeline (process or run, elsewhere) commits: POST /api/v1/score decides\n"
    "with it (503 until it is rebuilt) and GET /api/v1/stream carries the commits.\n"
    "\n"
    "options:\n"
    "  --store STORE   sqlite:PATH or postgresql://...\n"
    "  --port P        port (default 8080; 0: any free one, printed)\n"
    "  --host H        address to listen on (default 127.0.0.1)\n"
    "  --threads N     handler threads for requests that use the store (default 16)\n"
    "  --rules FILE    the rules file GET/PUT /api/v1/rules show and replace and scoring uses\n"
    "                  (processes run with --rules FILE reload it); default: the built-in\n"
    "                  pack of --profile, read only\n"
    "  --profile P     the built-in rule pack without --rules (default ph-ewallet)\n"
    "  --config FILE   operations config: the scheduler's jobs (default: the built-in\n"
    "                  config/operations.toml); webhooks from WALLETFLOW_WEBHOOKS\n"
    "  --no-scheduler  do not run the scheduled jobs in this process\n"
    "  --model FILE, --model-policy P, --model-threshold X\n"
    "                  POST /api/v1/score also scores with a model from 'walletflow\n"
    "                  train', as process --model does (reloaded when the file changes)\n";

constexpr const char* kUsersUsage =
    "usage: walletflow users add NAME --role viewer|analyst|admin --store STORE\n"
    "\n"
    "Adds an API user, or gives an existing one a new password and role. The password is\n"
    "read from the first line of stdin (at least 8 characters) and stored as an argon2id\n"
    "hash. Roles: viewer (read, PII masked), analyst (case work, PII), admin (rules).\n";

}  // namespace

int cmd_serve(int argc, char** argv) {
  Args args(kServeUsage);
  args.option("store").option("port").option("host").option("threads").option("rules");
  args.option("profile").option("pii-key-file");
  args.option("config").option("no-scheduler", true);
  args.option("model").option("model-policy").option("model-threshold");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (!args.has("store")) return usage_error(args, "--store is required");
  auto port = args.get_int("port", 8080, 0, 65535);
  auto threads = args.get_int("threads", 16, 1, 1024);
  if (!port.ok()) return usage_error(args, port.error().message);
  if (!threads.ok()) return usage_error(args, threads.error().message);
  auto secret = api::jwt_secret_from_env();
  if (!secret.ok()) return report(secret.error());
  if (secret->empty()) {
    return usage_error(args, "set WALLETFLOW_JWT_SECRET (or WALLETFLOW_JWT_SECRET_FILE)");
  }
  api::ServerOptions options;
  options.store_uri = *args.get("store");
  options.port = static_cast<int>(*port);
  options.host = args.get_or("host", "127.0.0.1");
  options.threads = static_cast<int>(*threads);
  options.rules_file = args.get_or("rules", "");
  options.profile = args.get_or("profile", "ph-ewallet");
  auto pack = load_pack(args);
  if (!pack.ok()) return report(pack.error());
  auto model_option = load_model_option(args, &*pack);  // the rules with its features
  if (!model_option.ok()) {
    if (model_option.error().code == Errc::kInvalidArgument) {
      return usage_error(args, model_option.error().message);
    }
    return report(model_option.error());
  }
  // Scoring hashes nothing it keeps: without a configured key, a throwaway one will do.
  auto pii =
      std::getenv("WALLETFLOW_PII_KEY") != nullptr || args.has("pii-key-file")
          ? load_pii(args)
          : pipeline::PiiProtector::from_key(api::random_password() + api::random_password());
  if (!pii.ok()) return report(pii.error());
  auto tokens = api::Tokens::create(*secret, options.issuer, options.token_ttl_us);
  if (!tokens.ok()) return report(tokens.error());
  std::vector<domain::User> users;
  std::vector<domain::Merchant> merchants;
  {
    auto store = open_store_arg(args, "");  // migrated before the first request
    if (!store.ok()) return report(store.error());
    auto dims = load_dimensions(**store);
    if (!dims.ok() && dims.error().code != Errc::kNotFound) return report(dims.error());
    if (dims.ok()) {
      users = std::move(dims->users);
      merchants = std::move(dims->merchants);
    }
  }
  SystemClock clock;
  pipeline::Processor processor(*pack, *pii, clock);
  processor.load_users(users);
  processor.load_merchants(merchants);
  apply_model_option(*model_option, processor);
  std::mutex processor_mutex;
  pipeline::RulesMailbox mailbox;
  std::unique_ptr<RulesWatcher> watcher;
  const std::string model_file = args.get_or("model", "");
  if (!options.rules_file.empty() || !model_file.empty()) {
    install_reload_handler();
    const std::string origin =
        !options.rules_file.empty() ? options.rules_file : "builtin:" + options.profile;
    watcher = std::make_unique<RulesWatcher>(options.rules_file, pack->text(), origin, model_file,
                                             model_option->model, pack->version(), mailbox);
  }
  auto ops = Operations::open(args);
  if (!ops.ok()) return report(ops.error());
  install_stop_handlers();
  api::Server server(options, std::move(*tokens));
  Follower follower(options.store_uri, processor, processor_mutex, server.hub());
  follower.set_rules(&mailbox);
  server.set_scorer([&](std::string_view body) -> Result<std::string> {
    if (!follower.ready()) {
      return make_error(Errc::kStore, "the stream state is still being rebuilt from the store");
    }
    return score_json(processor, processor_mutex, body);
  });
  follower.start();
  LiveStats live(server.hub(), [&follower] { return follower.sample(); });
  if (Status s = server.start(); !s.ok()) return report(s.error());
  if (!args.has("no-scheduler")) {
    if (Status s = (*ops)->start_scheduler(options.store_uri); !s.ok()) return report(s.error());
  }
  std::printf("http://%s:%d\n", options.host.c_str(), server.port());
  std::fflush(stdout);
  log::info("API on http://" + options.host + ":" + std::to_string(server.port()) +
            " (GET /openapi.json); Ctrl-C to stop");
  while (!stop_flag().load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*ops)->stop_scheduler();
  server.stop();
  follower.stop();
  return kExitOk;
}

int cmd_users(int argc, char** argv) {
  Args args(kUsersUsage);
  args.option("store").option("role");
  std::string_view action = argc >= 3 ? argv[2] : "";
  if (action == "--help" || action == "-h") {
    std::fputs(kUsersUsage, stdout);
    return kExitOk;
  }
  if (action != "add") return usage_error(args, "users needs 'add NAME'");
  if (argc < 4 || argv[3][0] == '-') return usage_error(args, "users add needs a NAME");
  const std::string name = argv[3];
  if (auto code = parse_or_exit(args, argc, argv, 4)) return *code;
  if (name.size() > 64) return usage_error(args, "NAME is at most 64 characters");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
        c != '@') {
      return usage_error(args, "NAME may hold letters, digits, _ - . @");
    }
  }
  auto role = api::parse_role(args.get_or("role", ""));
  if (!role) return usage_error(args, "--role must be viewer, analyst or admin");
  if (!args.has("store")) return usage_error(args, "--store is required");
  std::string password;
  if (!std::getline(std::cin, password)) return usage_error(args, "no password on stdin");
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.size() < 8) return usage_error(args, "the password needs at least 8 characters");
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  if (Status s = api::put_user(**store, name, *role, password, SystemClock().now()); !s.ok()) {
    return report(s.error());
  }
  std::printf("user %s (%s) saved\n", name.c_str(), std::string(api::role_name(*role)).c_str());
  return kExitOk;
}

}  // namespace wf::app
