// A throwaway PostgreSQL 15 cluster: initdb in a fresh directory, a server listening on a
// unix socket there only (no TCP, trust authentication for the local socket), one
// database. For tests, `walletflow pg-dev` and `walletflow bench --scenario postgres`;
// never for production data. As root the server runs as the `postgres` user (PostgreSQL
// refuses root). Debian's binaries (/usr/lib/postgresql/15/bin, or $WALLETFLOW_PG_BIN).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace wf::store::postgres {

struct PgClusterOptions {
  std::string dir;       // empty: a new directory under $TMPDIR, removed at the end
  int port = 5432;       // names the socket file only
  bool durable = false;  // false: fsync off (tests); true: PostgreSQL's defaults
  std::string database = "walletflow";
};

class PgCluster {
 public:
  static Result<std::unique_ptr<PgCluster>> start(PgClusterOptions options = {});
  ~PgCluster();  // stops the server (fast), removes the directory if it made it
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // postgresql://postgres@/walletflow?host=DIR&port=PORT
  std::string uri() const;
  const std::string& dir() const { return dir_; }
  const std::string& bin_dir() const { return bin_; }
  // pg_ctl stop / start / restart (fast shutdown: sessions are disconnected).
  Status stop();
  Status start_server();
  Status restart();

 private:
  PgCluster() = default;
  Status pg_ctl(const std::string& action);
  // Runs a PostgreSQL binary (as `postgres` when we are root); its output goes to the log.
  Status run(const std::vector<std::string>& argv);

  PgClusterOptions options_;
  std::string dir_;
  std::string bin_;
  bool owns_dir_ = false;
  bool running_ = false;
  bool as_postgres_ = false;
};

}  // namespace wf::store::postgres
