// A PaySim-format generator (seed 003): the published dataset's shape (type mix,
// per-type amount distributions, balances that move as in PaySim, fraud ~0.13% and only
// in TRANSFER and CASH_OUT) with each fraud pattern of the paysim pack injected and
// labelled by the rule that should catch it, and isFlaggedFraud set as PaySim's own
// detector does (transfers above 200,000). Deterministic for a seed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "domain/dims.h"
#include "gen/ph_ewallet.h"

namespace wf::gen {

struct PaysimOptions {
  int64_t accounts = 100'000;  // customers (C...); merchants are M...
  int64_t merchants = 20'000;
  int64_t count = 1'000'000;   // rows
  int64_t steps = 743;         // hours, as in the published data
  double fraud_rate = 0.0013;  // share of rows labelled fraud
  uint64_t seed = 0;
};

// The customer accounts (dim_users) and merchant accounts (dim_merchants) the generator
// with the same options draws its rows from. PaySim's accounts are anonymous: the id is
// the name; no home.
struct PaysimDimensions {
  std::vector<domain::User> accounts;
  std::vector<domain::Merchant> merchants;
};
PaysimDimensions paysim_dimensions(const PaysimOptions& options);

class PaysimGenerator {
 public:
  explicit PaysimGenerator(const PaysimOptions& options);
  ~PaysimGenerator();

  // Appends the next row (with its newline) to `out` and fills `label` (with
  // `baseline` = isFlaggedFraud); false after `count` rows.
  bool next(std::string* out, Label* label, int* baseline);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::gen
