// walletflow kafka-dev: a local Kafka cluster for development and tests. librdkafka's mock
// cluster speaks the real Kafka protocol on loopback; this hosts one with walletflow's
// topics and runs until stopped.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "app/commands.h"
#include "app/common.h"
#include "core/log.h"
#include "stream/kafka/mock_cluster.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow kafka-dev [--brokers N] [--partitions P] [--bootstrap-file FILE]\n"
    "                            [--chaos SECONDS [--chaos-rounds N] [--chaos-start-file F]]\n"
    "\n"
    "Hosts a mock Kafka cluster (librdkafka's, real protocol on loopback) with the topics\n"
    "walletflow-bronze-transactions, walletflow-silver-transactions,\n"
    "walletflow-fraud-alerts and walletflow-dead-letters, prints the bootstrap servers and\n"
    "runs until Ctrl-C or SIGTERM. Data lives in memory (a few MiB per partition).\n"
    "\n"
    "options:\n"
    "  --brokers N           brokers (default 3)\n"
    "  --partitions P        partitions per topic (default 12)\n"
    "  --bootstrap-file FILE also write the bootstrap servers there (for --kafka @FILE)\n"
    "  --chaos SECONDS       every SECONDS, move every partition's leader to the next\n"
    "                        broker and fail the next produce, fetch, offset-commit and\n"
    "                        heartbeat requests with retriable errors (fault drills)\n"
    "  --chaos-rounds N      stop the chaos after N rounds (default: never)\n"
    "  --chaos-start-file F  begin the rounds once file F exists (default: at start)\n";

}  // namespace

int cmd_kafka_dev(int argc, char** argv) {
  Args args(kUsage);
  args.option("brokers")
      .option("partitions")
      .option("bootstrap-file")
      .option("chaos")
      .option("chaos-rounds")
      .option("chaos-start-file");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  auto brokers = args.get_int("brokers", 3, 1, 16);
  if (!brokers.ok()) return usage_error(args, brokers.error().message);
  auto partitions = args.get_int("partitions", 12, 1, 1024);
  if (!partitions.ok()) return usage_error(args, partitions.error().message);
  auto chaos = args.get_int("chaos", 0, 0, 3600);
  if (!chaos.ok()) return usage_error(args, chaos.error().message);
  auto chaos_rounds = args.get_int("chaos-rounds", 0, 0, 1'000'000);
  if (!chaos_rounds.ok()) return usage_error(args, chaos_rounds.error().message);

  install_stop_handlers();
  auto cluster = stream::kafka::MockCluster::start(static_cast<int>(*brokers));
  if (!cluster.ok()) return report(cluster.error());
  Status s = (*cluster)->create_walletflow_topics(static_cast<int>(*partitions));
  if (!s.ok()) return report(s.error());
  const std::string bootstrap = (*cluster)->bootstrap();
  if (auto path = args.get("bootstrap-file")) {
    if (Status w = write_file_atomically(*path, bootstrap); !w.ok()) return report(w.error());
  }
  std::printf("%s\n", bootstrap.c_str());
  std::fflush(stdout);
  log::info("mock Kafka cluster: " + std::to_string(*brokers) + " brokers, " +
            std::to_string(*partitions) + " partitions per topic, bootstrap " + bootstrap);
  int rounds = 0, errors = 0;
  const std::string start_file = args.get_or("chaos-start-file", "");
  std::optional<std::chrono::steady_clock::time_point> next_round;
  while (!stop_flag().load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (*chaos > 0 && !next_round && (start_file.empty() || std::filesystem::exists(start_file))) {
      next_round = std::chrono::steady_clock::now();  // the first round at once
    }
    const bool rounds_left = *chaos_rounds == 0 || rounds < *chaos_rounds;
    if (next_round && rounds_left && std::chrono::steady_clock::now() >= *next_round) {
      errors += (*cluster)->disturb(++rounds);
      *next_round += std::chrono::seconds(*chaos);
      log::info("chaos round " + std::to_string(rounds) + ": leaders moved, " +
                std::to_string(errors) + " request errors injected so far");
      if (rounds == *chaos_rounds) {
        std::this_thread::sleep_for(std::chrono::seconds(*chaos));
        (*cluster)->calm();
        log::info("chaos over");
      }
    }
  }
  log::info("mock Kafka cluster stopped" +
            (rounds > 0 ? " after " + std::to_string(rounds) + " chaos rounds" : std::string()));
  return kExitOk;
}

}  // namespace wf::app
