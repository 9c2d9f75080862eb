#include "domain/transaction.h"

#include <array>

namespace wf::domain {
namespace {

constexpr std::array<std::string_view, kTxTypeCount> kTypeNames = {
    "payment",  "transfer", "bills", "remittance", "cash_in",
    "cash_out", "purchase", "order", "debit",      "refund",
};

bool equals_normalized(std::string_view text, std::string_view canonical) {
  if (text.size() != canonical.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-' || c == ' ') c = '_';
    if (c != canonical[i]) return false;
  }
  return true;
}

}  // namespace

bool parse_tx_type(std::string_view text, TxType* out) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (equals_normalized(text, kTypeNames[i])) {
      *out = static_cast<TxType>(i);
      return true;
    }
  }
  if (equals_normalized(text, "bill_payment") || equals_normalized(text, "bill")) {
    *out = TxType::kBills;
    return true;
  }
  return false;
}

std::string_view tx_type_name(TxType type) { return kTypeNames[static_cast<size_t>(type)]; }

bool parse_tx_status(std::string_view text, TxStatus* out) {
  if (equals_normalized(text, "success")) {
    *out = TxStatus::kSuccess;
  } else if (equals_normalized(text, "failed")) {
    *out = TxStatus::kFailed;
  } else if (equals_normalized(text, "pending")) {
    *out = TxStatus::kPending;
  } else {
    return false;
  }
  return true;
}

std::string_view tx_status_name(TxStatus status) {
  switch (status) {
    case TxStatus::kSuccess:
      return "SUCCESS";
    case TxStatus::kFailed:
      return "FAILED";
    case TxStatus::kPending:
      return "PENDING";
  }
  return "SUCCESS";
}

}  // namespace wf::domain
