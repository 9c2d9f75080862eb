// Reference tables of the ph-ewallet profile: Philippine cities (real coordinates and
// populations), foreign cities for travel and R006, Filipino names, merchant brands and
// the FX table the ph-ewallet rule pack uses. Internal to src/gen; immutable, any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace wf::gen::internal {

enum class Category : uint8_t {
  kFood,
  kGroceries,
  kTransport,
  kBills,
  kShopping,
  kEntertainment,
  kHealth,
  kCash,
};
inline constexpr int kCategoryCount = 8;
std::string_view category_name(Category c);

struct City {
  std::string_view name;
  std::string_view province;
  double lat;
  double lon;
  int population_k;              // thousands, census 2020 (rounded)
  std::string_view branches[2];  // malls or districts merchants name their branch after
};

// A city abroad: where users travel and where R006 fraud happens.
struct ForeignCity {
  std::string_view name;
  std::string_view province;  // state / emirate / prefecture, for the `province` field
  std::string_view country;   // ISO 3166 alpha-2
  std::string_view currency;  // ISO 4217
  double lat;
  double lon;
  bool r006;  // one of the countries the R006 injection uses (SG HK AE US JP SA KR)
};

struct Brand {
  std::string_view name;
  Category category;
  bool online;  // no physical branch: the first merchant of the brand is named plainly
};

// PHP centavos per one minor unit of the currency, times 1e6 (the rule pack's FxRate).
struct Fx {
  std::string_view currency;
  int exponent;
  int64_t micro_ratio;
};

std::span<const City> ph_cities();
std::span<const ForeignCity> foreign_cities();
std::span<const std::string_view> first_names();
std::span<const std::string_view> surnames();
std::span<const Brand> brands();
std::span<const Fx> fx_table();

// The FX entry of `currency`; PHP (ratio 1e6) when it is not in the table.
const Fx& fx_for(std::string_view currency);
// Amount in PHP centavos, rounded half away from zero like the pipeline's to_base().
int64_t to_php_centavos(int64_t minor, const Fx& fx);

}  // namespace wf::gen::internal
