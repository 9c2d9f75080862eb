// The transaction event as decoded from bronze (SPEC section 3). String fields are views
// into the caller's record buffer, so decoding allocates nothing; a Transaction is valid
// only while that buffer is.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/money.h"
#include "core/time.h"

namespace wf::domain {

enum class TxType : uint8_t {
  kPayment,
  kTransfer,
  kBills,
  kRemittance,
  kCashIn,
  kCashOut,
  kPurchase,
  kOrder,
  kDebit,
  kRefund,
};
inline constexpr int kTxTypeCount = 10;

// Accepts the canonical lower-case names and their upper-case / dash spellings
// ("cash_in", "CASH_IN", "cash-in"); false when unknown.
bool parse_tx_type(std::string_view text, TxType* out);
std::string_view tx_type_name(TxType type);

enum class TxStatus : uint8_t { kSuccess, kFailed, kPending };
bool parse_tx_status(std::string_view text, TxStatus* out);
std::string_view tx_status_name(TxStatus status);

// The fields an event may have (SPEC section 3), in the schema's order.
inline constexpr std::string_view kEventFields[] = {"transaction_id",
                                                    "event_timestamp",
                                                    "user_id",
                                                    "transaction_type",
                                                    "amount",
                                                    "currency",
                                                    "merchant_id",
                                                    "counterparty_id",
                                                    "channel",
                                                    "payment_method",
                                                    "status",
                                                    "country",
                                                    "province",
                                                    "city",
                                                    "lat",
                                                    "lon",
                                                    "device_id",
                                                    "ip_address",
                                                    "phone_number",
                                                    "product_id",
                                                    "quantity",
                                                    "orig_balance_before",
                                                    "orig_balance_after",
                                                    "dest_balance_before",
                                                    "dest_balance_after"};

struct Transaction {
  std::string_view transaction_id;
  std::string_view user_id;
  Instant event_ts = 0;
  TxType type = TxType::kPayment;
  Money amount;
  TxStatus status = TxStatus::kSuccess;

  std::string_view merchant_id;
  std::string_view counterparty_id;
  std::string_view channel;
  std::string_view payment_method;
  std::string_view country;  // ISO 3166 alpha-2, empty when absent
  std::string_view province;
  std::string_view city;
  std::string_view device_id;
  std::string_view ip_address;
  std::string_view phone_number;
  std::string_view product_id;

  bool has_location = false;
  double lat = 0;
  double lon = 0;
  int64_t quantity = 0;  // 0 when absent

  // PaySim balances in minor units of `amount.currency`; valid when has_balances.
  bool has_balances = false;
  int64_t orig_balance_before = 0;
  int64_t orig_balance_after = 0;
  int64_t dest_balance_before = 0;
  int64_t dest_balance_after = 0;
};

}  // namespace wf::domain
