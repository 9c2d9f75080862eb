#include "core/money.h"

#include <gtest/gtest.h>

namespace wf {
namespace {

struct AmountCase {
  const char* text;
  int exponent;
  int64_t minor;
};

TEST(ParseMinorUnits, AcceptsExactDecimals) {
  const AmountCase cases[] = {
      {"1500", 2, 150000},
      {"1500.5", 2, 150050},
      {"1500.50", 2, 150050},
      {"0.01", 2, 1},
      {"-12.34", 2, -1234},
      {"+7", 2, 700},
      {"100", 0, 100},
      {"1.230", 2, 123},
      {".5", 2, 50},
      {"12.345", 3, 12345},
      {"92233720368547758.07", 2, 9223372036854775807},
  };
  for (const auto& c : cases) {
    auto r = parse_minor_units(c.text, c.exponent);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().message;
    EXPECT_EQ(*r, c.minor) << c.text;
  }
}

TEST(ParseMinorUnits, RejectsWhatIsNotExact) {
  const char* bad[] = {"",
                       "-",
                       "abc",
                       "1.",
                       "1.234",
                       "1e3",
                       "12,5",
                       "1.2.3",
                       " 1",
                       "92233720368547758.08",
                       "99999999999999999999",
                       "0x10"};
  for (const char* text : bad) {
    auto r = parse_minor_units(text, 2);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, Errc::kBadAmount) << text;
  }
}

TEST(ParseMinorUnits, ZeroDigitCurrencyRejectsFractions) {
  EXPECT_FALSE(parse_minor_units("100.5", 0).ok());
  EXPECT_EQ(*parse_minor_units("100.0", 0), 100);
}

TEST(FormatMinorUnits, RoundTrips) {
  EXPECT_EQ(format_minor_units(150050, 2), "1500.50");
  EXPECT_EQ(format_minor_units(-5, 2), "-0.05");
  EXPECT_EQ(format_minor_units(100, 0), "100");
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-99}, int64_t{123456789}}) {
    EXPECT_EQ(*parse_minor_units(format_minor_units(v, 2), 2), v);
  }
}

TEST(Currency, LooksUpIsoCodes) {
  auto php = Currency::from_code("PHP");
  ASSERT_TRUE(php.ok());
  EXPECT_EQ(php->exponent(), 2);
  EXPECT_EQ(Currency::from_code("JPY")->exponent(), 0);
  EXPECT_EQ(Currency::from_code("XXX").error().code, Errc::kUnknownCurrency);
  EXPECT_FALSE(Currency::from_code("php").ok());
  EXPECT_EQ(php.value(), Currency::php());
}

}  // namespace
}  // namespace wf
