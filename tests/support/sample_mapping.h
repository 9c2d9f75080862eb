// The CSV mapping the codec tests and the rows fuzz target read rows with: ';'-separated,
// a day-first time at +08:00, amounts in minor units, a type map and a label column.
#pragma once

namespace wf::testing {

inline constexpr const char* kSemicolonMapping = R"(
[csv]
delimiter = ";"
[columns]
transaction_id = "id"
event_timestamp = "created"
user_id = "customer"
amount = "amount_cents"
transaction_type = "kind"
city = "city"
lat = "lat"
lon = "lon"
[time]
format = "%d/%m/%Y %H:%M:%S"
utc_offset = "+08:00"
[amount]
unit = "minor"
currency = "PHP"
[types]
"P2P" = "transfer"
default = "payment"
[labels]
column = "chargeback"
fraud_values = ["yes"]
)";

}  // namespace wf::testing
