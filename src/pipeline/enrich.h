// What every scoring path does between decoding and the rules: amount and balances in
// the pack's base currency, local hour and weekday, upper-case country, coordinates
// checked. Shared by the Processor (live scoring) and the backtest replay, so both see
// the same event.
#pragma once

#include "core/result.h"
#include "domain/transaction.h"
#include "rules/engine.h"
#include "rules/pack.h"

namespace wf::pipeline {

// Fills `out` (all but `out->user`) for `tx`. tx.country is rewritten to upper case in
// `country` (two bytes that must outlive the evaluation). kUnknownCurrency / kBadAmount
// when the amount cannot be expressed in the base currency.
Status enrich(const rules::RulePack& pack, domain::Transaction& tx, char country[2],
              rules::Event* out);

inline bool valid_coordinates(double lat, double lon) {
  return lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0;
}

}  // namespace wf::pipeline
