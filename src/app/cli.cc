#include "app/cli.h"

#include <cstdio>
#include <cstring>
#include <string_view>

#include "app/args.h"
#include "app/commands.h"

namespace wf::app {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"run", "the whole pipeline on one machine (embedded SQLite)", cmd_run},
    {"seed", "write the dimension tables (users, merchants) of a profile", cmd_seed},
    {"generate", "write a synthetic, labelled transaction stream", cmd_generate},
    {"process", "validate, protect, score and store a stream, exactly once", cmd_process},
    {"eval", "precision / recall / F1 per rule and overall against labels", cmd_eval},
    {"bench", "throughput and latency scenarios as JSON", cmd_bench},
    {"rules", "print a built-in rule pack, or check a rules file", cmd_rules},
    {"backtest", "replay history through candidate rules and compare with production",
     cmd_backtest},
    {"train", "train a fraud model (XGBoost) on features from the rules' state", cmd_train},
    {"kafka-dev", "a local Kafka cluster (mock brokers, real protocol) with the topics",
     cmd_kafka_dev},
    {"marts", "build the gold marts of a day or a range of days", cmd_marts},
    {"quality", "run the data-quality checks and reconciliation; exit 1 on failure", cmd_quality},
    {"scheduler", "run the scheduled jobs (marts, quality, maintenance, retention)", cmd_scheduler},
    {"jobs", "list the jobs, run one now, or show the run history", cmd_jobs},
    {"serve", "the HTTP API over a store (JWT auth, roles, OpenAPI at /openapi.json)", cmd_serve},
    {"users", "add an API user (password from stdin, argon2id)", cmd_users},
    {"webhook-sink", "a local webhook receiver for development (writes what it gets)",
     cmd_webhook_sink},
    {"store", "store upkeep: 'maintain' (partitions ahead, statistics)", cmd_store},
    {"pg-dev", "a throwaway PostgreSQL 15 server on a unix socket, for --store", cmd_pg_dev},
};

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: walletflow <command> [options]\n\n"
               "Real-time transaction monitoring and fraud detection.\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'walletflow <command> --help' describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return kExitUsage;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return kExitOk;
  }
  if (name == "--version") {
    std::printf("walletflow 0.1.0\n");
    return kExitOk;
  }
  for (const Command& c : kCommands) {
    if (name == c.name) return c.run(argc, argv);
  }
  std::fprintf(stderr, "walletflow: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return kExitUsage;
}

}  // namespace wf::app
