#include <cmath>
#include <cstring>

#include "core/uuid.h"
#include "gen/event_writer_internal.h"
#include "gen/util_internal.h"

namespace wf::gen::internal {
namespace {

constexpr std::string_view kChannels[] = {"APP", "WEB", "QR", "USSD"};
constexpr std::string_view kMethods[] = {"WALLET", "QR", "CARD", "BANK"};
constexpr std::string_view kBadTimestamps[] = {"2026-13-45T99:00:00+08:00", "yesterday"};
constexpr std::string_view kBadAmounts[] = {"12.345", "abc", "-5.00", "0.00", "1e5"};
constexpr std::string_view kBadCurrencies[] = {"XYZ", "PESO"};
// Home and mobile ISP blocks seen on Philippine wallets (PLDT, Globe, Smart, Converge).
constexpr uint8_t kPhBlocks[][2] = {{112, 198}, {49, 145}, {110, 54},  {175, 176},
                                    {180, 190}, {122, 2},  {136, 158}, {203, 177}};
// Hosting and foreign ranges a stolen account is driven from.
constexpr uint8_t kOtherBlocks[][2] = {{45, 83}, {103, 152}, {185, 220}, {91, 108}};
// Oversized lines must exceed the decoder's 64 KiB line limit.
constexpr size_t kOversizedDeviceChars = 70'000;
// Everything of a line except the dims strings fits in this many bytes.
constexpr size_t kFixedLineBound = 768;

}  // namespace

// Writes through a raw pointer into storage the caller sized for the worst case: the
// hot path then has no capacity checks and no small appends.
class EventWriter::Out {
 public:
  explicit Out(char* p) : p_(p) {}
  void put(char c) { *p_++ = c; }
  void put(const char* s, size_t n) {
    std::memcpy(p_, s, n);
    p_ += n;
  }
  void put(std::string_view s) { put(s.data(), s.size()); }
  void uint(uint64_t v) {
    char buf[20];
    char* q = buf + sizeof buf;
    do {
      *--q = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    put(q, static_cast<size_t>(buf + sizeof buf - q));
  }
  // Four decimals without printf: about 11 m of precision.
  void fixed4(double v) {
    int64_t scaled = std::llround(v * 10'000.0);
    if (scaled < 0) {
      put('-');
      scaled = -scaled;
    }
    uint(static_cast<uint64_t>(scaled / 10'000));
    char frac[5] = {'.', '0', '0', '0', '0'};
    for (int i = 4, f = static_cast<int>(scaled % 10'000); i >= 1; --i, f /= 10) {
      frac[i] = static_cast<char>('0' + f % 10);
    }
    put(frac, 5);
  }
  void key(std::string_view name) {
    if (!first_) put(',');
    first_ = false;
    put('"');
    put(name);
    put("\":", 2);
  }
  void field(std::string_view name, std::string_view value) {
    key(name);
    put('"');
    put(value);
    put('"');
  }
  char* end() const { return p_; }

 private:
  char* p_;
  bool first_ = true;
};

double place_lat(uint16_t place) {
  return is_foreign(place) ? foreign_cities()[place - kForeignBase].lat : ph_cities()[place].lat;
}
double place_lon(uint16_t place) {
  return is_foreign(place) ? foreign_cities()[place - kForeignBase].lon : ph_cities()[place].lon;
}

void format_ph_time(Instant t, char* out) {
  char utc[kTimestampChars];
  format_utc(t + 480 * kMicrosPerMinute, utc);
  std::memcpy(out, utc, 23);  // through milliseconds
  std::memcpy(out + 23, "+08:00", 6);
}

void EventWriter::write_amount(const EventSpec& e, const Defect& defect, Out& o) const {
  o.key("amount");
  if (defect.code == Errc::kBadAmount) {
    o.put('"');
    o.put(kBadAmounts[defect.variant]);
    o.put('"');
    return;
  }
  if (!e.amount_as_number) o.put('"');
  // Always two decimals, also for zero-exponent currencies ("1500.00" JPY parses exactly).
  const int64_t scale = e.fx->exponent == 2 ? 100 : 1;
  o.uint(static_cast<uint64_t>(e.amount_minor / scale));
  const int64_t cents = scale == 100 ? e.amount_minor % 100 : 0;
  const char frac[3] = {'.', static_cast<char>('0' + cents / 10),
                        static_cast<char>('0' + cents % 10)};
  o.put(frac, 3);
  if (!e.amount_as_number) o.put('"');
}

void EventWriter::write_device(const EventSpec& e, const Defect& defect, Out& o) const {
  static constexpr char kHex[] = "0123456789abcdef";
  o.key("device_id");
  o.put("\"dev-", 5);
  uint64_t h = mix64(seed_ ^ mix64(e.user * 131ULL + e.device_variant + 0x646576ULL));
  char hex[16];
  for (int i = 15; i >= 0; --i, h >>= 4) hex[i] = kHex[h & 15];
  o.put(hex, 16);
  if (defect.code == Errc::kOversized) {
    // A client that stuffs a blob into a field: one huge line, no newline inside.
    for (size_t n = 0; n < kOversizedDeviceChars; n += 16) o.put(hex, 16);
  }
  o.put('"');
}

void EventWriter::write_ip(const EventSpec& e, Out& o) const {
  o.key("ip_address");
  const uint64_t base = mix64(seed_ ^ mix64(e.user * 977ULL + 0x6970ULL));
  const uint64_t h = e.ip_variant == 0 ? base : mix64(base + e.ip_variant);
  const uint8_t* block = e.device_variant != 0 ? kOtherBlocks[h % 4] : kPhBlocks[h % 8];
  o.put('"');
  o.uint(block[0]);
  o.put('.');
  o.uint(block[1]);
  o.put('.');
  o.uint((h >> 8) & 255);
  o.put('.');
  o.uint(1 + (h >> 16) % 254);
  o.put('"');
}

void EventWriter::write(const EventSpec& e, const char* uuid, const Defect& defect,
                        std::string* out) const {
  const bool missing = defect.code == Errc::kMissingField;
  const domain::User& user = dims_.users[e.user];
  const std::string& other =
      e.to_user ? dims_.users[e.counterparty].user_id : dims_.merchants[e.counterparty].merchant_id;
  const size_t start = out->size();
  size_t bound = kFixedLineBound + 2 * user.user_id.size() + other.size();
  if (defect.code == Errc::kOversized) bound += kOversizedDeviceChars + 16;
  out->resize(start + bound);
  Out o(out->data() + start);
  o.put('{');
  if (!missing || defect.variant != 0) {
    o.field("transaction_id", std::string_view(uuid, kUuidChars));
  }
  if (!missing || defect.variant != 1) {
    o.key("event_timestamp");
    o.put('"');
    char ts[kLocalTimestampChars];
    format_ph_time(e.t, ts);
    if (defect.code == Errc::kBadTimestamp && defect.variant < 2) {
      o.put(kBadTimestamps[defect.variant]);
    } else {
      const bool no_offset = defect.code == Errc::kBadTimestamp;
      o.put(ts, no_offset ? 23 : kLocalTimestampChars);
    }
    o.put('"');
  }
  if (!missing || defect.variant != 2) {
    if (defect.code == Errc::kBadType && defect.variant == 1) {
      o.key("user_id");  // a number where a string belongs
      o.uint(std::strtoull(user.user_id.c_str() + 1, nullptr, 10));
    } else if (defect.code == Errc::kBadType && defect.variant == 2) {
      o.key("user_id");
      o.put("{\"id\":\"", 7);
      o.put(user.user_id);
      o.put("\"}", 2);
    } else {
      o.field("user_id", user.user_id);
    }
  }
  if (!missing || defect.variant != 3) {
    const bool teleport = defect.code == Errc::kBadType && defect.variant == 0;
    o.field("transaction_type", teleport ? "teleport" : domain::tx_type_name(e.type));
  }
  if (!missing || defect.variant != 4) write_amount(e, defect, o);
  if (!missing || defect.variant != 5) {
    const bool bad = defect.code == Errc::kUnknownCurrency;
    o.field("currency", bad ? kBadCurrencies[defect.variant] : e.fx->currency);
  }
  o.field(e.to_user ? "counterparty_id" : "merchant_id", other);
  o.field("channel", kChannels[static_cast<int>(e.channel)]);
  o.field("payment_method", kMethods[static_cast<int>(e.method)]);
  o.field("status", e.failed ? "FAILED" : "SUCCESS");
  if (is_foreign(e.place)) {
    const ForeignCity& c = foreign_cities()[e.place - kForeignBase];
    o.field("country", c.country);
    o.field("province", c.province);
    o.field("city", c.name);
  } else {
    const City& c = ph_cities()[e.place];
    o.field("country", "PH");
    o.field("province", c.province);
    o.field("city", c.name);
  }
  o.key("lat");
  o.fixed4(e.lat);
  o.key("lon");
  o.fixed4(e.lon);
  write_device(e, defect, o);
  write_ip(e, o);
  o.key("phone_number");
  o.put("\"+639", 5);
  char digits[9];
  uint32_t p = e.phone;
  for (int i = 8; i >= 0; --i, p /= 10) digits[i] = static_cast<char>('0' + p % 10);
  o.put(digits, 9);
  o.put('"');
  o.put('}');
  out->resize(static_cast<size_t>(o.end() - out->data()));
}

}  // namespace wf::gen::internal
