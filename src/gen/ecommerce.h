// The ecommerce profile (seed 004): an Indonesian shop's users and product catalogue
// (category, sub-category, IDR price and cost of goods), and a labelled stream of orders
// in seed 004's shape (order_id, user_id, product_id, quantity, amount as a string,
// country, created_date, status "Pending") with each of the six ecommerce rules'
// patterns injected: orders from abroad, bulk and high-value orders at night (local
// UTC+7), the same product ordered again and again, scripted runs of sequential user
// ids, and several users buying the same product and quantity at once. Ordinary orders
// follow the shop's day (quiet after midnight), a catalogue whose popularity is skewed
// but not extreme, and a few honest look-alikes (bulk and high-value orders by day).
// Deterministic for a seed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/time.h"
#include "domain/dims.h"
#include "gen/ph_ewallet.h"

namespace wf::gen {

inline constexpr int kEcommerceUtcOffsetMinutes = 7 * 60;

struct EcommerceSeedOptions {
  int64_t users = 20'000;
  int64_t products = 2'000;
  uint64_t seed = 0;
  Instant now = 0;  // created_date of users and products lies in the two years before
};

struct EcommerceDims {
  std::vector<domain::User> users;  // phone_hash left empty: the caller protects it
  std::vector<domain::Product> products;
};

EcommerceDims seed_ecommerce(const EcommerceSeedOptions& options);
// The user's phone number ("+6281234567890"), derived from the id alone.
std::string ecommerce_phone_for(std::string_view user_id);

struct OrderOptions {
  int64_t count = 200'000;
  double fraud_rate = 0.01;  // share of orders labelled fraud
  uint64_t seed = 0;
  Instant start = 0;
  // Ordinary orders a day; with the catalogue's size this sets how often two users buy
  // the same product at once by chance (what the "several users" rule looks for).
  double orders_per_day = 20'000;
};

class OrderGenerator {
 public:
  // `dims` must outlive the generator and hold at least 10 users and one product; user
  // ids end in their number (sequential ids are what one of the patterns abuses).
  OrderGenerator(const EcommerceDims& dims, const OrderOptions& options);
  ~OrderGenerator();

  // Appends the next order (a JSON line with its newline) and fills `label`; false after
  // `count` orders. Orders come out in event-time order.
  bool next(std::string* out, Label* label);
  // Live: an order happening at `now` (wall clock), or an incident's later order that is
  // due by then; same contract as next(). An incident waiting for the night waits.
  bool next_at(Instant now, std::string* out, Label* label);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::gen
