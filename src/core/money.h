// Money: an exact count of minor units (centavos, cents) plus an ISO 4217 currency.
// Parsing is exact from decimal text; floats never carry money.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wf {

// A currency known to walletflow: ISO 4217 code and number of minor-unit digits.
// Value type, 4 bytes; compare by code.
class Currency {
 public:
  constexpr Currency() = default;
  // Looks up an ISO 4217 code (upper case); kUnknownCurrency when not in the table.
  static Result<Currency> from_code(std::string_view code);
  static Currency php();

  std::string_view code() const { return std::string_view(code_, 3); }
  int exponent() const { return exponent_; }
  bool valid() const { return code_[0] != '\0'; }
  friend bool operator==(const Currency& a, const Currency& b) { return a.code() == b.code(); }

 private:
  constexpr Currency(const char* code, uint8_t exponent)
      : code_{code[0], code[1], code[2]}, exponent_(exponent) {}
  char code_[3] = {0, 0, 0};
  uint8_t exponent_ = 0;
  friend struct CurrencyTable;
};

struct Money {
  int64_t minor = 0;
  Currency currency;

  friend bool operator==(const Money& a, const Money& b) {
    return a.minor == b.minor && a.currency == b.currency;
  }
};

// Parses a decimal number in major units ("1500", "1500.5", "-12.34", "1e3" is rejected)
// into minor units with `exponent` digits. More fractional digits than the currency
// allows (non-zero), overflow of int64, empty text or stray characters are kBadAmount.
Result<int64_t> parse_minor_units(std::string_view text, int exponent);

// "1500.50" for (150050, 2); "-0.05" for (-5, 2); "100" for (100, 0).
std::string format_minor_units(int64_t minor, int exponent);

}  // namespace wf
