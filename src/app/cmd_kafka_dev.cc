// walletflow kafka-dev: a local Kafka cluster for development and tests. librdkafka's mock
// cluster speaks the real Kafka protocol on loopback; this hosts one with walletflow's
// topics and runs until stopped.
#include <chrono>
#include <cstdio>
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
    "\n"
    "Hosts a mock Kafka cluster (librdkafka's, real protocol on loopback) with the topics\n"
    "walletflow-bronze-transactions, walletflow-silver-transactions,\n"
    "walletflow-fraud-alerts and walletflow-dead-letters, prints the bootstrap servers and\n"
    "runs until Ctrl-C or SIGTERM. Data lives in memory (a few MiB per partition).\n"
    "\n"
    "options:\n"
    "  --brokers N           brokers (default 3)\n"
    "  --partitions P        partitions per topic (default 12)\n"
    "  --bootstrap-file FILE also write the bootstrap servers there (for --kafka @FILE)\n";

}  // namespace

int cmd_kafka_dev(int argc, char** argv) {
  Args args(kUsage);
  args.option("brokers").option("partitions").option("bootstrap-file");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  auto brokers = args.get_int("brokers", 3, 1, 16);
  if (!brokers.ok()) return usage_error(args, brokers.error().message);
  auto partitions = args.get_int("partitions", 12, 1, 1024);
  if (!partitions.ok()) return usage_error(args, partitions.error().message);

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
  while (!stop_flag().load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  log::info("mock Kafka cluster stopped");
  return kExitOk;
}

}  // namespace wf::app
