// The card profile (seeds 001, 002): card payments of customers who each have a home city
// and their own spending level, at merchants near home (card present) or online, with
// the card pack's patterns injected and labelled by the rule that should catch each:
// amounts over the threshold, foreign high amounts, invalid coordinates, card-testing
// bursts, amounts far above the customer's own pattern, impossible travel, high amounts
// in person far from home. Honest look-alikes: small purchases abroad, travellers. JSON events
// (SPEC section 3) in event-time order. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/time.h"
#include "domain/dims.h"
#include "gen/ph_ewallet.h"

namespace wf::gen {

struct CardOptions {
  int64_t customers = 20'000;
  int64_t merchants = 2'000;
  int64_t count = 300'000;
  double fraud_rate = 0.005;  // share of events labelled fraud
  uint64_t seed = 0;
  Instant start = 0;
  int64_t days = 30;  // the span the events cover
};

// The customers (dim_users, with their home city and its coordinates) and merchants
// (dim_merchants) the generator with the same options draws its events from; `now` is
// the reference time of created_at.
struct CardDimensions {
  std::vector<domain::User> customers;
  std::vector<domain::Merchant> merchants;
};
CardDimensions card_dimensions(const CardOptions& options, Instant now);

class CardGenerator {
 public:
  explicit CardGenerator(const CardOptions& options);
  ~CardGenerator();

  // Appends the next event (a JSON line with its newline) and fills `label`; false after
  // `count` events.
  bool next(std::string* out, Label* label);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::gen
