#include "codec/paysim.h"

#include <charconv>
#include <cstring>

#include "core/hash.h"

namespace wf::codec {
namespace {

constexpr int kFields = 11;

// A row without its line end and trailing spaces: what its id is made from.
std::string_view trim_row_end(std::string_view row) {
  while (!row.empty() && (row.back() == '\r' || row.back() == ' ')) row.remove_suffix(1);
  return row;
}

Result<domain::TxType> paysim_type(std::string_view t) {
  if (t == "PAYMENT") return domain::TxType::kPayment;
  if (t == "TRANSFER") return domain::TxType::kTransfer;
  if (t == "CASH_OUT") return domain::TxType::kCashOut;
  if (t == "CASH_IN") return domain::TxType::kCashIn;
  if (t == "DEBIT") return domain::TxType::kDebit;
  return make_error(Errc::kBadType, "unknown PaySim type '" + std::string(t.substr(0, 32)) + "'");
}

std::string_view paysim_name(domain::TxType t) {
  switch (t) {
    case domain::TxType::kPayment:
      return "PAYMENT";
    case domain::TxType::kTransfer:
      return "TRANSFER";
    case domain::TxType::kCashOut:
      return "CASH_OUT";
    case domain::TxType::kCashIn:
      return "CASH_IN";
    default:
      return "DEBIT";
  }
}

bool flag_field(std::string_view f, bool* out) {
  if (f == "1") return *out = true, true;
  if (f == "0") return *out = false, true;
  return false;
}

}  // namespace

Status PaysimDecoder::decode(std::string_view row, domain::Transaction* out, RowTruth* truth) {
  row = trim_row_end(row);
  std::string_view f[kFields];
  size_t n = 0, at = 0;
  while (n < kFields) {
    const size_t comma = row.find(',', at);
    f[n++] = row.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    if (comma == std::string_view::npos) break;
    at = comma + 1;
    if (n == kFields) {
      return make_error(Errc::kMalformedJson, "a PaySim row has 11 fields; this one has more");
    }
  }
  if (n != kFields) {
    return make_error(Errc::kMissingField,
                      "a PaySim row has 11 fields; this one has " + std::to_string(n));
  }
  *out = domain::Transaction{};
  int64_t step = -1;
  auto [end, ec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), step);
  if (ec != std::errc() || end != f[0].data() + f[0].size() || step < 0 || step > 1'000'000) {
    return make_error(Errc::kBadTimestamp, "step must be a whole number of hours");
  }
  out->event_ts = start_ + step * kMicrosPerHour;
  auto type = paysim_type(f[1]);
  if (!type.ok()) return type.take_error();
  out->type = *type;
  const int exponent = currency_.exponent();
  auto amount = parse_minor_units(f[2], exponent);
  if (!amount.ok() || *amount < 0)
    return make_error(Errc::kBadAmount, "amount is not a number >= 0");
  out->amount = Money{*amount, currency_};
  if (f[3].empty() || f[6].empty()) {
    return make_error(Errc::kMissingField, "nameOrig and nameDest are required");
  }
  out->user_id = f[3];
  (f[6].starts_with('M') ? out->merchant_id : out->counterparty_id) = f[6];
  int64_t* balances[4] = {&out->orig_balance_before, &out->orig_balance_after,
                          &out->dest_balance_before, &out->dest_balance_after};
  const std::string_view texts[4] = {f[4], f[5], f[7], f[8]};
  for (int i = 0; i < 4; ++i) {
    auto b = parse_minor_units(texts[i], exponent);
    if (!b.ok()) return make_error(Errc::kBadAmount, "a balance is not a number");
    *balances[i] = *b;
  }
  out->has_balances = true;
  bool fraud = false, flagged = false;
  if (!flag_field(f[9], &fraud) || !flag_field(f[10], &flagged)) {
    return make_error(Errc::kMalformedJson, "isFraud and isFlaggedFraud are 0 or 1");
  }
  if (truth != nullptr) *truth = RowTruth{true, fraud, flagged ? 1 : 0};
  out->status = domain::TxStatus::kSuccess;
  // The id: the row's own text, hashed (the labels travel beside it, not in it).
  out->transaction_id = hashed_row_id("ps-", row, id_);
  return Status::Ok();
}

std::string paysim_id(std::string_view row) {
  char id[20];
  return std::string(hashed_row_id("ps-", trim_row_end(row), id));
}

void append_paysim_row(std::string* out, int64_t step, domain::TxType type, int64_t amount,
                       std::string_view orig, int64_t orig_before, int64_t orig_after,
                       std::string_view dest, int64_t dest_before, int64_t dest_after,
                       bool is_fraud, bool flagged) {
  char buf[32];
  auto num = [&](int64_t v) {
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, r.ptr);
  };
  auto money = [&](int64_t minor) {
    if (minor < 0) {
      out->push_back('-');
      minor = -minor;
    }
    num(minor / 100);
    out->push_back('.');
    out->push_back(static_cast<char>('0' + (minor / 10) % 10));
    out->push_back(static_cast<char>('0' + minor % 10));
  };
  num(step);
  out->push_back(',');
  out->append(paysim_name(type));
  out->push_back(',');
  money(amount);
  out->push_back(',');
  out->append(orig);
  out->push_back(',');
  money(orig_before);
  out->push_back(',');
  money(orig_after);
  out->push_back(',');
  out->append(dest);
  out->push_back(',');
  money(dest_before);
  out->push_back(',');
  money(dest_after);
  out->push_back(',');
  out->push_back(is_fraud ? '1' : '0');
  out->push_back(',');
  out->push_back(flagged ? '1' : '0');
  out->push_back('\n');
}

}  // namespace wf::codec
