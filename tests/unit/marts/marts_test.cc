// Each gold mart's figures against the same figures computed here, independently, from
// the stored fact rows and dimensions; on SQLite and on PostgreSQL.
#include "marts/marts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>

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
struct Fact {
  std::string id, user, merchant, product, country, currency;
  std::string_view type;
  domain::TxStatus status = domain::TxStatus::kSuccess;
  int64_t amount = 0, php = 0, quantity = 0, score = 0;
  bool flagged = false, monitored = false;
  bool ok() const { return status == domain::TxStatus::kSuccess; }
  bool spend() const {
    return ok() && (type == "payment" || type == "bills" || type == "purchase" || type == "order");
  }
  bool genuine() const { return !flagged && status != domain::TxStatus::kFailed; }
  int64_t units() const { return quantity == 0 ? 1 : quantity; }
};

class MartsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string uri = wf::testing::fresh_store_uri(GetParam(), dir_);
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
    for (int i = 0; i < 30'000; ++i) {
      size_t at = text.size();
      g.next(&text, &label);
      // Every third event is an order line: a product (P000-P024; the last five have no
      // dimension row) and a quantity.
      if (i % 3 == 0) {
        char fields[64];
        std::snprintf(fields, sizeof fields, "\"product_id\":\"P%03d\",\"quantity\":%d,",
                      i / 3 % 25, 1 + i % 7);
        text.insert(at + 1, fields);
      }
    }
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
    // Products P000-P019 priced in PHP (unit cost 100.00 + 5.00 per number); analysts'
    // work on the alerts: every third confirmed, every third dismissed.
    std::vector<std::string> script;
    for (int p = 0; p < 20; ++p) {
      char sql[256];
      std::snprintf(sql, sizeof sql,
                    "INSERT INTO %sdim_products (product_id, product_name, category, currency,"
                    " price_minor, cost_minor) VALUES ('P%03d', 'Product %d', '%s', 'PHP', %d, %d)",
                    silver(), p, p, p % 2 == 0 ? "Gadgets" : "Home", 20000 + 500 * p,
                    10000 + 500 * p);
      script.emplace_back(sql);
    }
    script.push_back(std::string("UPDATE ") + silver() +
                     "fraud_alerts SET status = CASE alert_id % 3 WHEN 0 THEN 'CONFIRMED'"
                     " WHEN 1 THEN 'DISMISSED' ELSE 'NEW' END");
    ASSERT_TRUE(store_->exec_script(script).ok());
  }

  const char* silver() const { return GetParam() == "sqlite" ? "" : "silver."; }

  // Stored facts with from <= event_ts < to.
  std::vector<Fact> facts(Instant from, Instant to) {
    std::vector<Fact> out;
    EXPECT_TRUE(store_
                    ->scan_facts(from, to,
                                 [&](const store::StoredFact& f) {
                                   Fact x;
                                   x.id = f.tx.transaction_id;
                                   x.user = f.tx.user_id;
                                   x.merchant = f.tx.merchant_id;
                                   x.product = f.tx.product_id;
                                   x.country = f.tx.country;
                                   x.currency = std::string(f.tx.amount.currency.code());
                                   x.type = domain::tx_type_name(f.tx.type);
                                   x.status = f.tx.status;
                                   x.amount = f.tx.amount.minor;
                                   x.php = f.amount_php;
                                   x.quantity = f.tx.quantity;
                                   x.score = f.fraud_score;
                                   x.flagged = f.verdict == domain::Verdict::kFlag;
                                   x.monitored = f.verdict == domain::Verdict::kMonitor;
                                   out.push_back(std::move(x));
                                 })
                    .ok());
    return out;
  }

  std::vector<std::vector<std::string>> rows(const std::string& mart) {
    std::vector<std::vector<std::string>> out;
    std::string table = store::table_name(GetParam(), mart);
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

// Seed 001's and seed 004's marts, each figure recomputed here from the fact rows, the
// dimensions and the alerts' statuses.
TEST_P(MartsTest, Seed001And004MartsMatchTheFactsComputedIndependently) {
  const Instant from = *parse_date(kDay) - kOffset * kMicrosPerMinute;
  const Instant to = from + kMicrosPerDay;
  const std::vector<Fact> day = facts(from, to);
  ASSERT_GT(day.size(), 10'000u);
  std::map<std::string, std::pair<std::string, std::string>> alert;  // id -> status, type
  ASSERT_TRUE(store_
                  ->query_text(std::string("SELECT transaction_id, status, alert_type FROM ") +
                                   silver() + "fraud_alerts",
                               [&](const std::vector<std::string_view>& r) {
                                 alert[std::string(r[0])] = {std::string(r[1]), std::string(r[2])};
                               })
                  .ok());
  std::map<std::string, std::string> category;
  for (const domain::Merchant& m : dims_.merchants) category[m.merchant_id] = m.category;
  for (const char* date : {kDay, "2026-11-02"}) {
    for (const Mart& m : all_marts()) ASSERT_TRUE(build(*store_, m, date, kOffset).ok()) << m.name;
  }
  auto i64 = [](const std::string& s) { return std::stoll(s); };
  auto rate = [](int64_t a, int64_t b) { return double(a) / double(b); };

  {  // mart_daily_revenue_summary
    int64_t ok = 0, revenue = 0, fraud = 0, fraud_amount = 0, monitored = 0;
    std::set<std::string> users, merchants;
    for (const Fact& f : day) {
      ok += f.ok();
      revenue += f.ok() ? f.php : 0;
      fraud += f.flagged;
      fraud_amount += f.flagged ? f.php : 0;
      monitored += f.monitored;
      users.insert(f.user);
      if (!f.merchant.empty()) merchants.insert(f.merchant);
    }
    auto r = rows("mart_daily_revenue_summary");
    ASSERT_EQ(r.size(), 2u);  // the day and the next, which the stream reaches
    EXPECT_EQ(r[0][0], kDay);
    EXPECT_EQ(i64(r[0][1]), int64_t(day.size()));
    EXPECT_EQ(i64(r[0][2]), ok);
    EXPECT_EQ(i64(r[0][3]), revenue);
    EXPECT_EQ(i64(r[0][4]), revenue / ok);
    EXPECT_EQ(i64(r[0][5]), fraud);
    EXPECT_EQ(i64(r[0][6]), fraud_amount);
    EXPECT_EQ(i64(r[0][7]), monitored);
    EXPECT_NEAR(std::stod(r[0][8]), rate(fraud, int64_t(day.size())), 0.00006);
    EXPECT_EQ(i64(r[0][9]), int64_t(users.size()));
    EXPECT_EQ(i64(r[0][10]), int64_t(merchants.size()));
  }

  {  // mart_customer_kpis: each active user's 30 days ending the day, for both days
    auto r = rows("mart_customer_kpis");
    size_t checked = 0;
    for (const char* date : {kDay, "2026-11-02"}) {
      const Instant d_from = *parse_date(date) - kOffset * kMicrosPerMinute;
      const Instant d_to = d_from + kMicrosPerDay;
      struct Kpi {
        int64_t n = 0, spend_n = 0, spend = 0, fraud = 0;
        bool active = false;
      };
      std::map<std::string, Kpi> kpi;
      for (const Fact& f : facts(d_from - 29 * kMicrosPerDay, d_to)) {
        Kpi& k = kpi[f.user];
        ++k.n;
        k.spend_n += f.spend();
        k.spend += f.spend() ? f.php : 0;
        k.fraud += f.flagged;
      }
      for (const Fact& f : facts(d_from, d_to)) kpi[f.user].active = true;
      size_t active = 0;
      for (const auto& row : r) {
        if (row[0] != date) continue;
        ++active;
        const Kpi& k = kpi.at(row[1]);
        EXPECT_TRUE(k.active) << row[1];
        EXPECT_EQ(i64(row[2]), k.n) << row[1];
        EXPECT_EQ(i64(row[3]), k.spend_n) << row[1];
        EXPECT_EQ(i64(row[4]), k.spend) << row[1];
        if (k.spend_n > 0) {
          EXPECT_EQ(i64(row[5]), k.spend / k.spend_n) << row[1];
        }
        EXPECT_EQ(i64(row[6]), k.fraud) << row[1];
        EXPECT_NEAR(std::stod(row[7]), rate(k.fraud, k.n), 0.00006) << row[1];
      }
      size_t expected = 0;
      for (const auto& [user, k] : kpi) expected += k.active;
      EXPECT_EQ(active, expected) << date;
      checked += active;
    }
    EXPECT_EQ(checked, r.size());
  }

  {  // mart_merchant_analytics
    struct Agg {
      int64_t n = 0, sales = 0, fraud = 0, fraud_amount = 0;
    };
    std::map<std::pair<std::string, std::string>, Agg> want;
    for (const Fact& f : day) {
      std::vector<std::pair<std::string, std::string>> keys = {
          {"country", f.country.empty() ? "(unknown)" : f.country}};
      if (!f.merchant.empty()) {
        keys.push_back({"merchant", f.merchant});
        auto c = category.find(f.merchant);
        keys.push_back({"category", c == category.end() ? "(unknown)" : c->second});
      }
      for (const auto& k : keys) {
        Agg& a = want[k];
        ++a.n;
        a.sales += f.ok() ? f.php : 0;
        a.fraud += f.flagged;
        a.fraud_amount += f.flagged ? f.php : 0;
      }
    }
    size_t n = 0;
    for (const auto& row : rows("mart_merchant_analytics")) {
      if (row[0] != kDay) continue;
      ++n;
      const Agg& a = want.at({row[1], row[2]});
      EXPECT_EQ(i64(row[3]), a.n) << row[1] << " " << row[2];
      EXPECT_EQ(i64(row[4]), a.sales) << row[2];
      EXPECT_EQ(i64(row[5]), a.fraud) << row[2];
      EXPECT_EQ(i64(row[6]), a.fraud_amount) << row[2];
      EXPECT_NEAR(std::stod(row[7]), rate(a.fraud, a.n), 0.00006) << row[2];
    }
    EXPECT_EQ(n, want.size());
  }

  {  // mart_fraud_attempt_trends and mart_fraud_daily_saved_amount, from the alerts
    struct Trend {
      int64_t n = 0, amount = 0, score = 0, confirmed = 0, dismissed = 0;
      std::set<std::string> users;
    };
    std::map<std::string, Trend> trends;
    int64_t flagged = 0, amount = 0, confirmed = 0, saved = 0, dismissed = 0;
    for (const Fact& f : day) {
      if (!f.flagged) continue;
      const auto& [status, type] = alert.at(f.id);
      Trend& t = trends[type];
      ++t.n;
      t.amount += f.php;
      t.score += f.score;
      t.users.insert(f.user);
      t.confirmed += status == "CONFIRMED";
      t.dismissed += status == "DISMISSED";
      ++flagged;
      amount += f.php;
      confirmed += status == "CONFIRMED";
      saved += status == "CONFIRMED" ? f.php : 0;
      dismissed += status == "DISMISSED";
    }
    ASSERT_GT(confirmed, 0);
    ASSERT_GT(dismissed, 0);
    size_t n = 0;
    for (const auto& row : rows("mart_fraud_attempt_trends")) {
      if (row[0] != kDay) continue;
      ++n;
      const Trend& t = trends.at(row[1]);
      EXPECT_EQ(i64(row[2]), t.n) << row[1];
      EXPECT_EQ(i64(row[3]), int64_t(t.users.size())) << row[1];
      EXPECT_EQ(i64(row[4]), t.amount) << row[1];
      EXPECT_NEAR(std::stod(row[5]), rate(t.score, t.n), 0.006) << row[1];
      EXPECT_EQ(i64(row[6]), t.confirmed) << row[1];
      EXPECT_EQ(i64(row[7]), t.dismissed) << row[1];
    }
    EXPECT_EQ(n, trends.size());
    auto s = rows("mart_fraud_daily_saved_amount");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(i64(s[0][1]), flagged);
    EXPECT_EQ(i64(s[0][2]), amount);
    EXPECT_EQ(i64(s[0][3]), confirmed);
    EXPECT_EQ(i64(s[0][4]), saved);
    EXPECT_EQ(i64(s[0][5]), dismissed);
    EXPECT_EQ(i64(s[0][6]), flagged - confirmed - dismissed);
  }

  {  // the product marts
    struct Product {
      int64_t orders = 0, fraud = 0, fraud_amount = 0;                   // every order
      int64_t sold_orders = 0, units = 0, revenue = 0, revenue_php = 0;  // genuine ones
    };
    std::map<std::string, Product> products;
    std::map<std::pair<std::string, std::string>, Product> by_currency;  // genuine sales
    for (const Fact& f : day) {
      if (f.product.empty()) continue;
      if (f.genuine()) {
        Product& c = by_currency[{f.product, f.currency}];
        ++c.sold_orders;
        c.units += f.units();
        c.revenue += f.amount;
      }
      Product& p = products[f.product];
      ++p.orders;
      p.fraud += f.flagged;
      p.fraud_amount += f.flagged ? f.php : 0;
      if (f.genuine()) {
        ++p.sold_orders;
        p.units += f.units();
        p.revenue_php += f.php;
      }
    }
    ASSERT_EQ(products.size(), 25u);
    auto known = [](const std::string& id) { return std::stoi(id.substr(1)) < 20; };
    auto unit_cost = [](const std::string& id) { return 10000 + 500 * std::stoll(id.substr(1)); };

    std::vector<std::pair<std::string, Product>> risky;
    for (const auto& [id, p] : products) {
      if (p.fraud > 0) risky.emplace_back(id, p);
    }
    std::sort(risky.begin(), risky.end(), [](const auto& a, const auto& b) {
      return std::tie(b.second.fraud, b.second.fraud_amount, a.first) <
             std::tie(a.second.fraud, a.second.fraud_amount, b.first);
    });
    ASSERT_FALSE(risky.empty());
    std::map<std::string, int64_t> risk_rank;
    for (size_t i = 0; i < risky.size(); ++i) risk_rank[risky[i].first] = int64_t(i) + 1;
    size_t n = 0;
    for (const auto& row : rows("mart_high_risk_products")) {
      if (row[0] != kDay) continue;
      ++n;
      const Product& p = products.at(row[2]);
      EXPECT_EQ(i64(row[1]), risk_rank.at(row[2]));
      EXPECT_EQ(row[3], known(row[2]) ? "Product " + std::to_string(std::stoi(row[2].substr(1)))
                                      : "(unknown)");
      EXPECT_EQ(i64(row[5]), p.orders);
      EXPECT_EQ(i64(row[6]), p.fraud);
      EXPECT_NEAR(std::stod(row[7]), rate(p.fraud, p.orders), 0.00006);
      EXPECT_EQ(i64(row[8]), p.fraud_amount);
    }
    EXPECT_EQ(n, risky.size());

    ASSERT_GT(by_currency.size(), products.size());  // a few orders in other currencies
    n = 0;
    for (const auto& row : rows("mart_products_revenue_profit")) {
      if (row[0] != kDay) continue;
      ++n;
      const Product& p = by_currency.at({row[1], row[2]});
      EXPECT_EQ(i64(row[5]), p.sold_orders);
      EXPECT_EQ(i64(row[6]), p.units);
      EXPECT_EQ(i64(row[7]), p.revenue);
      if (known(row[1]) && row[2] == "PHP") {  // unit costs are in PHP
        const int64_t cost = p.units * unit_cost(row[1]);
        EXPECT_EQ(i64(row[8]), cost) << row[1];
        EXPECT_EQ(i64(row[9]), p.revenue - cost) << row[1];
        EXPECT_NEAR(std::stod(row[10]), rate(p.revenue - cost, p.revenue), 0.00006);
      } else {
        EXPECT_EQ(row[8], "");  // no unit cost in that currency: no cost, profit or margin
        EXPECT_EQ(row[9], "");
        EXPECT_EQ(row[10], "");
      }
    }
    EXPECT_EQ(n, by_currency.size());

    std::vector<std::pair<std::string, Product>> selling(products.begin(), products.end());
    std::sort(selling.begin(), selling.end(), [](const auto& a, const auto& b) {
      return std::tie(b.second.units, b.second.revenue_php, a.first) <
             std::tie(a.second.units, a.second.revenue_php, b.first);
    });
    auto top = rows("mart_top10_selling_products");
    ASSERT_EQ(top.size(), 20u);  // ten for each day
    for (size_t i = 0; i < 10; ++i) {
      EXPECT_EQ(i64(top[i][1]), int64_t(i) + 1);
      EXPECT_EQ(top[i][2], selling[i].first) << i;
      EXPECT_EQ(i64(top[i][4]), selling[i].second.units);
      EXPECT_EQ(i64(top[i][5]), selling[i].second.sold_orders);
      EXPECT_EQ(i64(top[i][6]), selling[i].second.revenue_php);
    }
  }

  {  // the top-10 users
    struct User {
      int64_t n = 0, amount = 0, fraud = 0, fraud_amount = 0;
    };
    std::map<std::string, User> users;
    for (const Fact& f : day) {
      User& u = users[f.user];
      ++u.n;
      u.amount += f.php;
      u.fraud += f.flagged;
      u.fraud_amount += f.flagged ? f.php : 0;
    }
    std::vector<std::pair<std::string, User>> active(users.begin(), users.end());
    std::sort(active.begin(), active.end(), [](const auto& a, const auto& b) {
      return std::tie(b.second.n, b.second.amount, a.first) <
             std::tie(a.second.n, a.second.amount, b.first);
    });
    auto top = rows("mart_top10_active_users");
    ASSERT_GE(top.size(), 10u);
    for (size_t i = 0; i < 10; ++i) {
      EXPECT_EQ(top[i][0], kDay);
      EXPECT_EQ(top[i][2], active[i].first) << i;
      EXPECT_EQ(i64(top[i][3]), active[i].second.n);
      EXPECT_EQ(i64(top[i][4]), active[i].second.amount);
    }
    std::vector<std::pair<std::string, User>> fraudsters;
    for (const auto& [id, u] : users) {
      if (u.fraud > 0) fraudsters.emplace_back(id, u);
    }
    std::sort(fraudsters.begin(), fraudsters.end(), [](const auto& a, const auto& b) {
      return std::tie(b.second.fraud, b.second.fraud_amount, a.first) <
             std::tie(a.second.fraud, a.second.fraud_amount, b.first);
    });
    std::vector<std::vector<std::string>> top_fraud;
    for (auto& row : rows("mart_top10_users_fraud")) {
      if (row[0] == kDay) top_fraud.push_back(row);
    }
    ASSERT_EQ(top_fraud.size(), std::min<size_t>(10, fraudsters.size()));
    for (size_t i = 0; i < top_fraud.size(); ++i) {
      EXPECT_EQ(i64(top_fraud[i][1]), int64_t(i) + 1);
      EXPECT_EQ(top_fraud[i][2], fraudsters[i].first) << i;
      EXPECT_EQ(i64(top_fraud[i][3]), fraudsters[i].second.fraud);
      EXPECT_EQ(i64(top_fraud[i][4]), fraudsters[i].second.fraud_amount);
      EXPECT_EQ(i64(top_fraud[i][5]), fraudsters[i].second.n);
    }
  }
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
