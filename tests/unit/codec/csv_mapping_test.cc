#include "codec/csv_mapping.h"

#include <gtest/gtest.h>

#include <string>

#include "support/sample_mapping.h"

namespace wf::codec {
namespace {

// The shared mapping, with the rule pack a mapping may name.
const std::string kMapping = std::string(testing::kSemicolonMapping) + R"([rules]
profile = "ph-ewallet"
)";

constexpr const char* kHeader = "id;created;customer;amount_cents;kind;city;lat;lon;chargeback";

TEST(CsvMapping, ARowBecomesAnEventAndItsLabel) {
  auto m = CsvMapping::parse(kMapping, "map.toml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->profile, "ph-ewallet");
  auto d = CsvDecoder::create(*m, kHeader);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE((*d)->is_header(std::string(kHeader) + "\r"));
  domain::Transaction tx;
  RowTruth truth;
  ASSERT_TRUE(
      (*d)->decode(
              R"(t1;25/11/2026 02:00:00;U7;150050;P2P;"Makati; ""Metro"" Manila";14.5;121.0;yes)",
              &tx, &truth)
          .ok());
  EXPECT_EQ(tx.transaction_id, "t1");
  EXPECT_EQ(tx.event_ts, *parse_rfc3339("2026-11-24T18:00:00Z"));  // +08:00 local
  EXPECT_EQ(tx.user_id, "U7");
  EXPECT_EQ(tx.amount.minor, 150050);
  EXPECT_EQ(tx.amount.currency.code(), "PHP");
  EXPECT_EQ(tx.type, domain::TxType::kTransfer);
  EXPECT_EQ(tx.city, "Makati; \"Metro\" Manila");
  EXPECT_TRUE(tx.has_location);
  EXPECT_DOUBLE_EQ(tx.lon, 121.0);
  EXPECT_TRUE(truth.labelled);
  EXPECT_TRUE(truth.is_fraud);
  // An empty type takes the default; "no" is not a fraud value.
  ASSERT_TRUE((*d)->decode("t2;25/11/2026 02:00:00;U7;100;;Cebu;;;no", &tx, &truth).ok());
  EXPECT_EQ(tx.type, domain::TxType::kPayment);
  EXPECT_FALSE(tx.has_location);
  EXPECT_FALSE(truth.is_fraud);
}

TEST(CsvMapping, BadRowsGetDeadLetterCodes) {
  auto m = CsvMapping::parse(kMapping, "map.toml");
  ASSERT_TRUE(m.ok());
  auto d = CsvDecoder::create(*m, kHeader);
  ASSERT_TRUE(d.ok());
  domain::Transaction tx;
  RowTruth truth;
  const std::pair<const char*, Errc> cases[] = {
      {"t;25/11/2026 02:00:00;U7;100;P2P;Cebu;;", Errc::kMissingField},
      {"t;yesterday;U7;100;P2P;Cebu;;;no", Errc::kBadTimestamp},
      {"t;25/11/2026 02:00:00;;100;P2P;Cebu;;;no", Errc::kMissingField},
      {"t;25/11/2026 02:00:00;U7;1.5;P2P;Cebu;;;no", Errc::kBadAmount},
      {"t;25/11/2026 02:00:00;U7;0;P2P;Cebu;;;no", Errc::kBadAmount},
      {"t;25/11/2026 02:00:00;U7;100;P2P;\"Cebu;;;no", Errc::kMalformedJson},
      {"t;25/11/2026 02:00:00;U7;100;GIFT;Cebu;;;no", Errc::kBadType},  // not mapped
  };
  for (const auto& [row, code] : cases) {
    Status s = (*d)->decode(row, &tx, &truth);
    ASSERT_FALSE(s.ok()) << row;
    EXPECT_EQ(s.error().code, code) << row << ": " << s.error().message;
  }
}

TEST(CsvMapping, EpochTimesMajorUnitsAndAnIdFromTheRow) {
  auto m = CsvMapping::parse(R"(
[columns]
event_timestamp = "ts"
user_id = "u"
amount = "amt"
currency = "ccy"
transaction_type = "t"
[time]
format = "epoch_ms"
)",
                             "m.toml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto d = CsvDecoder::create(*m, "ts,u,amt,ccy,t");
  ASSERT_TRUE(d.ok());
  domain::Transaction tx;
  RowTruth truth;
  ASSERT_TRUE((*d)->decode("1764100800000,U1,12.50,USD,payment", &tx, &truth).ok());
  EXPECT_EQ(tx.event_ts, int64_t{1764100800000} * 1000);
  EXPECT_EQ(tx.amount.minor, 1250);
  EXPECT_EQ(tx.amount.currency.code(), "USD");
  EXPECT_FALSE(truth.labelled);
  const std::string id(tx.transaction_id);
  EXPECT_EQ(id.rfind("csv-", 0), 0u);
  ASSERT_TRUE((*d)->decode("1764100800000,U1,12.50,USD,payment", &tx, &truth).ok());
  EXPECT_EQ(tx.transaction_id, id);  // the same row again: the same id (a duplicate)
  auto other = CsvDecoder::create(*m, "ts,user,amt,ccy,t");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("u (user_id)"), std::string::npos);
}

TEST(CsvMapping, AZoneInTheLayoutWinsAndNumbersMustBeWhole) {
  auto m = CsvMapping::parse(R"(
[columns]
event_timestamp = "ts"
user_id = "u"
amount = "amt"
quantity = "q"
[time]
format = "%Y-%m-%d %H:%M:%S%z"
[amount]
currency = "USD"
[types]
default = "payment"
)",
                             "m.toml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto d = CsvDecoder::create(*m, "\xEF\xBB\xBFts,u,amt,q");  // with a byte-order mark
  ASSERT_TRUE(d.ok()) << d.error().message;
  domain::Transaction tx;
  RowTruth truth;
  ASSERT_TRUE((*d)->decode("2026-11-25 10:00:00+0800,U1,1.00,2", &tx, &truth).ok());
  EXPECT_EQ(tx.event_ts, *parse_rfc3339("2026-11-25T02:00:00Z"));
  EXPECT_EQ(tx.quantity, 2);
  Status s = (*d)->decode("2026-11-25 10:00:00+0800,U1,1.00,3x", &tx, &truth);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kMalformedJson);
}

TEST(CsvMapping, BalancesWhenAllFourAreThere) {
  auto m = CsvMapping::parse(R"(
[columns]
event_timestamp = "ts"
user_id = "u"
amount = "amt"
orig_balance_before = "ob"
orig_balance_after = "oa"
dest_balance_before = "db"
dest_balance_after = "da"
[time]
format = "epoch_s"
[amount]
currency = "USD"
[types]
default = "transfer"
)",
                             "m.toml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto d = CsvDecoder::create(*m, "ts,u,amt,ob,oa,db,da");
  ASSERT_TRUE(d.ok());
  domain::Transaction tx;
  RowTruth truth;
  ASSERT_TRUE((*d)->decode("1764100800,U1,100.00,100.00,0,5,5", &tx, &truth).ok());
  EXPECT_TRUE(tx.has_balances);
  EXPECT_EQ(tx.orig_balance_before, 10000);
  EXPECT_EQ(tx.orig_balance_after, 0);
  EXPECT_EQ(tx.dest_balance_after, 500);
  ASSERT_TRUE((*d)->decode("1764100800,U1,100.00,100.00,0,,", &tx, &truth).ok());
  EXPECT_FALSE(tx.has_balances);  // not all four
}

TEST(CsvMapping, ProblemsAreReportedWithTheirPlace) {
  auto m = CsvMapping::parse(R"([columns]
event_timestamp = "ts"
user_id = "u"
amount = "amt"
colour = "c"
[time]
format = "whenever"
[types]
"X" = "gift"
)",
                             "m.toml");
  ASSERT_FALSE(m.ok());
  const std::string& e = m.error().message;
  EXPECT_NE(e.find("m.toml:5:10: 'colour' is not a SPEC field"), std::string::npos) << e;
  EXPECT_NE(e.find("m.toml:7:"), std::string::npos) << e;
  EXPECT_NE(e.find("'gift' is not a SPEC transaction type"), std::string::npos) << e;
  EXPECT_NE(e.find("currency"), std::string::npos) << e;
}

}  // namespace
}  // namespace wf::codec
