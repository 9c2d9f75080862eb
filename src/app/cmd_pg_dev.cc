// walletflow pg-dev: a throwaway PostgreSQL 15 cluster for development and tests (initdb
// in a directory, a server on a unix socket there only), printing the store URI and
// running until stopped. walletflow's commands take that URI as --store.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "app/commands.h"
#include "app/common.h"
#include "core/log.h"
#include "store/postgres/pg_cluster.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow pg-dev [--dir DIR] [--port P] [--uri-file FILE] [--durable]\n"
    "\n"
    "Starts a PostgreSQL 15 server (Debian's postgresql-15 binaries) on a unix socket in\n"
    "DIR, with a database 'walletflow', prints its URI (postgresql://...) and runs until\n"
    "Ctrl-C or SIGTERM, then stops the server. Local trust authentication: for development\n"
    "and tests only.\n"
    "\n"
    "options:\n"
    "  --dir DIR        cluster directory, kept (default: a temporary one, removed)\n"
    "  --port P         socket port number (default 5432; the socket lives in DIR)\n"
    "  --uri-file FILE  also write the URI there (for --store @FILE)\n"
    "  --durable        keep fsync on (default off: faster, not crash-safe)\n";

}  // namespace

int cmd_pg_dev(int argc, char** argv) {
  Args args(kUsage);
  args.option("dir").option("port").option("uri-file").option("durable", true);
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  auto port = args.get_int("port", 5432, 1, 65535);
  if (!port.ok()) return usage_error(args, port.error().message);
  store::postgres::PgClusterOptions options;
  options.dir = args.get_or("dir", "");
  options.port = static_cast<int>(*port);
  options.durable = args.has("durable");
  install_stop_handlers();
  auto cluster = store::postgres::PgCluster::start(options);
  if (!cluster.ok()) return report(cluster.error());
  const std::string uri = (*cluster)->uri();
  if (auto path = args.get("uri-file")) {
    if (Status w = write_file_atomically(*path, uri); !w.ok()) return report(w.error());
  }
  std::printf("%s\n", uri.c_str());
  std::fflush(stdout);
  log::info("PostgreSQL 15 running in " + (*cluster)->dir() + "; store " + uri);
  while (!stop_flag().load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  cluster->reset();
  log::info("PostgreSQL stopped");
  return kExitOk;
}

}  // namespace wf::app
