// What only the PostgreSQL store has: migrations, month partitions, uniqueness of
// transaction_id across partitions, and riding out a server restart.
#include "store/postgres/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/postgres/migrations.h"
#include "support/pg_server.h"

namespace wf::store::postgres {
namespace {

FactRow fact(std::string_view id, const char* when) {
  FactRow f;
  f.transaction_id = id;
  f.event_ts = *parse_rfc3339(when);
  f.user_id = "U1";
  f.transaction_type = "payment";
  f.amount_minor = 5000;
  f.currency = "PHP";
  f.amount_php = 5000;
  f.status = "SUCCESS";
  return f;
}

int64_t scalar(Conn& conn, const std::string& sql) {
  auto r = conn.query(sql);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::stoll(std::string(field(r->get(), 0, 0))) : -1;
}

TEST(PgStore, MigratesOnceAndRefusesASchemaNewerThanItKnows) {
  const std::string uri = wf::testing::fresh_pg_database();
  ASSERT_FALSE(uri.empty());
  ASSERT_TRUE(open_store(uri).ok());
  auto again = open_store(uri);  // idempotent
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto conn = Conn::connect(uri);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(scalar(*conn, "SELECT count(*) FROM ops.schema_migrations"), kLatestMigration);
  EXPECT_EQ(scalar(*conn,
                   "SELECT count(*) FROM information_schema.schemata WHERE schema_name"
                   " IN ('silver', 'gold', 'ops')"),
            3);
  ASSERT_TRUE(
      conn->exec("INSERT INTO ops.schema_migrations (version, name) VALUES (999, 'x')").ok());
  auto refused = open_store(uri);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("newer than this walletflow"), std::string::npos)
      << refused.error().message;
}

TEST(PgStore, PartitionsByMonthAndKeepsTransactionIdsUniqueAcrossThem) {
  const std::string uri = wf::testing::fresh_pg_database();
  ASSERT_FALSE(uri.empty());
  auto store = open_store(uri);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Batch b;
  b.source = "file:/x";
  b.end_offset = 3;
  b.facts = {fact("a", "2025-01-15T00:00:00Z"), fact("b", "2026-11-30T23:59:59Z"),
             fact("c", "2027-03-01T00:00:00Z")};
  auto r = (*store)->commit(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->facts, 3);
  auto conn = Conn::connect(uri);
  ASSERT_TRUE(conn.ok());
  for (const char* p :
       {"fact_transactions_y2025m01", "fact_transactions_y2026m11", "fact_transactions_y2027m03"}) {
    EXPECT_EQ(scalar(*conn, std::string("SELECT count(*) FROM silver.") + p), 1) << p;
  }
  // The same id in another month (another partition) is still a duplicate.
  b.end_offset = 5;
  b.facts = {fact("a", "2026-11-02T00:00:00Z"), fact("d", "2026-11-02T00:00:00Z"),
             fact("d", "2026-11-03T00:00:00Z")};
  r = (*store)->commit(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->facts, 1);
  EXPECT_EQ(r->duplicates, 2);
  EXPECT_EQ((*store)->counts()->facts, 4);
  EXPECT_EQ(
      scalar(*conn, "SELECT count(*) FROM silver.fact_transactions WHERE transaction_id = 'a'"), 1);
  // Partitions ahead of the data: maintain creates the coming months.
  auto made = (*store)->maintain(15);
  ASSERT_TRUE(made.ok());
  EXPECT_GT(*made, 0);
  EXPECT_EQ(*(*store)->maintain(15), 0);  // idempotent
  EXPECT_GE(scalar(*conn,
                   "SELECT count(*) FROM pg_inherits WHERE inhparent ="
                   " 'silver.fact_transactions'::regclass"),
            16);
}

TEST(PgStore, CommitsRideOutAServerRestart) {
  const std::string uri = wf::testing::fresh_pg_database();
  ASSERT_FALSE(uri.empty());
  PgOptions options;
  options.first_backoff_us = 20'000;
  auto store = PgStore::open(uri, options);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->migrate().ok());
  std::atomic<bool> restarted{false};
  std::thread restarter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_TRUE(wf::testing::shared_pg_cluster()->restart().ok());
    restarted = true;
  });
  // Batches keep coming while the server goes down and comes back.
  constexpr int kBatches = 200;
  std::vector<std::string> ids;
  for (int i = 0; i < kBatches * 50; ++i) ids.push_back("tx-" + std::to_string(i));
  int64_t stored = 0;
  for (int i = 0; i < kBatches; ++i) {
    Batch b;
    b.source = "kafka:t";
    b.positions = {{"kafka:t/0", i * 50, (i + 1) * 50}};
    for (int k = 0; k < 50; ++k) {
      b.facts.push_back(fact(ids[static_cast<size_t>(i * 50 + k)], "2026-11-25T10:00:00Z"));
      b.facts.back().source = "kafka:t/0";
    }
    auto r = (*store)->commit(b);
    ASSERT_TRUE(r.ok()) << "batch " << i << ": " << r.error().message;
    stored += r->facts;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  restarter.join();
  EXPECT_TRUE(restarted.load());
  EXPECT_GE((*store)->reconnects(), 1);
  EXPECT_EQ(stored, kBatches * 50);
  EXPECT_EQ((*store)->counts()->facts, kBatches * 50);
  EXPECT_EQ(*(*store)->load_offset("kafka:t/0"), kBatches * 50);
}

}  // namespace
}  // namespace wf::store::postgres
