#include "core/money.h"

#include <array>
#include <cstdlib>
#include <limits>

namespace wf {

struct CurrencyTable {
  static constexpr std::array<Currency, 28> kAll = {
      Currency("PHP", 2), Currency("USD", 2), Currency("EUR", 2), Currency("GBP", 2),
      Currency("JPY", 0), Currency("SGD", 2), Currency("HKD", 2), Currency("IDR", 2),
      Currency("MYR", 2), Currency("THB", 2), Currency("VND", 0), Currency("KRW", 0),
      Currency("CNY", 2), Currency("AUD", 2), Currency("CAD", 2), Currency("AED", 2),
      Currency("SAR", 2), Currency("INR", 2), Currency("CHF", 2), Currency("TWD", 2),
      Currency("NZD", 2), Currency("QAR", 2), Currency("KWD", 3), Currency("BHD", 3),
      Currency("MOP", 2), Currency("BND", 2), Currency("KES", 2), Currency("NGN", 2),
  };
};

Result<Currency> Currency::from_code(std::string_view code) {
  if (code.size() == 3) {
    for (const Currency& c : CurrencyTable::kAll) {
      if (c.code() == code) return c;
    }
  }
  return make_error(Errc::kUnknownCurrency, "unknown currency '" + std::string(code) + "'");
}

Currency Currency::php() { return CurrencyTable::kAll[0]; }

Result<int64_t> parse_minor_units(std::string_view text, int exponent) {
  auto bad = [&](const char* why) {
    return make_error(Errc::kBadAmount, std::string(why) + ": '" + std::string(text) + "'");
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t value = 0;
  int int_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
    int digit = text[i] - '0';
    if (value > (kMax - digit) / 10) return bad("amount overflows");
    value = value * 10 + digit;
  }
  int frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++frac_digits) {
      int digit = text[i] - '0';
      if (frac_digits >= exponent) {
        if (digit != 0) return bad("more decimal places than the currency has");
        continue;
      }
      if (value > (kMax - digit) / 10) return bad("amount overflows");
      value = value * 10 + digit;
    }
    if (frac_digits == 0) return bad("no digits after the decimal point");
  }
  if (int_digits == 0 && frac_digits == 0) return bad("not a decimal amount");
  if (i != text.size()) return bad("not a decimal amount");
  for (int k = frac_digits < exponent ? frac_digits : exponent; k < exponent; ++k) {
    if (value > kMax / 10) return bad("amount overflows");
    value *= 10;
  }
  return negative ? -value : value;
}

std::string format_minor_units(int64_t minor, int exponent) {
  bool negative = minor < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  uint64_t scale = 1;
  for (int k = 0; k < exponent; ++k) scale *= 10;
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / scale);
  if (exponent > 0) {
    std::string frac = std::to_string(magnitude % scale);
    out += '.';
    out.append(static_cast<size_t>(exponent) - frac.size(), '0');
    out += frac;
  }
  return out;
}

}  // namespace wf
