#include "store/store.h"

#include <gtest/gtest.h>

#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace wf::store {
namespace {

// The store contract, run against each store: SQLite (embedded) and PostgreSQL (a
// throwaway server the test binary starts).
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string uri = testing::fresh_store_uri(GetParam(), dir_);
    ASSERT_FALSE(uri.empty());
    auto s = open_store(uri);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }

  FactRow fact(std::string_view id, domain::Verdict verdict, int64_t offset) {
    FactRow f;
    f.transaction_id = id;
    f.event_ts = *parse_rfc3339("2026-11-25T10:00:00Z") + offset;
    f.user_id = "U1";
    f.transaction_type = "payment";
    f.amount_minor = 150000;
    f.currency = "PHP";
    f.amount_php = 150000;
    f.status = "SUCCESS";
    f.verdict = verdict;
    f.fraud_score = verdict == domain::Verdict::kFlag ? 85 : 0;
    f.rules_fired = verdict == domain::Verdict::kFlag ? "R001" : "";
    f.alert_type = "R001 high_amount_night";
    f.source_offset = offset;
    return f;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, CommitsRowsAlertsDeadLettersAndOffsetTogether) {
  Batch b;
  b.source = "file:/x";
  b.end_offset = 300;
  b.facts = {fact("t1", domain::Verdict::kNormal, 0), fact("t2", domain::Verdict::kFlag, 100)};
  b.dead_letters = {{200, Errc::kBadAmount, "amount: bad", "{\"amount\":\"x\"}", {}}};
  auto r = store_->commit(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->facts, 2);
  EXPECT_EQ(r->alerts, 1);
  EXPECT_EQ(r->dead_letters, 1);
  EXPECT_EQ(*store_->load_offset("file:/x"), 300);
  EXPECT_EQ(*store_->load_offset("file:/other"), 0);
  auto c = store_->counts();
  EXPECT_EQ(c->facts, 2);
  EXPECT_EQ(c->alerts, 1);
  EXPECT_EQ(c->dead_letters, 1);
}

TEST_P(StoreTest, DuplicateTransactionIdsAreCountedAndDropped) {
  Batch b;
  b.source = "stdin";
  b.facts = {fact("t1", domain::Verdict::kFlag, 0)};
  ASSERT_TRUE(store_->commit(b).ok());
  b.facts = {fact("t1", domain::Verdict::kFlag, 0), fact("t3", domain::Verdict::kNormal, 5)};
  auto r = store_->commit(b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->facts, 1);
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->alerts, 0);
  EXPECT_EQ(store_->counts()->facts, 2);
  EXPECT_EQ(store_->counts()->alerts, 1);
}

TEST_P(StoreTest, AFailingBatchLeavesNothingBehind) {
  Batch b;
  b.source = "file:/x";
  b.end_offset = 500;
  b.facts = {fact("t1", domain::Verdict::kNormal, 0), fact("t2", domain::Verdict::kNormal, 1)};
  b.facts[1].user_id = "";  // NOT NULL violation after the first row went in
  auto r = store_->commit(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kStore);
  EXPECT_EQ(store_->counts()->facts, 0);
  EXPECT_EQ(*store_->load_offset("file:/x"), 0);
}

TEST_P(StoreTest, DimensionsRoundTrip) {
  domain::User u;
  u.user_id = "U1";
  u.phone_hash = "ab";
  u.full_name = "Juan Dela Cruz";
  u.home_province = "Cebu";
  u.home_city = "Cebu City";
  u.kyc_level = 2;
  u.created_at = *parse_rfc3339("2024-01-01T00:00:00Z");
  u.last_txn_at = 0;
  domain::User homeless = u;
  homeless.user_id = "U2";
  u.has_home = true;
  u.home_lat = 10.3157;
  u.home_lon = 123.8854;
  ASSERT_TRUE(store_->upsert_users(std::vector<domain::User>{u, homeless}).ok());
  u.kyc_level = 3;
  ASSERT_TRUE(store_->upsert_users(std::vector<domain::User>{u}).ok());
  auto users = store_->load_users();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].kyc_level, 3);
  EXPECT_EQ((*users)[0].created_at, u.created_at);
  EXPECT_EQ((*users)[0].last_txn_at, 0);
  EXPECT_TRUE((*users)[0].has_home);
  EXPECT_DOUBLE_EQ((*users)[0].home_lat, 10.3157);
  EXPECT_DOUBLE_EQ((*users)[0].home_lon, 123.8854);
  EXPECT_FALSE((*users)[1].has_home);
  domain::Merchant m{"M1", "Jollibee - Ayala", "Food", "Metro Manila", true, 5};
  ASSERT_TRUE(store_->upsert_merchants(std::vector<domain::Merchant>{m}).ok());
  EXPECT_EQ((*store_->load_merchants())[0].merchant_name, "Jollibee - Ayala");
}

TEST_P(StoreTest, ProductsUpsertOnTheirIdAndLoadBack) {
  domain::Product p{
      "P000002", "Laptop Asus 14", "Electronics", "Laptops",
      "IDR",     12'500'000,       9'900'000,     *parse_rfc3339("2025-06-01T00:00:00Z")};
  domain::Product q{"P000001", "Kaos Polos", "Fashion", "", "IDR", 75'000, 30'000, 0};
  ASSERT_TRUE(store_->upsert_products(std::vector<domain::Product>{p, q}).ok());
  p.price_minor = 11'999'000;  // a batch load run again with a new price: one row, updated
  ASSERT_TRUE(store_->upsert_products(std::vector<domain::Product>{p}).ok());
  auto products = store_->load_products();
  ASSERT_TRUE(products.ok()) << products.error().message;
  ASSERT_EQ(products->size(), 2u);
  EXPECT_EQ((*products)[0].product_id, "P000001");
  EXPECT_EQ((*products)[0].sub_category, "");
  EXPECT_EQ((*products)[0].created_at, 0);
  EXPECT_EQ((*products)[1].product_name, "Laptop Asus 14");
  EXPECT_EQ((*products)[1].sub_category, "Laptops");
  EXPECT_EQ((*products)[1].price_minor, 11'999'000);
  EXPECT_EQ((*products)[1].cost_minor, 9'900'000);
  EXPECT_EQ((*products)[1].currency, "IDR");
  EXPECT_EQ((*products)[1].created_at, p.created_at);
}

TEST_P(StoreTest, EvalJoinsLabelsWithDecisions) {
  Batch b;
  b.source = "s";
  b.facts = {fact("t1", domain::Verdict::kFlag, 0), fact("t2", domain::Verdict::kNormal, 1)};
  ASSERT_TRUE(store_->commit(b).ok());
  std::vector<LabelRow> labels = {{"t1", true, "R001", 1}, {"t9", true, "R002", -1}};
  ASSERT_TRUE(store_->replace_labels(labels).ok());
  int rows = 0, lost = 0, unlabelled = 0;
  ASSERT_TRUE(store_
                  ->scan_eval([&](const EvalRow& r) {
                    ++rows;
                    if (r.labelled && !r.stored) ++lost;
                    if (!r.labelled && r.stored) ++unlabelled;
                    if (r.labelled && r.stored) {
                      EXPECT_EQ(r.verdict, domain::Verdict::kFlag);
                      EXPECT_EQ(r.rules_fired, "R001");
                      EXPECT_EQ(r.pattern, "R001");
                      EXPECT_EQ(r.baseline, 1);  // the baseline detector's verdict
                      EXPECT_EQ(r.fraud_score, 85);
                    }
                    if (r.labelled && !r.stored) {
                      EXPECT_EQ(r.baseline, -1);
                    }
                  })
                  .ok());
  EXPECT_EQ(rows, 3);
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(unlabelled, 1);
}

TEST_P(StoreTest, RefusesABatchFromAConsumerThatLostItsPartition) {
  Batch batch;
  batch.source = "kafka:t";
  batch.positions.push_back({"kafka:t/0", 0, 10});
  ASSERT_TRUE(store_->commit(batch).ok());
  EXPECT_EQ(*store_->load_offset("kafka:t/0"), 10);
  // Another member continues from 10; a stale one still thinks the partition is at 0.
  Batch stale;
  stale.source = "kafka:t";
  stale.positions.push_back({"kafka:t/0", 0, 7});
  stale.facts = {fact("tx-stale", domain::Verdict::kFlag, 0)};
  const int64_t retries_before = transient_retries();
  auto refused = store_->commit(stale);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kConflict);
  EXPECT_EQ(transient_retries(), retries_before);  // a final answer: refused at once
  EXPECT_NE(refused.error().message.find("kafka:t/0"), std::string::npos);
  EXPECT_EQ(*store_->load_offset("kafka:t/0"), 10);
  EXPECT_EQ(store_->counts()->facts, 0);
  EXPECT_EQ(store_->counts()->alerts, 0);
  Batch next;
  next.source = "kafka:t";
  next.positions.push_back({"kafka:t/0", 10, 12});
  ASSERT_TRUE(store_->commit(next).ok());
  EXPECT_EQ(*store_->load_offset("kafka:t/0"), 12);
}

TEST_P(StoreTest, ScansFactsInProcessingOrderWithTheirPositionsLastEventTimes) {
  Batch b;
  b.source = "kafka:t";
  b.positions = {{"kafka:t/0", 0, 2}, {"kafka:t/1", 0, 1}};
  b.facts = {fact("a", domain::Verdict::kNormal, 300), fact("b", domain::Verdict::kNormal, 100),
             fact("c", domain::Verdict::kFlag, 200)};
  b.facts[0].source = "kafka:t/0";
  b.facts[1].source = "kafka:t/1";
  b.facts[2].source = "kafka:t/0";
  b.facts[2].has_location = true;
  b.facts[2].lat = 14.5995;
  b.facts[2].lon = 120.9842;
  b.facts[2].merchant_id = "M7";
  ASSERT_TRUE(store_->commit(b).ok());
  Batch later;
  later.source = "kafka:t";
  later.positions = {{"kafka:t/1", 1, 2}};
  later.facts = {fact("d", domain::Verdict::kNormal, 50)};
  later.facts[0].source = "kafka:t/1";
  ASSERT_TRUE(store_->commit(later).ok());

  const Instant base = *parse_rfc3339("2026-11-25T10:00:00Z");
  EXPECT_EQ(*store_->last_event_ts("kafka:t/0"), base + 200);  // its last row, not its max
  EXPECT_EQ(*store_->last_event_ts("kafka:t/1"), base + 50);
  EXPECT_EQ(*store_->last_event_ts("kafka:t/9"), 0);
  EXPECT_EQ(*store_->last_processed_event_ts(), base + 50);
  std::string order;
  ASSERT_TRUE(store_
                  ->scan_facts(base, base + 1000,
                               [&](const StoredFact& f) {
                                 order += f.tx.transaction_id;
                                 if (f.tx.transaction_id == "c") {
                                   EXPECT_TRUE(f.tx.has_location);
                                   EXPECT_DOUBLE_EQ(f.tx.lat, 14.5995);
                                   EXPECT_EQ(f.tx.merchant_id, "M7");
                                   EXPECT_EQ(f.verdict, domain::Verdict::kFlag);
                                   EXPECT_EQ(f.amount_php, 150000);
                                 }
                               })
                  .ok());
  EXPECT_EQ(order, "abcd");
  std::string users;
  ASSERT_TRUE(store_
                  ->scan_last_activity(INT64_MAX,
                                       [&](std::string_view u, Instant t) {
                                         users += std::string(u);
                                         EXPECT_EQ(t, base + 300);
                                       })
                  .ok());
  EXPECT_EQ(users, "U1");
}

TEST_P(StoreTest, CountsRecordsAndDuplicatesPerPositionForReconciliation) {
  Batch b;
  b.source = "kafka:t";
  b.positions = {{"kafka:t/0", 0, 3}, {"kafka:t/1", 0, 2}};
  b.facts = {fact("a", domain::Verdict::kNormal, 1), fact("b", domain::Verdict::kNormal, 2),
             fact("c", domain::Verdict::kNormal, 3)};
  b.facts[0].source = "kafka:t/0";
  b.facts[1].source = "kafka:t/1";
  b.facts[2].source = "kafka:t/0";
  b.facts[2].product_id = "P-42";
  b.dead_letters = {{2, Errc::kBadAmount, "amount: bad", "{}", "kafka:t/0"},
                    {1, Errc::kMalformedJson, "bad json", "{", "kafka:t/1"}};
  ASSERT_TRUE(store_->commit(b).ok());
  Batch replay;  // "a" and "b" again, at later offsets of partition 1
  replay.source = "kafka:t";
  replay.positions = {{"kafka:t/1", 2, 5}};
  replay.facts = {fact("a", domain::Verdict::kNormal, 1), fact("b", domain::Verdict::kNormal, 2),
                  fact("d", domain::Verdict::kNormal, 4)};
  for (FactRow& f : replay.facts) f.source = "kafka:t/1";
  replay.dropped_duplicates = {"kafka:t/1"};  // one more the pipeline caught itself
  auto r = store_->commit(replay);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 2);
  std::string table = table_name(GetParam(), "source_offsets");
  std::vector<std::string> rows;
  ASSERT_TRUE(store_
                  ->query_text("SELECT source, records, duplicates, purged FROM " + table +
                                   " ORDER BY source",
                               [&](const std::vector<std::string_view>& row) {
                                 rows.push_back(std::string(row[0]) + " " + std::string(row[1]) +
                                                " " + std::string(row[2]) + " " +
                                                std::string(row[3]));
                               })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], "kafka:t/0 3 0 0");  // 2 facts + 1 dead letter
  EXPECT_EQ(rows[1], "kafka:t/1 6 3 0");  // 1 fact + 1 dead letter, then 4 read, 3 dropped
  std::string product;
  ASSERT_TRUE(store_
                  ->scan_facts(0, INT64_MAX,
                               [&](const StoredFact& f) {
                                 if (f.tx.transaction_id == "c") product = f.tx.product_id;
                               })
                  .ok());
  EXPECT_EQ(product, "P-42");
}

TEST_P(StoreTest, QueryParametersAreDataNeverSql) {
  Batch b;
  b.source = "stdin";
  b.facts = {fact("t1", domain::Verdict::kFlag, 0), fact("t2", domain::Verdict::kNormal, 1)};
  ASSERT_TRUE(store_->commit(b).ok());
  const std::string sql = "SELECT transaction_id FROM " +
                          table_name(GetParam(), "fact_transactions") +
                          " WHERE fraud_score >= $1 AND user_id = $2 ORDER BY 1";
  std::vector<std::string> ids;
  auto collect = [&](const std::vector<std::string_view>& r) { ids.emplace_back(r[0]); };
  ASSERT_TRUE(store_->query_text(sql, {"60", "U1"}, collect).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"t1"}));
  ids.clear();
  ASSERT_TRUE(store_->query_text(sql, {"0", "U1' OR '1'='1"}, collect).ok());
  EXPECT_TRUE(ids.empty());
  ASSERT_TRUE(store_->query_text(sql, {"0", std::nullopt}, collect).ok());  // NULL matches nothing
  EXPECT_TRUE(ids.empty());

  const std::string alerts = table_name(GetParam(), "fraud_alerts");
  const std::string note = "it's fine'); DROP TABLE x; --";
  auto changed = store_->execute("UPDATE " + alerts + " SET note = $1 WHERE transaction_id = $2",
                                 {note, "t1"});
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(*changed, 1);
  ASSERT_TRUE(store_->query_text("SELECT note FROM " + alerts, {}, collect).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{note}));
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(OpenStore, AddsRulesetVersionToAnOlderFactTable) {
  testing::TempDir dir;
  std::string path = dir.file("old.db");
  {
    auto db = sqlite::Db::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        db->exec("CREATE TABLE fact_transactions (transaction_id TEXT PRIMARY KEY,"
                 " event_ts TEXT NOT NULL, user_id TEXT NOT NULL, merchant_id TEXT,"
                 " counterparty_id TEXT, transaction_type TEXT NOT NULL,"
                 " amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,"
                 " amount_php INTEGER NOT NULL, channel TEXT, payment_method TEXT,"
                 " status TEXT NOT NULL, country TEXT, province TEXT, city TEXT, lat REAL,"
                 " lon REAL, device_id TEXT, ip_hash TEXT, phone_hash TEXT, quantity INTEGER,"
                 " fraud_score INTEGER NOT NULL, fraud_flag INTEGER NOT NULL,"
                 " decision TEXT NOT NULL, rules_fired TEXT NOT NULL, processing_us INTEGER,"
                 " source TEXT, source_offset INTEGER)")
            .ok());
  }
  auto store = open_store("sqlite:" + path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Batch b;
  b.source = "s";
  FactRow f;
  f.transaction_id = "t1";
  f.event_ts = 1;
  f.user_id = "U1";
  f.transaction_type = "payment";
  f.currency = "PHP";
  f.status = "SUCCESS";
  f.ruleset_version = "0123456789abcdef";
  ASSERT_TRUE((*store)->commit(b).ok());
  b.facts = {f};
  ASSERT_TRUE((*store)->commit(b).ok());
  store->reset();
  auto db = sqlite::Db::open(path);
  auto q = db->prepare("SELECT ruleset_version FROM fact_transactions");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->step());
  EXPECT_EQ(q->column_text(0), "0123456789abcdef");
}

// A full disk (here: SQLite's page limit, which fails the same way, SQLITE_FULL) rolls
// the batch back; the commit waits and writes it whole once there is room again, and
// gives up with a clear error when there never is.
TEST(SqliteStore, ADiskFullCommitWaitsForRoomAndLosesNothing) {
  testing::TempDir dir;
  int waits = 0;
  sqlite::SqliteOptions options;
  options.first_backoff_us = 1'000;
  options.max_backoff_us = 1'000;
  sqlite::SqliteStore* raw = nullptr;
  options.on_disk_full = [&](int failures) {
    waits = failures;
    if (failures == 3) {
      ASSERT_TRUE(raw->exec_script({"PRAGMA max_page_count = 1000000"}).ok());
    }
  };
  auto opened = sqlite::SqliteStore::open(dir.file("full.db"), options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::unique_ptr<sqlite::SqliteStore> store = std::move(opened).value();
  raw = store.get();
  ASSERT_TRUE(store->migrate().ok());
  auto pages = [&] {
    int64_t n = 0;
    EXPECT_TRUE(store
                    ->query_text("PRAGMA page_count", {},
                                 [&](const auto& row) { n = std::stoll(std::string(row[0])); })
                    .ok());
    return n;
  };
  ASSERT_TRUE(store->exec_script({"PRAGMA max_page_count = " + std::to_string(pages())}).ok());
  Batch b;
  b.source = "file:/full";
  b.end_offset = 4000;
  std::vector<std::string> ids, again_ids;  // the rows' views point here
  for (int i = 0; i < 2000; ++i) {
    ids.push_back("t" + std::to_string(i));
    again_ids.push_back("t" + std::to_string(i) + "b");
  }
  for (int i = 0; i < 2000; ++i) {
    FactRow f;
    f.transaction_id = ids[i];
    f.event_ts = *parse_rfc3339("2026-11-25T10:00:00Z") + i;
    f.user_id = "U1";
    f.transaction_type = "payment";
    f.currency = "PHP";
    f.status = "SUCCESS";
    f.source_offset = 2 * i;
    b.facts.push_back(f);
  }
  const int64_t retries_before = transient_retries();
  auto r = store->commit(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(waits, 3);
  EXPECT_EQ(transient_retries() - retries_before, 3);
  EXPECT_EQ(r->facts, 2000);
  EXPECT_EQ(store->counts()->facts, 2000);
  EXPECT_EQ(*store->load_offset("file:/full"), 4000);

  // No room ever: the commit gives up after retry_for_us, naming the cause; nothing of the
  // batch is stored and the position stays.
  sqlite::SqliteOptions brief;
  brief.first_backoff_us = 1'000;
  brief.retry_for_us = 20'000;
  auto again = sqlite::SqliteStore::open(dir.file("full.db"), brief);
  ASSERT_TRUE(again.ok());
  store.reset();
  store = std::move(again).value();
  ASSERT_TRUE(store->exec_script({"PRAGMA max_page_count = " + std::to_string(pages())}).ok());
  for (size_t i = 0; i < b.facts.size(); ++i) b.facts[i].transaction_id = again_ids[i];
  b.end_offset = 8000;
  auto failed = store->commit(b);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("disk full for"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(store->counts()->facts, 2000);
  EXPECT_EQ(*store->load_offset("file:/full"), 4000);
}

TEST(OpenStore, RejectsUnknownUris) {
  auto s = open_store("mysql://x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace wf::store
