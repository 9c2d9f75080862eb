// The Runner writing to PostgreSQL on two connections at once: batches overlap, yet they
// commit and take their place in processing order as one writer would, with the same
// decisions as the embedded store.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gen/ph_ewallet.h"
#include "pipeline/runner.h"
#include "store/store.h"
#include "stream/file/file_source.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace wf::pipeline {
namespace {

struct Outcome {
  RunnerSnapshot snapshot;
  std::vector<std::string> order;      // stored facts in processing order
  std::vector<std::string> decisions;  // "id score decision rules", by id
};

Outcome run_into(const std::string& uri, const std::string& events, const gen::Dimensions& dims,
                 int writers, size_t batch = 700) {
  Outcome out;
  auto store = store::open_store(uri);
  EXPECT_TRUE(store.ok()) << store.error().message;
  if (!store.ok()) return out;
  EXPECT_TRUE((*store)->upsert_users(dims.users).ok());
  auto pack = rules::RulePack::builtin("ph-ewallet");
  auto pii = PiiProtector::from_key("test-key-0123456789");
  SystemClock clock;
  Processor processor(*pack, *pii, clock);
  processor.load_users(dims.users);
  RunnerOptions options;
  options.batch_records = batch;  // many small batches: several in flight at once
  std::vector<std::unique_ptr<store::Store>> extra;
  for (int i = 1; i < writers; ++i) {
    auto w = (*store)->open_writer();
    EXPECT_TRUE(w.ok());
    if (!w.ok() || !*w) break;
    options.extra_writers.push_back(w->get());
    extra.push_back(std::move(*w));
  }
  EXPECT_EQ(static_cast<int>(options.extra_writers.size()), writers - 1);
  auto source = stream::file::FileSource::open(events);
  Runner runner(**source, **store, processor, clock, options);
  std::atomic<bool> stop{false};
  Status s = runner.run(stop);
  EXPECT_TRUE(s.ok()) << s.error().message;
  out.snapshot = runner.snapshot();
  EXPECT_TRUE((*store)
                  ->scan_facts(0, INT64_MAX,
                               [&](const store::StoredFact& f) {
                                 out.order.emplace_back(f.tx.transaction_id);
                                 out.decisions.push_back(
                                     std::string(f.tx.transaction_id) + " " +
                                     std::to_string(f.fraud_score) + " " +
                                     std::string(domain::verdict_name(f.verdict)) + " " +
                                     std::string(f.rules_fired));
                               })
                  .ok());
  std::sort(out.decisions.begin(), out.decisions.end());
  return out;
}

TEST(PgRunner, TwoWritersCommitInReadOrderWithTheEmbeddedStoresDecisions) {
  gen::SeedOptions so;
  so.users = 300;
  so.merchants = 40;
  so.seed = 4;
  so.now = *parse_rfc3339("2026-11-01T00:00:00Z");
  gen::Dimensions dims = gen::seed_dimensions(so);
  gen::StreamOptions o;
  o.seed = 8;
  o.start = *parse_rfc3339("2026-11-01T08:00:00Z");
  o.bad_rate = 0.005;
  o.tx_per_user_per_day = 500;
  gen::StreamGenerator g(dims, o);
  wf::testing::TempDir dir;
  const std::string events = dir.file("events.jsonl");
  std::vector<std::string> file_order;  // ids of well-formed events, as written
  {
    std::string text;
    for (int i = 0; i < 20'000; ++i) {
      gen::Label label;
      if (g.next(&text, &label)) file_order.push_back(label.transaction_id);
    }
    std::ofstream(events) << text;
  }
  Outcome embedded = run_into("sqlite:" + dir.file("s.db"), events, dims, 1);
  const std::string uri = wf::testing::fresh_pg_database();
  ASSERT_FALSE(uri.empty());
  Outcome pg = run_into(uri, events, dims, 2);

  EXPECT_GT(pg.snapshot.batches, 20);
  EXPECT_EQ(pg.snapshot.records, 20'000);
  EXPECT_EQ(pg.snapshot.committed, 20'000);
  EXPECT_EQ(pg.snapshot.dead_letters, embedded.snapshot.dead_letters);
  EXPECT_EQ(pg.order.size(), embedded.order.size());
  // Processing order (what a restart replays) is the order events were read.
  EXPECT_EQ(pg.order, embedded.order);
  EXPECT_EQ(pg.order, file_order);
  EXPECT_EQ(pg.decisions, embedded.decisions);
}

// Batches whose events fall in months without partitions yet, in no particular order,
// on two writers: each batch creates its partitions while the other's transaction may be
// open. Everything is stored, in read order, and nothing waits forever.
TEST(PgRunner, TwoWritersCreateMonthPartitionsAsBatchesNeedThem) {
  wf::testing::TempDir dir;
  const std::string events = dir.file("events.jsonl");
  std::vector<std::string> ids;
  {
    std::ofstream out(events);
    for (int i = 0; i < 3000; ++i) {
      int month = 1 + (i / 100 * 7) % 12;  // a new month every 100 events, jumping about
      int year = 2020 + i / 1200;
      char ts[40];
      std::snprintf(ts, sizeof ts, "%04d-%02d-15T10:00:%02d+08:00", year, month, i % 60);
      ids.push_back("m-" + std::to_string(i));
      out << R"({"transaction_id":")" << ids.back() << R"(","event_timestamp":")" << ts
          << R"(","user_id":"U)" << i % 7
          << R"(","transaction_type":"payment","amount":"100.00","currency":"PHP"})"
          << "\n";
    }
  }
  gen::Dimensions none;
  const std::string uri = wf::testing::fresh_pg_database();
  ASSERT_FALSE(uri.empty());
  Outcome pg = run_into(uri, events, none, 2, /*batch=*/100);
  EXPECT_EQ(pg.snapshot.committed, 3000);
  EXPECT_EQ(pg.order, ids);
}

}  // namespace
}  // namespace wf::pipeline
