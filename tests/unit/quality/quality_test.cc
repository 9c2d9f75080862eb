// Data-quality checks on both stores: a clean store passes the shipped checks; each kind
// of damage makes exactly its check fail (or warn), reconciliation finds a lost row, and
// the results land in dq_results and ingestion_monitoring.
#include "quality/quality.h"

#include <gtest/gtest.h>

#include <map>

#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace wf::quality {
namespace {

const Instant kBase = *parse_rfc3339("2026-11-25T10:00:00Z");

class QualityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string uri = wf::testing::fresh_store_uri(GetParam(), dir_);
    ASSERT_FALSE(uri.empty());
    store_ = std::move(store::open_store(uri)).value();
    domain::User u;
    u.user_id = "U1";
    u.full_name = "Juan";
    u.kyc_level = 2;
    u.account_status = "active";
    ASSERT_TRUE(store_->upsert_users(std::span(&u, 1)).ok());
    domain::Merchant m;
    m.merchant_id = "M1";
    m.merchant_name = "Shop";
    m.category = "Food";
    ASSERT_TRUE(store_->upsert_merchants(std::span(&m, 1)).ok());
    // Two partitions: 3 facts + 1 dead letter, then 2 facts (one a duplicate).
    store::Batch b;
    b.source = "kafka:t";
    b.positions = {{"kafka:t/0", 0, 4}, {"kafka:t/1", 0, 2}};
    b.facts = {fact("a", 0, "kafka:t/0"), fact("b", 1, "kafka:t/0"), fact("c", 2, "kafka:t/0"),
               fact("d", 0, "kafka:t/1"), fact("a", 1, "kafka:t/1")};
    b.facts[2].verdict = domain::Verdict::kFlag;
    b.facts[2].fraud_score = 85;
    b.facts[2].rules_fired = "R001";
    b.dead_letters = {{3, Errc::kBadAmount, "amount: bad", "{}", "kafka:t/0"}};
    ASSERT_TRUE(store_->commit(b).ok());
    checks_ = std::move(parse_checks(default_checks_toml(), "builtin")).value();
  }

  store::FactRow fact(std::string_view id, int64_t offset, std::string_view source) {
    store::FactRow f;
    f.transaction_id = id;
    f.event_ts = kBase + offset * kMicrosPerSecond;
    f.user_id = "U1";
    f.merchant_id = "M1";
    f.transaction_type = "payment";
    f.amount_minor = 150000;
    f.currency = "PHP";
    f.amount_php = 150000;
    f.channel = "APP";
    f.status = "SUCCESS";
    f.source_offset = offset;
    f.source = source;
    f.alert_type = "R001 high_amount_night";
    return f;
  }

  std::string table(const std::string& name) const { return store::table_name(GetParam(), name); }

  void exec(const std::string& sql) { ASSERT_TRUE(store_->exec_script({sql}).ok()) << sql; }

  std::map<std::string, CheckResult> by_name(const Report& r) {
    std::map<std::string, CheckResult> out;
    for (const CheckResult& c : r.results) out[c.name] = c;
    return out;
  }

  // Every check but `names` passed.
  void only_these_failed(const Report& r, std::initializer_list<std::string> names) {
    for (const CheckResult& c : r.results) {
      bool expected = std::find(names.begin(), names.end(), c.name) != names.end();
      EXPECT_EQ(c.outcome != Outcome::kPass, expected) << c.name << ": " << c.detail;
    }
  }

  wf::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::vector<Check> checks_;
};

TEST_P(QualityTest, ACleanStorePassesAndIsRecorded) {
  Report r = run(*store_, checks_, kBase + kMicrosPerMinute);
  EXPECT_FALSE(r.failed());
  only_these_failed(r, {});
  auto checks = by_name(r);
  const CheckResult& p0 = checks.at("reconciliation:kafka:t/0");
  EXPECT_EQ(
      p0.detail,
      "Consistent: read 4, stored 3 facts + 1 dead letters + 0 duplicates dropped + 0 purged");
  EXPECT_EQ(
      checks.at("reconciliation:kafka:t/1").detail,
      "Consistent: read 2, stored 1 facts + 0 dead letters + 1 duplicates dropped + 0 purged");
  ASSERT_EQ(r.sources.size(), 2u);
  ASSERT_TRUE(record(*store_, r).ok());
  int64_t rows = 0, consistent = 0;
  ASSERT_TRUE(store_
                  ->query_text("SELECT COUNT(*) FROM " + table("dq_results") + " WHERE run_id = " +
                                   std::to_string(r.run_id) + " AND status = 'PASS'",
                               [&](const auto& row) { rows = std::stoll(std::string(row[0])); })
                  .ok());
  EXPECT_EQ(rows, static_cast<int64_t>(r.results.size()));
  ASSERT_TRUE(
      store_
          ->query_text("SELECT COUNT(*) FROM " + table("ingestion_monitoring") +
                           " WHERE status = 'Consistent' AND records_read = facts +"
                           " dead_letters + duplicates + purged",
                       [&](const auto& row) { consistent = std::stoll(std::string(row[0])); })
          .ok());
  EXPECT_EQ(consistent, 2);
}

TEST_P(QualityTest, EachDamageFailsItsCheck) {
  const std::string facts = table("fact_transactions");
  const std::string columns =
      " (transaction_id, event_ts, user_id, merchant_id, transaction_type, amount_minor,"
      " currency, amount_php, status, fraud_score, fraud_flag, decision, rules_fired, source";
  const std::string pg_seq = GetParam() == "sqlite" ? ")" : ", ingest_seq)";
  const std::string seq = GetParam() == "sqlite" ? "" : ", 1";
  const std::string no = GetParam() == "sqlite" ? "0" : "false";
  // A fact of an unknown merchant, with a strange status and a negative amount, stored
  // behind the pipeline's back (no position counted it).
  exec("INSERT INTO " + facts + columns + pg_seq + " VALUES ('z', '2026-11-25T10:00:09Z', 'U1'," +
       " 'M404', 'payment', -5, 'PHP', -5, 'WEIRD', 0, " + no + ", 'NORMAL', '', 'kafka:t/1'" +
       seq + ")");
  // A lost row: a fact of partition 0 deleted.
  exec("DELETE FROM " + facts + " WHERE transaction_id = 'b'");
  Report r = run(*store_, checks_, kBase + kMicrosPerMinute);
  EXPECT_TRUE(r.failed());
  only_these_failed(
      r, {"relationship:fact_transactions.merchant_id", "accepted_values:fact_transactions.status",
          "range:fact_transactions.amount_minor", "reconciliation:kafka:t/0",
          "reconciliation:kafka:t/1"});
  auto checks = by_name(r);
  EXPECT_EQ(checks.at("relationship:fact_transactions.merchant_id").observed, 1);
  EXPECT_EQ(checks.at("accepted_values:fact_transactions.status").detail,
            "1 rows with another value: WEIRD (1)");
  EXPECT_EQ(checks.at("reconciliation:kafka:t/0").observed, 1);  // one row fewer than read
  EXPECT_EQ(checks.at("reconciliation:kafka:t/0").outcome, Outcome::kFail);
  EXPECT_EQ(checks.at("reconciliation:kafka:t/1").observed, -1);  // one more than read
  ASSERT_TRUE(record(*store_, r).ok());
  int64_t inconsistent = 0;
  ASSERT_TRUE(
      store_
          ->query_text("SELECT COUNT(*) FROM " + table("ingestion_monitoring") +
                           " WHERE status = 'Inconsistent'",
                       [&](const auto& row) { inconsistent = std::stoll(std::string(row[0])); })
          .ok());
  EXPECT_EQ(inconsistent, 2);
}

TEST_P(QualityTest, FreshnessWarningsWhereAndSqlChecks) {
  auto checks = parse_checks(R"toml(
[[check]]
kind = "freshness"
table = "fact_transactions"
column = "event_ts"
max_age = "10m"

[[check]]
name = "stale but only a warning"
kind = "freshness"
table = "fact_transactions"
column = "event_ts"
max_age = "1m"
severity = "warn"

[[check]]
name = "flagged facts have an alert"
kind = "sql"
query = "SELECT COUNT(*) FROM {silver}fact_transactions f WHERE f.decision = 'FLAG' AND NOT EXISTS (SELECT 1 FROM {silver}fraud_alerts a WHERE a.transaction_id = f.transaction_id)"

[[check]]
name = "flagged only above 60"
kind = "range"
table = "fact_transactions"
column = "fraud_score"
min = 60
where = "decision = 'FLAG'"
)toml",
                             "test.toml");
  ASSERT_TRUE(checks.ok()) << checks.error().message;
  Report r = run(*store_, *checks, kBase + 5 * kMicrosPerMinute);
  auto got = by_name(r);
  EXPECT_EQ(got.at("freshness:fact_transactions.event_ts").outcome, Outcome::kPass);
  EXPECT_EQ(got.at("freshness:fact_transactions.event_ts").observed, 5 * 60 - 2);
  EXPECT_EQ(got.at("stale but only a warning").outcome, Outcome::kWarn);
  EXPECT_EQ(got.at("flagged facts have an alert").outcome, Outcome::kPass);
  EXPECT_EQ(got.at("flagged only above 60").outcome, Outcome::kPass);
  EXPECT_FALSE(r.failed());  // a warning does not fail the run

  exec("DELETE FROM " + table("fraud_alerts"));
  r = run(*store_, *checks, kBase + 11 * kMicrosPerMinute);
  got = by_name(r);
  EXPECT_EQ(got.at("freshness:fact_transactions.event_ts").outcome, Outcome::kFail);
  EXPECT_EQ(got.at("flagged facts have an alert").observed, 1);
  EXPECT_TRUE(r.failed());
}

TEST_P(QualityTest, ABrokenQueryIsAnErrorNotACrash) {
  auto checks = parse_checks(R"toml(
[[check]]
name = "typo"
kind = "sql"
query = "SELECT COUNT(*) FROM no_such_table"

[[check]]
kind = "not_null"
table = "fact_transactions"
column = "no_such_column"
)toml",
                             "test.toml");
  ASSERT_TRUE(checks.ok());
  Report r = run(*store_, *checks, kBase);
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].outcome, Outcome::kError);
  EXPECT_EQ(r.results[1].outcome, Outcome::kError);
  EXPECT_TRUE(r.failed());
}

INSTANTIATE_TEST_SUITE_P(Stores, QualityTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(QualityChecks, TheShippedChecksParse) {
  auto checks = parse_checks(default_checks_toml(), "builtin");
  ASSERT_TRUE(checks.ok()) << checks.error().message;
  EXPECT_GE(checks->size(), 15u);
}

TEST(QualityChecks, ProblemsNameTheirLine) {
  auto r = parse_checks(R"toml([[check]]
kind = "unique"
table = "fact_transactions"

[[check]]
kind = "sometimes"
table = "x"

[[check]]
kind = "not_null"
table = "fact_transactions; DROP TABLE x"
column = "a"

[[check]]
kind = "range"
table = "t"
column = "c"
colour = "red"

[[check]]
kind = "freshness"
table = "t"
column = "c"
max_age = "soon"
)toml",
                        "bad.toml");
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("bad.toml:1:1: missing 'column'"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.toml:6:8: unknown kind 'sometimes'"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.toml:11:9: 'table' must be a lower-case SQL name"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'colour' for a range check"), std::string::npos) << m;
  EXPECT_NE(m.find("a range needs 'min', 'max' or both"), std::string::npos) << m;
  EXPECT_NE(m.find("bad duration 'soon'"), std::string::npos) << m;
  EXPECT_EQ(r.error().code, Errc::kConfig);

  auto twice = parse_checks(R"toml([[check]]
kind = "reconciliation"
[[check]]
kind = "reconciliation"
)toml",
                            "twice.toml");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("defined twice"), std::string::npos);
}

}  // namespace
}  // namespace wf::quality
