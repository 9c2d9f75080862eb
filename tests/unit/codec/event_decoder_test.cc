#include "codec/event_decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace wf::codec {
namespace {

// Decodes `json` from a buffer with the padding the decoder requires.
Status decode(EventDecoder& d, const std::string& json, domain::Transaction* tx) {
  static std::string buffer;
  buffer = json;
  buffer.append(kDecodePadding, ' ');
  return d.decode(std::string_view(buffer.data(), json.size()), tx);
}

const std::string kGood =
    R"({"transaction_id":"0190a-1","event_timestamp":"2026-11-25T18:05:56.123+08:00",)"
    R"("user_id":"U00000001","transaction_type":"payment","amount":"1500.25","currency":"PHP",)"
    R"("merchant_id":"M000001","channel":"APP","status":"SUCCESS","country":"PH",)"
    R"("province":"Metro Manila","city":"Makati","lat":14.5547,"lon":121.0244,)"
    R"("device_id":"D1","ip_address":"10.1.2.3","phone_number":"+639171234567","extra":[1,{"x":2}]})";

TEST(EventDecoder, DecodesEveryField) {
  EventDecoder d;
  domain::Transaction tx;
  ASSERT_TRUE(decode(d, kGood, &tx).ok());
  EXPECT_EQ(tx.transaction_id, "0190a-1");
  EXPECT_EQ(tx.user_id, "U00000001");
  EXPECT_EQ(tx.event_ts, *parse_rfc3339("2026-11-25T10:05:56.123Z"));
  EXPECT_EQ(tx.type, domain::TxType::kPayment);
  EXPECT_EQ(tx.amount.minor, 150025);
  EXPECT_EQ(tx.amount.currency.code(), "PHP");
  EXPECT_EQ(tx.merchant_id, "M000001");
  EXPECT_EQ(tx.status, domain::TxStatus::kSuccess);
  EXPECT_EQ(tx.country, "PH");
  EXPECT_EQ(tx.city, "Makati");
  EXPECT_TRUE(tx.has_location);
  EXPECT_DOUBLE_EQ(tx.lat, 14.5547);
  EXPECT_EQ(tx.phone_number, "+639171234567");
  EXPECT_EQ(tx.ip_address, "10.1.2.3");
}

// Seed 004's order: its own names for the id and time, no currency or type.
const std::string kOrder =
    R"({"order_id":"o-17","user_id":"EC0000042","product_id":"P000007","quantity":3,)"
    R"("amount":"450000","country":"ID","created_date":"2026-01-02T02:15:00+07:00",)"
    R"("status":"Pending"})";

TEST(EventDecoder, OrdersTakeTheirIdTimeAndTheProfileCurrency) {
  EventDecoder d;
  d.set_order_currency(*Currency::from_code("IDR"));
  domain::Transaction tx;
  Status s = decode(d, kOrder, &tx);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(tx.transaction_id, "o-17");
  EXPECT_EQ(tx.event_ts, *parse_rfc3339("2026-01-01T19:15:00Z"));
  EXPECT_EQ(tx.type, domain::TxType::kOrder);
  EXPECT_EQ(tx.amount.currency.code(), "IDR");
  EXPECT_EQ(tx.amount.minor, 45'000'000);
  EXPECT_EQ(tx.quantity, 3);
  EXPECT_EQ(tx.product_id, "P000007");
  EXPECT_EQ(tx.status, domain::TxStatus::kPending);
  // A currency or type the order does carry wins.
  std::string priced = kOrder;
  priced.insert(1, R"("currency":"USD","transaction_type":"purchase",)");
  ASSERT_TRUE(decode(d, priced, &tx).ok());
  EXPECT_EQ(tx.amount.currency.code(), "USD");
  EXPECT_EQ(tx.type, domain::TxType::kPurchase);
  // Missing fields are named as the order names them.
  std::string no_time = kOrder;
  no_time.replace(no_time.find("created_date"), 12, "created_at");
  s = decode(d, no_time, &tx);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kMissingField);
  EXPECT_NE(s.error().message.find("'created_date'"), std::string::npos) << s.error().message;
  // Without a profile currency an order is like any event: its currency is missing.
  EventDecoder plain;
  s = decode(plain, kOrder, &tx);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kMissingField);
  EXPECT_NE(s.error().message.find("'currency'"), std::string::npos) << s.error().message;
  // An ordinary event without a currency is not helped by the order default.
  std::string event = kGood;
  event.erase(event.find(R"("currency":"PHP",)"), 17);
  s = decode(d, event, &tx);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kMissingField);
}

TEST(EventDecoder, AmountAsJsonNumberIsExact) {
  EventDecoder d;
  domain::Transaction tx;
  std::string json = kGood;
  json.replace(json.find(R"("1500.25")"), 9, "0.29");
  ASSERT_TRUE(decode(d, json, &tx).ok());
  EXPECT_EQ(tx.amount.minor, 29);  // 0.29 as a double is 0.28999..., never used
  json = kGood;
  json.replace(json.find(R"("1500.25")"), 9, R"("100")");
  json.replace(json.find(R"("PHP")"), 5, R"("JPY")");
  ASSERT_TRUE(decode(d, json, &tx).ok());
  EXPECT_EQ(tx.amount.minor, 100);
}

TEST(EventDecoder, OptionalFieldsMayBeAbsentOrNull) {
  EventDecoder d;
  domain::Transaction tx;
  std::string json =
      R"({"transaction_id":"t","event_timestamp":"2026-11-25T10:00:00Z","user_id":"u",)"
      R"("transaction_type":"CASH_IN","amount":5,"currency":"PHP","merchant_id":null,"lat":null})";
  ASSERT_TRUE(decode(d, json, &tx).ok());
  EXPECT_EQ(tx.type, domain::TxType::kCashIn);
  EXPECT_TRUE(tx.merchant_id.empty());
  EXPECT_FALSE(tx.has_location);
  EXPECT_EQ(tx.amount.minor, 500);
}

struct BadCase {
  const char* what;
  std::string json;
  Errc code;
};

std::string with(std::string_view from, std::string_view to) {
  std::string json = kGood;
  size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  json.replace(at, from.size(), to);
  return json;
}

TEST(EventDecoder, EveryDefectGetsItsDeadLetterCode) {
  const BadCase cases[] = {
      {"truncated", kGood.substr(0, 60), Errc::kMalformedJson},
      {"not json", "hello world", Errc::kMalformedJson},
      {"array", "[1,2,3]", Errc::kMalformedJson},
      {"trailing", kGood + " {}", Errc::kMalformedJson},
      {"empty", "", Errc::kMalformedJson},
      {"no id", with(R"("transaction_id":"0190a-1",)", ""), Errc::kMissingField},
      {"null user", with(R"("U00000001")", "null"), Errc::kMissingField},
      {"empty id", with(R"("0190a-1")", R"("")"), Errc::kMissingField},
      {"no amount", with(R"("amount":"1500.25",)", ""), Errc::kMissingField},
      {"no currency", with(R"("currency":"PHP",)", ""), Errc::kMissingField},
      {"bad date", with("2026-11-25T18", "2026-13-25T18"), Errc::kBadTimestamp},
      {"no offset", with("56.123+08:00", "56.123"), Errc::kBadTimestamp},
      {"words", with(R"("2026-11-25T18:05:56.123+08:00")", R"("yesterday")"), Errc::kBadTimestamp},
      {"3 decimals", with("1500.25", "1500.255"), Errc::kBadAmount},
      {"letters", with("1500.25", "abc"), Errc::kBadAmount},
      {"negative", with("1500.25", "-5.00"), Errc::kBadAmount},
      {"zero", with("1500.25", "0.00"), Errc::kBadAmount},
      {"exponent", with(R"("1500.25")", "1e5"), Errc::kBadAmount},
      {"bool amount", with(R"("1500.25")", "true"), Errc::kBadAmount},
      {"currency", with(R"("PHP")", R"("XYZ")"), Errc::kUnknownCurrency},
      {"type", with(R"("payment")", R"("teleport")"), Errc::kBadType},
      {"numeric user", with(R"("U00000001")", "42"), Errc::kBadType},
      {"object user", with(R"("U00000001")", R"({"id":1})"), Errc::kBadType},
      {"status", with(R"("SUCCESS")", R"("MAYBE")"), Errc::kBadType},
      {"lat text", with("14.5547", R"("north")"), Errc::kBadType},
  };
  EventDecoder d;
  for (const BadCase& c : cases) {
    domain::Transaction tx;
    Status s = decode(d, c.json, &tx);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(errc_name(s.error().code), errc_name(c.code)) << c.what << ": " << s.error().message;
    EXPECT_FALSE(s.error().message.empty()) << c.what;
  }
}

TEST(EventDecoder, OversizedRecordsAreRejectedBeforeParsing) {
  EventDecoder d(1024);
  domain::Transaction tx;
  std::string json = with(R"("D1")", "\"" + std::string(2000, 'x') + "\"");
  Status s = decode(d, json, &tx);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kOversized);
}

TEST(EventDecoder, ImpossibleCoordinatesAreKept) {
  EventDecoder d;
  domain::Transaction tx;
  ASSERT_TRUE(decode(d, with("14.5547", "95.5"), &tx).ok());
  EXPECT_TRUE(tx.has_location);
  EXPECT_DOUBLE_EQ(tx.lat, 95.5);
}

TEST(EventDecoder, RecoversAfterABadRecord) {
  EventDecoder d;
  domain::Transaction tx;
  ASSERT_FALSE(decode(d, "{\"a\":", &tx).ok());
  ASSERT_TRUE(decode(d, kGood, &tx).ok());
  EXPECT_EQ(tx.user_id, "U00000001");
}

}  // namespace
}  // namespace wf::codec
