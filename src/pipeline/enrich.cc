#include "pipeline/enrich.h"

namespace wf::pipeline {

Status enrich(const rules::RulePack& pack, domain::Transaction& tx, char country[2],
              rules::Event* out) {
  auto amount = pack.to_base(tx.amount);
  if (!amount.ok()) return amount.take_error();
  out->tx = &tx;
  out->amount = *amount;
  out->local_hour = local_hour(tx.event_ts, pack.utc_offset_minutes());
  out->weekday = local_weekday(tx.event_ts, pack.utc_offset_minutes());
  // Country codes compare upper-case ("ph" is home too); the decoder checked two letters.
  if (tx.country.size() == 2) {
    country[0] = static_cast<char>(tx.country[0] & ~0x20);
    country[1] = static_cast<char>(tx.country[1] & ~0x20);
    tx.country = std::string_view(country, 2);
  }
  out->has_location = tx.has_location && valid_coordinates(tx.lat, tx.lon);
  if (tx.has_balances) {
    const int64_t raw[4] = {tx.orig_balance_before, tx.orig_balance_after, tx.dest_balance_before,
                            tx.dest_balance_after};
    for (int k = 0; k < 4; ++k) {
      auto b = pack.to_base(Money{raw[k], tx.amount.currency});
      out->balances[k] = b.ok() ? *b : 0;
    }
  }
  return Status::Ok();
}

}  // namespace wf::pipeline
