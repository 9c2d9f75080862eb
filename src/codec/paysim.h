// PaySim's CSV (seed 003: the published mobile-money simulation) as events:
//   step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,
//   newbalanceDest,isFraud,isFlaggedFraud
// `step` (hours) becomes event time from a configurable start; nameOrig is the user, a
// nameDest starting with M the merchant, any other the counterparty; the four balances
// are kept for the rules. isFraud and isFlaggedFraud (PaySim's own detector, the
// baseline) never reach the event: they come back separately, for the labels side
// channel. Rows carry no id: the id is a hash of the row's text, so the same row sent
// twice is a duplicate. Every failure is a dead-letter code, as for JSON events.
#pragma once

#include <string>
#include <string_view>

#include "codec/row_decoder.h"
#include "core/money.h"
#include "core/result.h"
#include "core/time.h"
#include "domain/transaction.h"

namespace wf::codec {

inline constexpr std::string_view kPaysimHeader =
    "step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,"
    "newbalanceDest,isFraud,isFlaggedFraud";

class PaysimDecoder final : public RowDecoder {
 public:
  // Amounts and balances are in `currency`; step 0 is `start`.
  PaysimDecoder(Instant start, Currency currency) : start_(start), currency_(currency) {}

  // The header line (first line of a PaySim file).
  static bool is_header(std::string_view line) { return line.starts_with("step,"); }

  // One data row. Views in `out` point into the row and into this decoder (the id),
  // valid until the next decode(). `truth`: isFraud, and isFlaggedFraud as the baseline.
  Status decode(std::string_view row, domain::Transaction* out, RowTruth* truth) override;

 private:
  Instant start_;
  Currency currency_;
  char id_[20];  // "ps-" + 16 hex digits
};

// The id decode() gives a row (its text without the line end).
std::string paysim_id(std::string_view row);

// One row in PaySim's format (amounts with two decimals), newline included.
void append_paysim_row(std::string* out, int64_t step, domain::TxType type, int64_t amount,
                       std::string_view orig, int64_t orig_before, int64_t orig_after,
                       std::string_view dest, int64_t dest_before, int64_t dest_after,
                       bool is_fraud, bool flagged);

}  // namespace wf::codec
