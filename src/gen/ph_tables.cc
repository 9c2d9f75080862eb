#include <array>

#include "gen/ph_tables_internal.h"

namespace wf::gen::internal {
namespace {

// Real city-centre coordinates; populations from the 2020 census (thousands). Metro
// Manila cities dominate the weights as they dominate e-wallet use.
constexpr std::array<City, 45> kCities = {{
    {"Quezon City", "Metro Manila", 14.6760, 121.0437, 2960, {"SM North EDSA", "Cubao"}},
    {"Manila", "Metro Manila", 14.5995, 120.9842, 1846, {"Binondo", "Ermita"}},
    {"Caloocan", "Metro Manila", 14.6507, 120.9676, 1661, {"Monumento", "Bagong Silang"}},
    {"Taguig", "Metro Manila", 14.5176, 121.0509, 886, {"BGC High Street", "Market Market"}},
    {"Pasig", "Metro Manila", 14.5764, 121.0851, 803, {"Ortigas Center", "Kapitolyo"}},
    {"Parañaque", "Metro Manila", 14.4793, 121.0198, 689, {"BF Homes", "Baclaran"}},
    {"Makati", "Metro Manila", 14.5547, 121.0244, 629, {"Ayala Avenue", "Greenbelt"}},
    {"Antipolo", "Rizal", 14.6255, 121.1245, 887, {"Robinsons Antipolo", "Poblacion"}},
    {"Dasmariñas", "Cavite", 14.3294, 120.9367, 703, {"SM City Dasmariñas", "Salitran"}},
    {"Santa Rosa", "Laguna", 14.3122, 121.1114, 414, {"Paseo de Santa Rosa", "Balibago"}},
    {"Calamba", "Laguna", 14.2117, 121.1653, 539, {"SM City Calamba", "Crossing"}},
    {"Batangas City", "Batangas", 13.7565, 121.0583, 351, {"SM City Batangas", "Poblacion"}},
    {"Lipa", "Batangas", 13.9411, 121.1631, 372, {"SM City Lipa", "Robinsons Lipa"}},
    {"Malolos", "Bulacan", 14.8527, 120.8160, 261, {"Robinsons Malolos", "Poblacion"}},
    {"Angeles", "Pampanga", 15.1450, 120.5887, 462, {"SM City Clark", "Balibago"}},
    {"San Fernando", "Pampanga", 15.0286, 120.6898, 354, {"SM City Pampanga", "Dolores"}},
    {"Baguio", "Benguet", 16.4023, 120.5960, 366, {"Session Road", "SM City Baguio"}},
    {"Dagupan", "Pangasinan", 16.0433, 120.3333, 174, {"CSI City Mall", "Nable Street"}},
    {"Laoag", "Ilocos Norte", 18.1978, 120.5936, 111, {"Robinsons Ilocos", "Poblacion"}},
    {"Tuguegarao", "Cagayan", 17.6132, 121.7270, 166, {"Brickstone Mall", "Centro"}},
    {"Calapan", "Oriental Mindoro", 13.4115, 121.1803, 145, {"Xentro Mall", "Poblacion"}},
    {"Puerto Princesa", "Palawan", 9.7392, 118.7353, 307, {"Robinsons Palawan", "Rizal Avenue"}},
    {"Legazpi", "Albay", 13.1391, 123.7438, 209, {"Pacific Mall", "Embarcadero"}},
    {"Naga", "Camarines Sur", 13.6218, 123.1948, 209, {"SM City Naga", "Magsaysay Avenue"}},
    {"Iloilo City", "Iloilo", 10.7202, 122.5621, 457, {"SM City Iloilo", "Jaro"}},
    {"Bacolod", "Negros Occidental", 10.6765, 122.9509, 600, {"Ayala Capitol Central", "Lacson"}},
    {"Roxas City", "Capiz", 11.5853, 122.7511, 179, {"Robinsons Roxas", "Poblacion"}},
    {"Cebu City", "Cebu", 10.3157, 123.8854, 964, {"Cebu IT Park", "Ayala Center Cebu"}},
    {"Lapu-Lapu", "Cebu", 10.3103, 123.9494, 497, {"Mactan Newtown", "Pusok"}},
    {"Mandaue", "Cebu", 10.3236, 123.9223, 364, {"Parkmall", "J Centre"}},
    {"Tagbilaran", "Bohol", 9.6473, 123.8540, 104, {"Island City Mall", "Poblacion"}},
    {"Dumaguete",
     "Negros Oriental",
     9.3068,
     123.3054,
     134,
     {"Robinsons Dumaguete", "Rizal Boulevard"}},
    {"Tacloban", "Leyte", 11.2543, 125.0000, 251, {"Robinsons Tacloban", "Downtown"}},
    {"Ormoc", "Leyte", 11.0064, 124.6075, 230, {"Robinsons Ormoc", "Poblacion"}},
    {"Zamboanga City",
     "Zamboanga del Sur",
     6.9214,
     122.0790,
     977,
     {"KCC Mall de Zamboanga", "Pasonanca"}},
    {"Cagayan de Oro", "Misamis Oriental", 8.4542, 124.6319, 728, {"Limketkai Center", "Centrio"}},
    {"Iligan", "Lanao del Norte", 8.2280, 124.2452, 363, {"Robinsons Iligan", "Poblacion"}},
    {"Davao City", "Davao del Sur", 7.1907, 125.4553, 1776, {"SM Lanang", "Abreeza"}},
    {"Tagum", "Davao del Norte", 7.4478, 125.8078, 296, {"Gaisano Mall Tagum", "Poblacion"}},
    {"General Santos", "South Cotabato", 6.1164, 125.1716, 697, {"KCC Mall of GenSan", "Lagao"}},
    {"Koronadal", "South Cotabato", 6.5008, 124.8469, 188, {"KCC Mall Marbel", "Poblacion"}},
    {"Butuan", "Agusan del Norte", 8.9475, 125.5406, 372, {"Robinsons Butuan", "Langihan"}},
    {"Surigao City", "Surigao del Norte", 9.7889, 125.4950, 171, {"Gaisano Surigao", "Poblacion"}},
    {"Cotabato City",
     "Maguindanao del Norte",
     7.2236,
     124.2464,
     325,
     {"Mall of Alnor", "Poblacion"}},
    {"Marawi", "Lanao del Sur", 7.9986, 124.2928, 207, {"Poblacion", "Banggolo"}},
}};

constexpr std::array<ForeignCity, 11> kForeign = {{
    {"Singapore", "Singapore", "SG", "SGD", 1.3521, 103.8198, true},
    {"Hong Kong", "Hong Kong", "HK", "HKD", 22.3193, 114.1694, true},
    {"Dubai", "Dubai", "AE", "AED", 25.2048, 55.2708, true},
    {"Los Angeles", "California", "US", "USD", 34.0522, -118.2437, true},
    {"Tokyo", "Tokyo", "JP", "JPY", 35.6762, 139.6503, true},
    {"Riyadh", "Riyadh", "SA", "SAR", 24.7136, 46.6753, true},
    {"Seoul", "Seoul", "KR", "KRW", 37.5665, 126.9780, true},
    {"Sydney", "New South Wales", "AU", "AUD", -33.8688, 151.2093, false},
    {"Toronto", "Ontario", "CA", "CAD", 43.6532, -79.3832, false},
    {"London", "England", "GB", "GBP", 51.5074, -0.1278, false},
    {"Rome", "Lazio", "IT", "EUR", 41.9028, 12.4964, false},
}};

constexpr std::array<std::string_view, 40> kFirstNames = {
    "Juan",    "Maria",   "Jose",      "Ana",      "Mark",     "Angel",  "John Paul", "Kristine",
    "Michael", "Jasmine", "Christian", "Princess", "Joshua",   "Nicole", "Carlo",     "Andrea",
    "Rafael",  "Camille", "Miguel",    "Patricia", "Gabriel",  "Bea",    "Paolo",     "Jessa",
    "Ramon",   "Liza",    "Antonio",   "Rosario",  "Emmanuel", "Grace",  "Danilo",    "Marites",
    "Rodel",   "Analyn",  "Jomar",     "Mylene",   "Noel",     "Divina", "Arnel",     "Sheila",
};

constexpr std::array<std::string_view, 40> kSurnames = {
    "Dela Cruz", "Santos",      "Reyes",      "Garcia",     "Bautista",    "Mendoza",  "Ocampo",
    "Castillo",  "Ramos",       "Aquino",     "Villanueva", "Cruz",        "Gonzales", "Flores",
    "Torres",    "Rivera",      "Navarro",    "Salazar",    "Aguilar",     "Domingo",  "Pascual",
    "Soriano",   "Del Rosario", "Fernandez",  "Lopez",      "Tolentino",   "Manalo",   "Mercado",
    "Dizon",     "Gutierrez",   "Santiago",   "Valdez",     "Evangelista", "Lim",      "Tan",
    "Sy",        "Macaraeg",    "Pangilinan", "Magbanua",   "Panganiban",
};

using C = Category;
constexpr std::array<Brand, 56> kBrands = {{
    {"Jollibee", C::kFood, false},
    {"McDonald's", C::kFood, false},
    {"Chowking", C::kFood, false},
    {"Mang Inasal", C::kFood, false},
    {"Greenwich", C::kFood, false},
    {"Red Ribbon", C::kFood, false},
    {"Max's Restaurant", C::kFood, false},
    {"Goldilocks", C::kFood, false},
    {"Starbucks", C::kFood, false},
    {"Shakey's", C::kFood, false},
    {"Foodpanda", C::kFood, true},
    {"SM Supermarket", C::kGroceries, false},
    {"Puregold", C::kGroceries, false},
    {"Robinsons Supermarket", C::kGroceries, false},
    {"Savemore", C::kGroceries, false},
    {"Waltermart", C::kGroceries, false},
    {"Metro Supermarket", C::kGroceries, false},
    {"Grab", C::kTransport, true},
    {"Angkas", C::kTransport, true},
    {"JoyRide", C::kTransport, true},
    {"Petron", C::kTransport, false},
    {"Shell", C::kTransport, false},
    {"Cebu Pacific", C::kTransport, true},
    {"Philippine Airlines", C::kTransport, true},
    {"Meralco", C::kBills, true},
    {"Manila Water", C::kBills, true},
    {"Maynilad", C::kBills, true},
    {"PLDT", C::kBills, true},
    {"Globe", C::kBills, true},
    {"Smart", C::kBills, true},
    {"Converge ICT", C::kBills, true},
    {"Visayan Electric", C::kBills, true},
    {"Davao Light", C::kBills, true},
    {"PhilHealth", C::kBills, true},
    {"Shopee", C::kShopping, true},
    {"Lazada", C::kShopping, true},
    {"SM Store", C::kShopping, false},
    {"Robinsons Department Store", C::kShopping, false},
    {"Uniqlo", C::kShopping, false},
    {"National Book Store", C::kShopping, false},
    {"Abenson", C::kShopping, false},
    {"SM Cinema", C::kEntertainment, false},
    {"Ayala Malls Cinemas", C::kEntertainment, false},
    {"Timezone", C::kEntertainment, false},
    {"Netflix", C::kEntertainment, true},
    {"Spotify", C::kEntertainment, true},
    {"Mercury Drug", C::kHealth, false},
    {"Watsons", C::kHealth, false},
    {"The Generics Pharmacy", C::kHealth, false},
    {"Southstar Drug", C::kHealth, false},
    {"Palawan Pawnshop", C::kCash, false},
    {"Cebuana Lhuillier", C::kCash, false},
    {"M Lhuillier", C::kCash, false},
    {"7-Eleven", C::kCash, false},
    {"Villarica Pawnshop", C::kCash, false},
    {"Bayad Center", C::kCash, false},
}};

// The FX table of the ph-ewallet rule pack (PHP per one major unit, scaled to centavos
// per minor unit times 1e6). Kept identical so generated amounts fall on the intended
// side of every PHP threshold.
constexpr std::array<Fx, 12> kFx = {{
    {"PHP", 2, 1'000'000},
    {"USD", 2, 58'000'000},
    {"EUR", 2, 63'000'000},
    {"GBP", 2, 74'000'000},
    {"JPY", 0, 39'000'000},
    {"SGD", 2, 43'500'000},
    {"HKD", 2, 7'450'000},
    {"AED", 2, 15'800'000},
    {"SAR", 2, 15'450'000},
    {"KRW", 0, 4'200'000},
    {"AUD", 2, 38'000'000},
    {"CAD", 2, 42'000'000},
}};

constexpr std::array<std::string_view, kCategoryCount> kCategoryNames = {
    "Food", "Groceries", "Transport", "Bills", "Shopping", "Entertainment", "Health", "Cash",
};

}  // namespace

std::string_view category_name(Category c) { return kCategoryNames[static_cast<size_t>(c)]; }

std::span<const City> ph_cities() { return kCities; }
std::span<const ForeignCity> foreign_cities() { return kForeign; }
std::span<const std::string_view> first_names() { return kFirstNames; }
std::span<const std::string_view> surnames() { return kSurnames; }
std::span<const Brand> brands() { return kBrands; }
std::span<const Fx> fx_table() { return kFx; }

const Fx& fx_for(std::string_view currency) {
  for (const Fx& fx : kFx) {
    if (fx.currency == currency) return fx;
  }
  return kFx[0];
}

int64_t to_php_centavos(int64_t minor, const Fx& fx) {
  // minor * ratio stays far below 2^63 for any amount the generator writes.
  __int128 scaled = static_cast<__int128>(minor) * fx.micro_ratio;
  __int128 q = scaled / 1'000'000;
  __int128 r = scaled % 1'000'000;
  if (r * 2 >= 1'000'000) ++q;
  if (r * 2 <= -1'000'000) --q;
  return static_cast<int64_t>(q);
}

}  // namespace wf::gen::internal
