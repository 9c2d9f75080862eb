// Dimension rows: users, merchants and products as stored in dim_users, dim_merchants
// and dim_products.
#pragma once

#include <cstdint>
#include <string>

#include "core/time.h"

namespace wf::domain {

struct User {
  std::string user_id;
  std::string phone_hash;  // HMAC-SHA256 hex of the phone number; never the number
  std::string full_name;
  std::string home_province;
  std::string home_city;
  int kyc_level = 1;                      // 0 unverified .. 3 fully verified
  std::string account_status = "ACTIVE";  // ACTIVE, SUSPENDED, CLOSED
  Instant created_at = 0;
  Instant last_txn_at = 0;  // 0 when the user never transacted
  // Home coordinates (the home city's), for the rules' `home_location`; none when unknown.
  bool has_home = false;
  double home_lat = 0;
  double home_lon = 0;
};

struct Merchant {
  std::string merchant_id;
  std::string merchant_name;
  std::string category;
  std::string province;
  bool is_partner = false;
  int risk_score = 0;  // 0 (trusted) .. 100
};

// A product an e-commerce order refers to (seed 004): price and unit cost of goods in
// minor units of `currency`.
struct Product {
  std::string product_id;
  std::string product_name;
  std::string category;
  std::string sub_category;
  std::string currency = "IDR";
  int64_t price_minor = 0;
  int64_t cost_minor = 0;
  Instant created_at = 0;
};

}  // namespace wf::domain
