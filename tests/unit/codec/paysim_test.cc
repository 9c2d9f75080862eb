#include "codec/paysim.h"

#include <gtest/gtest.h>

namespace wf::codec {
namespace {

const Instant kStart = *parse_rfc3339("2026-01-01T00:00:00Z");

PaysimDecoder decoder() { return PaysimDecoder(kStart, *Currency::from_code("USD")); }

TEST(Paysim, APublishedRowBecomesAnEventAndItsTruth) {
  auto d = decoder();
  domain::Transaction tx;
  RowTruth truth;
  const std::string row =
      "1,PAYMENT,9839.64,C1231006815,170136.0,160296.36,M1979787155,0.0,0.0,0,0";
  ASSERT_TRUE(d.decode(row, &tx, &truth).ok());
  EXPECT_EQ(tx.event_ts, kStart + kMicrosPerHour);
  EXPECT_EQ(tx.type, domain::TxType::kPayment);
  EXPECT_EQ(tx.amount.minor, 983964);
  EXPECT_EQ(tx.user_id, "C1231006815");
  EXPECT_EQ(tx.merchant_id, "M1979787155");
  EXPECT_TRUE(tx.counterparty_id.empty());
  EXPECT_TRUE(tx.has_balances);
  EXPECT_EQ(tx.orig_balance_before, 17013600);
  EXPECT_EQ(tx.orig_balance_after, 16029636);
  EXPECT_FALSE(truth.is_fraud);
  const std::string id(tx.transaction_id);
  EXPECT_EQ(id.size(), 19u);
  EXPECT_EQ(id.rfind("ps-", 0), 0u);
  // The same row has the same id (a resend is a duplicate); another row another one.
  ASSERT_TRUE(d.decode(row, &tx, &truth).ok());
  EXPECT_EQ(tx.transaction_id, id);
  ASSERT_TRUE(
      d.decode("1,TRANSFER,181.00,C1305486145,181.0,0.0,C553264065,0.0,0.0,1,0\r", &tx, &truth)
          .ok());
  EXPECT_NE(tx.transaction_id, id);
  EXPECT_EQ(tx.type, domain::TxType::kTransfer);
  EXPECT_EQ(tx.counterparty_id, "C553264065");  // a customer, not a merchant
  EXPECT_TRUE(truth.is_fraud);
  EXPECT_EQ(truth.baseline, 0);
  EXPECT_TRUE(PaysimDecoder::is_header(kPaysimHeader));
}

TEST(Paysim, BadRowsGetDeadLetterCodes) {
  auto d = decoder();
  domain::Transaction tx;
  RowTruth truth;
  const std::pair<const char*, Errc> cases[] = {
      {"1,PAYMENT,10.00,C1,10.0,0.0,M2,0.0,0.0,0", Errc::kMissingField},
      {"1,PAYMENT,10.00,C1,10.0,0.0,M2,0.0,0.0,0,0,7", Errc::kMalformedJson},
      {"x,PAYMENT,10.00,C1,10.0,0.0,M2,0.0,0.0,0,0", Errc::kBadTimestamp},
      {"1,BRIBE,10.00,C1,10.0,0.0,M2,0.0,0.0,0,0", Errc::kBadType},
      {"1,PAYMENT,ten,C1,10.0,0.0,M2,0.0,0.0,0,0", Errc::kBadAmount},
      {"1,PAYMENT,-1.00,C1,10.0,0.0,M2,0.0,0.0,0,0", Errc::kBadAmount},
      {"1,PAYMENT,10.00,C1,lots,0.0,M2,0.0,0.0,0,0", Errc::kBadAmount},
      {"1,PAYMENT,10.00,,10.0,0.0,M2,0.0,0.0,0,0", Errc::kMissingField},
      {"1,PAYMENT,10.00,C1,10.0,0.0,M2,0.0,0.0,2,0", Errc::kMalformedJson},
  };
  for (const auto& [row, code] : cases) {
    Status s = d.decode(row, &tx, &truth);
    ASSERT_FALSE(s.ok()) << row;
    EXPECT_EQ(s.error().code, code) << row << ": " << s.error().message;
  }
}

TEST(Paysim, WrittenRowsReadBack) {
  std::string text;
  append_paysim_row(&text, 7, domain::TxType::kCashOut, 123456, "C9", 123456, 0, "C8", 5, 123461,
                    true, false);
  ASSERT_EQ(text.back(), '\n');
  text.pop_back();
  EXPECT_EQ(text, "7,CASH_OUT,1234.56,C9,1234.56,0.00,C8,0.05,1234.61,1,0");
  auto d = decoder();
  domain::Transaction tx;
  RowTruth truth;
  ASSERT_TRUE(d.decode(text, &tx, &truth).ok());
  EXPECT_EQ(tx.amount.minor, 123456);
  EXPECT_EQ(tx.dest_balance_after, 123461);
  EXPECT_TRUE(truth.is_fraud);
}

}  // namespace
}  // namespace wf::codec
