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

void append_uint(uint64_t v, std::string* out) {
  char buf[20];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out->append(p, static_cast<size_t>(buf + sizeof buf - p));
}

void append_fixed(double v, std::string* out) {
  // Four decimals without printf: about 11 m of precision.
  int64_t scaled = std::llround(v * 10'000.0);
  if (scaled < 0) {
    out->push_back('-');
    scaled = -scaled;
  }
  append_uint(static_cast<uint64_t>(scaled / 10'000), out);
  char frac[5] = {'.', '0', '0', '0', '0'};
  int64_t f = scaled % 10'000;
  for (int i = 4; i >= 1; --i) {
    frac[i] = static_cast<char>('0' + f % 10);
    f /= 10;
  }
  out->append(frac, 5);
}

void key(std::string_view name, std::string* out) {
  out->push_back(',');
  out->push_back('"');
  out->append(name);
  out->append("\":", 2);
}

void string_field(std::string_view name, std::string_view value, std::string* out) {
  key(name, out);
  out->push_back('"');
  out->append(value);  // table and dims text: no character needs escaping
  out->push_back('"');
}

}  // namespace

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

void EventWriter::append_amount(const EventSpec& e, const Defect& defect, std::string* out) const {
  if (defect.code == Errc::kBadAmount) {
    out->push_back('"');
    out->append(kBadAmounts[defect.variant]);
    out->push_back('"');
    return;
  }
  if (!e.amount_as_number) out->push_back('"');
  // Always two decimals, also for zero-exponent currencies ("1500.00" JPY parses exactly).
  const int64_t scale = e.fx->exponent == 2 ? 100 : 1;
  append_uint(static_cast<uint64_t>(e.amount_minor / scale), out);
  const int64_t cents = scale == 100 ? e.amount_minor % 100 : 0;
  const char frac[3] = {'.', static_cast<char>('0' + cents / 10),
                        static_cast<char>('0' + cents % 10)};
  out->append(frac, 3);
  if (!e.amount_as_number) out->push_back('"');
}

void EventWriter::append_device(const EventSpec& e, const Defect& defect, std::string* out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  key("device_id", out);
  out->append("\"dev-", 5);
  uint64_t h = mix64(seed_ ^ mix64(e.user * 131ULL + e.device_variant + 0x646576ULL));
  char hex[16];
  for (int i = 15; i >= 0; --i, h >>= 4) hex[i] = kHex[h & 15];
  out->append(hex, 16);
  if (defect.code == Errc::kOversized) {
    // A client that stuffs a blob into a field: one huge line, no newline inside.
    for (size_t n = 0; n < kOversizedDeviceChars; n += 16) out->append(hex, 16);
  }
  out->push_back('"');
}

void EventWriter::append_ip(const EventSpec& e, std::string* out) const {
  key("ip_address", out);
  const uint64_t base = mix64(seed_ ^ mix64(e.user * 977ULL + 0x6970ULL));
  const uint64_t h = e.ip_variant == 0 ? base : mix64(base + e.ip_variant);
  const uint8_t* block = e.device_variant != 0 ? kOtherBlocks[h % 4] : kPhBlocks[h % 8];
  out->push_back('"');
  append_uint(block[0], out);
  out->push_back('.');
  append_uint(block[1], out);
  out->push_back('.');
  append_uint((h >> 8) & 255, out);
  out->push_back('.');
  append_uint(1 + (h >> 16) % 254, out);
  out->push_back('"');
}

void EventWriter::write(const EventSpec& e, const char* uuid, const Defect& defect,
                        std::string* out) const {
  const bool missing = defect.code == Errc::kMissingField;
  const domain::User& user = dims_.users[e.user];
  out->push_back('{');
  // The leading comma of the first field is dropped below, so a missing first field
  // still yields valid JSON.
  const size_t first = out->size();
  if (!missing || defect.variant != 0) {
    string_field("transaction_id", std::string_view(uuid, kUuidChars), out);
  }
  if (!missing || defect.variant != 1) {
    key("event_timestamp", out);
    out->push_back('"');
    char ts[kLocalTimestampChars];
    format_ph_time(e.t, ts);
    if (defect.code == Errc::kBadTimestamp && defect.variant < 2) {
      out->append(kBadTimestamps[defect.variant]);
    } else {
      const bool no_offset = defect.code == Errc::kBadTimestamp;
      out->append(ts, no_offset ? 23 : kLocalTimestampChars);
    }
    out->push_back('"');
  }
  if (!missing || defect.variant != 2) {
    if (defect.code == Errc::kBadType && defect.variant == 1) {
      key("user_id", out);  // a number where a string belongs
      append_uint(std::strtoull(user.user_id.c_str() + 1, nullptr, 10), out);
    } else if (defect.code == Errc::kBadType && defect.variant == 2) {
      key("user_id", out);
      out->append("{\"id\":\"");
      out->append(user.user_id);
      out->append("\"}");
    } else {
      string_field("user_id", user.user_id, out);
    }
  }
  if (!missing || defect.variant != 3) {
    const bool teleport = defect.code == Errc::kBadType && defect.variant == 0;
    string_field("transaction_type", teleport ? "teleport" : domain::tx_type_name(e.type), out);
  }
  if (!missing || defect.variant != 4) {
    key("amount", out);
    append_amount(e, defect, out);
  }
  if (!missing || defect.variant != 5) {
    const bool bad = defect.code == Errc::kUnknownCurrency;
    string_field("currency", bad ? kBadCurrencies[defect.variant] : e.fx->currency, out);
  }
  if (e.to_user) {
    string_field("counterparty_id", dims_.users[e.counterparty].user_id, out);
  } else {
    string_field("merchant_id", dims_.merchants[e.counterparty].merchant_id, out);
  }
  string_field("channel", kChannels[static_cast<int>(e.channel)], out);
  string_field("payment_method", kMethods[static_cast<int>(e.method)], out);
  string_field("status", e.failed ? "FAILED" : "SUCCESS", out);
  if (is_foreign(e.place)) {
    const ForeignCity& c = foreign_cities()[e.place - kForeignBase];
    string_field("country", c.country, out);
    string_field("province", c.province, out);
    string_field("city", c.name, out);
  } else {
    const City& c = ph_cities()[e.place];
    string_field("country", "PH", out);
    string_field("province", c.province, out);
    string_field("city", c.name, out);
  }
  key("lat", out);
  append_fixed(e.lat, out);
  key("lon", out);
  append_fixed(e.lon, out);
  append_device(e, defect, out);
  append_ip(e, out);
  key("phone_number", out);
  out->append("\"+639", 5);
  char digits[9];
  uint64_t p = phone_digits(user.user_id);
  for (int i = 8; i >= 0; --i, p /= 10) digits[i] = static_cast<char>('0' + p % 10);
  out->append(digits, 9);
  out->push_back('"');
  out->push_back('}');
  out->erase(first, 1);  // the comma before the first field written
}

}  // namespace wf::gen::internal
