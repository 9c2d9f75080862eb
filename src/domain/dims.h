// Dimension rows: users and merchants as stored in dim_users / dim_merchants.
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
};

struct Merchant {
  std::string merchant_id;
  std::string merchant_name;
  std::string category;
  std::string province;
  bool is_partner = false;
  int risk_score = 0;  // 0 (trusted) .. 100
};

}  // namespace wf::domain
