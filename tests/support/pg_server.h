// One throwaway PostgreSQL 15 cluster per test binary, started on first use and stopped
// when the binary exits; each caller gets a new empty database on it.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "store/postgres/pg.h"
#include "store/postgres/pg_cluster.h"
#include "support/temp_dir.h"

namespace wf::testing {

inline store::postgres::PgCluster* shared_pg_cluster() {
  static std::unique_ptr<store::postgres::PgCluster> cluster = [] {
    auto c = store::postgres::PgCluster::start();
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? std::move(*c) : nullptr;
  }();
  return cluster.get();
}

// "postgresql://..." of a database created for the caller; empty if the cluster failed.
inline std::string fresh_pg_database() {
  static std::atomic<int> counter{0};
  store::postgres::PgCluster* cluster = shared_pg_cluster();
  if (cluster == nullptr) return {};
  std::string name = "t" + std::to_string(counter.fetch_add(1));
  std::string admin = "postgresql://postgres@/postgres?host=" + cluster->dir() + "&port=5432";
  auto conn = store::postgres::Conn::connect(admin);
  EXPECT_TRUE(conn.ok()) << conn.error().message;
  if (!conn.ok()) return {};
  EXPECT_TRUE(conn->exec("DROP DATABASE IF EXISTS " + name).ok());
  EXPECT_TRUE(conn->exec("CREATE DATABASE " + name).ok());
  return "postgresql://postgres@/" + name + "?host=" + cluster->dir() + "&port=5432";
}

// A fresh store of `kind` for parameterized store tests: "sqlite" (a file in `dir`) or
// "postgresql" (a new database on the shared cluster); empty if the cluster failed.
inline std::string fresh_store_uri(const std::string& kind, const TempDir& dir) {
  return kind == "sqlite" ? "sqlite:" + dir.file("store.db") : fresh_pg_database();
}

}  // namespace wf::testing
