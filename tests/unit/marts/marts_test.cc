// Each gold mart's figures against the same figures computed here, independently, from
// the stored fact rows and dimensions; on SQLite and on PostgreSQL.
#include "marts/marts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "gen/ph_ewallet.h"
#include "pipeline/runner.h"
#include "stream/file/file_source.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace wf::marts {
namespace {

constexpr int kOffset = 480;  // +08:00
constexpr const char* kDay = "2026-11-01";

struct Day {
  int64_t count = 0, spend = 0, food = 0, bills = 0, flagged = 0;
  std::map<std::string, int64_t> by_category;
};
struct Merchant {
  int64_t count = 0, volume = 0, success = 0, flagged = 0;
  std::set<std::string> customers;
};
struct Hour {
  int64_t count = 0, success = 0, flagged = 0;
};

class MartsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string uri =
        GetParam() == "sqlite" ? "sqlite:" + dir_.file("m.db") : wf::testing::fresh_pg_database();
    ASSERT_FALSE(uri.empty());
    store_ = std::move(store::open_store(uri)).value();
    gen::SeedOptions so;
    so.users = 400;
    so.merchants = 60;
    so.seed = 2;
    so.now = *parse_rfc3339("2026-10-31T00:00:00Z");
    dims_ = gen::seed_dimensions(so);
    ASSERT_TRUE(store_->upsert_users(dims_.users).ok());
    ASSERT_TRUE(store_->upsert_merchants(dims_.merchants).ok());
    gen::StreamOptions o;
    o.seed = 6;
    o.start = *parse_rfc3339("2026-10-31T20:00:00Z");  // 04:00 local on the day
    o.tx_per_user_per_day = 80;
    gen::StreamGenerator g(dims_, o);
    std::string text;
    gen::Label label;
    for (int i = 0; i < 30'000; ++i) g.next(&text, &label);
    const std::string events = dir_.file("events.jsonl");
    std::ofstream(events) << text;
    auto pack = rules::RulePack::builtin("ph-ewallet");
    auto pii = pipeline::PiiProtector::from_key("test-key-0123456789");
    SystemClock clock;
    pipeline::Processor processor(*pack, *pii, clock);
    processor.load_users(dims_.users);
    auto source = stream::file::FileSource::open(events);
    pipeline::Runner runner(**source, *store_, processor, clock);
    std::atomic<bool> stop{false};
    ASSERT_TRUE(runner.run(stop).ok());
  }

  std::vector<std::vector<std::string>> rows(const std::string& mart) {
    std::vector<std::vector<std::string>> out;
    std::string table = (GetParam() == "sqlite" ? "" : "gold.") + mart;
    EXPECT_TRUE(store_
                    ->query_text("SELECT * FROM " + table + " ORDER BY 1, 2",
                                 [&](const std::vector<std::string_view>& r) {
                                   out.emplace_back(r.begin(), r.end());
                                 })
                    .ok());
    return out;
  }

  wf::testing::TempDir dir_;
  gen::Dimensions dims_;
  std::unique_ptr<store::Store> store_;
};

bool spend(const store::StoredFact& f) {
  auto t = domain::tx_type_name(f.tx.type);
  return f.tx.status == domain::TxStatus::kSuccess &&
         (t == "payment" || t == "bills" || t == "purchase" || t == "order");
}

TEST_P(MartsTest, FiguresMatchTheFactsComputedIndependently) {
  std::map<std::string, std::string> category;
  for (const domain::Merchant& m : dims_.merchants) category[m.merchant_id] = m.category;
  const Instant from = *parse_date(kDay) - kOffset * kMicrosPerMinute;
  const Instant to = from + kMicrosPerDay;
  std::map<std::string, Day> users;
  std::map<std::string, Merchant> merchants;
  std::map<std::string, Hour> hours;
  int64_t flagged = 0, outside = 0;
  ASSERT_TRUE(
      store_
          ->scan_facts(0, INT64_MAX,
                       [&](const store::StoredFact& f) {
                         if (f.tx.event_ts < from || f.tx.event_ts >= to) {
                           ++outside;
                           return;
                         }
                         const bool fraud = f.verdict == domain::Verdict::kFlag;
                         const bool ok = f.tx.status == domain::TxStatus::kSuccess;
                         Day& d = users[std::string(f.tx.user_id)];
                         ++d.count;
                         d.flagged += fraud;
                         flagged += fraud;
                         const std::string cat = category[std::string(f.tx.merchant_id)];
                         if (spend(f)) {
                           d.spend += f.amount_php;
                           if (cat == "Food") d.food += f.amount_php;
                           if (!cat.empty()) d.by_category[cat] += f.amount_php;
                         }
                         if (ok && (domain::tx_type_name(f.tx.type) == "bills" || cat == "Bills")) {
                           d.bills += f.amount_php;
                         }
                         if (!f.tx.merchant_id.empty()) {
                           Merchant& m = merchants[std::string(f.tx.merchant_id)];
                           ++m.count;
                           m.volume += ok ? f.amount_php : 0;
                           m.success += ok;
                           m.flagged += fraud;
                           m.customers.insert(std::string(f.tx.user_id));
                         }
                         std::string hour = format_rfc3339_offset(f.tx.event_ts, kOffset);
                         hour = hour.substr(0, 10) + " " + hour.substr(11, 2) + ":00";
                         Hour& h = hours[hour];
                         ++h.count;
                         h.success += ok;
                         h.flagged += fraud;
                       })
          .ok());
  ASSERT_GT(users.size(), 100u);
  ASSERT_GT(flagged, 5);
  ASSERT_GT(outside, 0);  // the stream runs past the day: the bounds are tested

  const Mart* dashboard = find_mart("mart_daily_user_dashboard");
  ASSERT_NE(dashboard, nullptr);
  for (int twice = 0; twice < 2; ++twice) {  // a rebuild replaces the day
    for (const Mart& m : all_marts()) ASSERT_TRUE(build(*store_, m, kDay, kOffset).ok()) << m.name;
  }

  auto dash = rows("mart_daily_user_dashboard");
  ASSERT_EQ(dash.size(), users.size());
  for (const auto& r : dash) {
    const Day& d = users.at(r[1]);
    EXPECT_EQ(r[0], kDay);
    EXPECT_EQ(std::stoll(r[2]), d.spend) << r[1];
    EXPECT_EQ(std::stoll(r[3]), d.count) << r[1];
    std::string top;
    int64_t best = -1;
    for (const auto& [cat, amount] : d.by_category) {
      if (amount > best) {
        best = amount;
        top = cat;
      }
    }
    EXPECT_EQ(r[4], top) << r[1];
    EXPECT_EQ(std::stoll(r[5]), d.food) << r[1];
    EXPECT_EQ(std::stoll(r[6]), d.bills) << r[1];
    EXPECT_EQ(std::stoll(r[7]), d.flagged) << r[1];
  }

  auto perf = rows("mart_merchant_performance");
  ASSERT_EQ(perf.size(), merchants.size());
  for (const auto& r : perf) {
    const Merchant& m = merchants.at(r[1]);
    EXPECT_EQ(std::stoll(r[2]), m.count);
    EXPECT_EQ(std::stoll(r[3]), m.volume);
    EXPECT_EQ(std::stoll(r[4]), static_cast<int64_t>(m.customers.size()));
    EXPECT_NEAR(std::stod(r[5]), double(m.success) / double(m.count), 0.00006);
    EXPECT_EQ(std::stoll(r[6]), m.flagged);
  }

  auto velocity = rows("mart_hourly_velocity");
  ASSERT_EQ(velocity.size(), hours.size());
  ASSERT_GE(velocity.size(), 12u);  // the day's hours with traffic
  for (const auto& r : velocity) {
    const Hour& h = hours.at(r[1]);
    EXPECT_EQ(std::stoll(r[2]), h.count) << r[1];
    EXPECT_NEAR(std::stod(r[3]), double(h.success) / double(h.count), 0.00006) << r[1];
    EXPECT_NEAR(std::stod(r[4]), double(h.flagged) / double(h.count), 0.00006) << r[1];
    EXPECT_GE(std::stod(r[5]), 0.0);
  }

  auto alerts = rows("mart_fraud_alerts");
  EXPECT_EQ(static_cast<int64_t>(alerts.size()), flagged);
}

INSTANTIATE_TEST_SUITE_P(Stores, MartsTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(Marts, RenderRefusesUnknownPlaceholdersAndBadDates) {
  Mart m;
  m.name = "mart_x";
  m.date_column = "d";
  m.table_sql = "CREATE TABLE {gold}mart_x (d {date})";
  m.build_sql = "INSERT INTO {gold}mart_x SELECT {nope}";
  auto r = render(m, "sqlite", "2026-11-01", 480);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("{nope}"), std::string::npos);
  m.build_sql = "INSERT INTO {gold}mart_x SELECT {date_value} WHERE x >= {from}";
  auto ok = render(m, "postgresql", "2026-11-01", 480);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[2],
            "INSERT INTO gold.mart_x SELECT '2026-11-01' WHERE x >= '2026-10-31T16:00:00.000000Z'");
  EXPECT_FALSE(render(m, "sqlite", "2026-13-01", 480).ok());
}

}  // namespace
}  // namespace wf::marts
