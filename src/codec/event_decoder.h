// Decodes one bronze JSON event (SPEC section 3) into a domain::Transaction with
// simdjson's On-Demand API. Every failure is a dead-letter code (SPEC section 4) with a
// human message; nothing a client sends can crash it. Allocation-free for good events.
// One decoder per thread; string views in the result point into the decoder's own
// buffer and stay valid until the next decode() call.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/money.h"
#include "core/result.h"
#include "domain/transaction.h"

namespace wf::codec {

// Bytes that must be readable after the end of every record handed to decode().
inline constexpr size_t kDecodePadding = 64;
inline constexpr size_t kDefaultMaxEventBytes = 64 * 1024;

class EventDecoder {
 public:
  explicit EventDecoder(size_t max_event_bytes = kDefaultMaxEventBytes);
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // `record` (without its newline) must be followed by kDecodePadding readable bytes,
  // which decode() never changes. Leading/trailing whitespace is allowed.
  Status decode(std::string_view record, domain::Transaction* out);

  size_t max_event_bytes() const { return max_event_bytes_; }

  // Seed 004's orders: an event may name its id `order_id` and its time `created_date`
  // (both always accepted). Such an order carries no currency or type; it takes type
  // `order` and this currency (the profile's base currency). Without one, an order
  // without a currency is MISSING_FIELD like any event.
  void set_order_currency(Currency currency) { order_currency_ = currency; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  size_t max_event_bytes_;
  Currency order_currency_;
};

}  // namespace wf::codec
