// Deterministic mutation fuzzing of the decoder (runs under ASan+UBSan in `make test`):
// nothing a client sends may crash it, read outside the record and its padding, or
// produce anything but success or a record error code.
#include <gtest/gtest.h>

#include <string>

#include "codec/event_decoder.h"
#include "core/rng.h"

namespace wf::codec {
namespace {

const std::string kSeed =
    R"({"transaction_id":"01a20f8f-54e7-7dee-9f51-f0aaf374dac9","event_timestamp":)"
    R"("2026-11-25T05:56:21.351+08:00","user_id":"U00000016","transaction_type":"transfer",)"
    R"("amount":"398.00","currency":"PHP","counterparty_id":"U00000042","channel":"APP",)"
    R"("payment_method":"WALLET","status":"SUCCESS","country":"PH","province":"Rizal",)"
    R"("city":"Antipolo","lat":14.6008,"lon":121.1344,"device_id":"dev-af0807251e7f839a",)"
    R"("ip_address":"180.190.239.37","phone_number":"+639731021156","quantity":2,)"
    R"("orig_balance_before":"10.00","orig_balance_after":"5.00","dest_balance_before":1,)"
    R"("dest_balance_after":2.5,"note":"caf\u00e9 \"x\""})";

bool is_record_error(Errc c) {
  return c == Errc::kMalformedJson || c == Errc::kMissingField || c == Errc::kBadTimestamp ||
         c == Errc::kBadAmount || c == Errc::kUnknownCurrency || c == Errc::kBadType ||
         c == Errc::kOversized;
}

std::string mutate(const std::string& in, Rng& rng) {
  std::string s = in;
  static const char kInteresting[] = "{}[]\":,\\-+.eE0 \t\n\x01\xff\xc3nulltrue";
  int edits = 1 + static_cast<int>(rng.below(4));
  for (int e = 0; e < edits && !s.empty(); ++e) {
    size_t pos = rng.below(s.size());
    switch (rng.below(5)) {
      case 0:
        s[pos] = kInteresting[rng.below(sizeof kInteresting - 1)];
        break;
      case 1:
        s.erase(pos, 1 + rng.below(8));
        break;
      case 2:
        s.insert(pos, 1, kInteresting[rng.below(sizeof kInteresting - 1)]);
        break;
      case 3:
        s.resize(pos);
        break;
      default:
        s.insert(pos, s.substr(rng.below(s.size()), rng.below(16)));
        break;
    }
  }
  return s;
}

TEST(EventDecoderFuzz, MutatedEventsNeverCrashAndGetRecordCodes) {
  EventDecoder decoder(4096);
  domain::Transaction tx;
  std::string padded;
  ASSERT_TRUE([&] {
    padded = kSeed + std::string(kDecodePadding, '\0');
    return decoder.decode(std::string_view(padded.data(), kSeed.size()), &tx).ok();
  }());
  Rng rng(2026);
  int ok = 0, failed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string record = mutate(kSeed, rng);
    // Exactly the padding the contract promises, so ASan sees any read beyond it.
    std::string buffer = record + std::string(kDecodePadding, 'x');
    std::string_view view(buffer.data(), record.size());
    Status s = decoder.decode(view, &tx);
    if (s.ok()) {
      ++ok;
      EXPECT_GT(tx.amount.minor, 0);
      EXPECT_FALSE(tx.transaction_id.empty());
      EXPECT_FALSE(tx.user_id.empty());
    } else {
      ++failed;
      EXPECT_TRUE(is_record_error(s.error().code)) << errc_name(s.error().code) << ": " << record;
      EXPECT_FALSE(s.error().message.empty());
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(failed, 0);
}

}  // namespace
}  // namespace wf::codec
