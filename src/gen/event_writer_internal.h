// Renders one ph-ewallet event as a JSON line (SPEC section 3), or the same event with
// exactly one defect for the dead-letter tests of the pipeline. Writes straight into the
// caller's string with no temporary allocation. Internal to src/gen; one per generator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "domain/transaction.h"
#include "gen/ph_ewallet.h"
#include "gen/ph_tables_internal.h"

namespace wf::gen::internal {

// A place: PH city index (0 .. ph_cities().size()-1) or kForeignBase + foreign index.
inline constexpr uint16_t kForeignBase = 1000;
inline bool is_foreign(uint16_t place) { return place >= kForeignBase; }
double place_lat(uint16_t place);
double place_lon(uint16_t place);

enum class Channel : uint8_t { kApp, kWeb, kQr, kUssd };
enum class Method : uint8_t { kWallet, kQr, kCard, kBank };

// Everything that varies between events; strings come from the dims and tables.
struct EventSpec {
  Instant t = 0;
  uint32_t user = 0;
  domain::TxType type = domain::TxType::kPayment;
  bool to_user = false;       // counterparty_id (transfer, remittance) instead of merchant_id
  uint32_t counterparty = 0;  // merchant index, or user index when to_user
  int64_t amount_minor = 0;   // in the currency's minor units
  const Fx* fx = nullptr;
  uint16_t place = 0;
  double lat = 0;
  double lon = 0;
  Channel channel = Channel::kApp;
  Method method = Method::kWallet;
  bool failed = false;
  bool amount_as_number = false;
  uint8_t device_variant = 0;  // 0 = the user's own device; others look like a new phone
  uint8_t ip_variant = 0;      // 0 = the user's usual address
  uint32_t phone = 0;          // phone_digits() of the user, precomputed per user
};

// One defect of a malformed line; code kOk renders a well-formed event.
struct Defect {
  Errc code = Errc::kOk;
  int variant = 0;  // which field / which bad text, see event_writer.cc
};
inline constexpr int kMissingFieldVariants = 6;
inline constexpr int kBadTimestampVariants = 3;
inline constexpr int kBadAmountVariants = 5;
inline constexpr int kUnknownCurrencyVariants = 2;
inline constexpr int kBadTypeVariants = 3;

class EventWriter {
 public:
  EventWriter(const Dimensions& dims, uint64_t seed) : dims_(dims), seed_(seed) {}

  // Appends the event (no newline) with transaction id `uuid` (kUuidChars bytes). Dims
  // text is written unescaped: ids, names and places never hold quotes or controls.
  void write(const EventSpec& e, const char* uuid, const Defect& defect, std::string* out) const;

 private:
  class Out;
  void write_amount(const EventSpec& e, const Defect& defect, Out& o) const;
  void write_device(const EventSpec& e, const Defect& defect, Out& o) const;
  void write_ip(const EventSpec& e, Out& o) const;

  const Dimensions& dims_;
  uint64_t seed_;
};

// The RFC 3339 text of `t` at +08:00 with milliseconds, as format_rfc3339_offset(t, 480)
// gives it, written into `out` (29 bytes) without allocating.
inline constexpr size_t kLocalTimestampChars = 29;
void format_ph_time(Instant t, char* out);

}  // namespace wf::gen::internal
