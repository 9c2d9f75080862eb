// A team's own history as CSV (`process --format csv --mapping FILE`): a mapping file
// names, for a CSV with a header, which column is each SPEC section 3 field, how times
// and amounts are written, the values of its types, an optional label column (to the
// labels side channel only) and the rules to use. Example: docs/CSV_MAPPING.md.
//
//   [csv]        delimiter = ","
//   [columns]    transaction_id = "txn_id", event_timestamp = "created", user_id = "cust",
//                amount = "amt", currency = "ccy", transaction_type = "kind", ... (any
//                SPEC field; transaction_id optional: a hash of the row otherwise)
//   [time]       format = "rfc3339" | "epoch_s" | "epoch_ms" | "epoch_us" | a strptime
//                layout such as "%Y-%m-%d %H:%M:%S"; utc_offset = "+08:00" (for
//                layouts without a zone)
//   [amount]     unit = "major" | "minor"; currency = "USD" (without a currency column)
//   [types]      "P2P" = "transfer", ... (source value -> SPEC type); default = "payment"
//   [labels]     column = "is_fraud"; fraud_values = ["1", "true", "yes"]
//   [rules]      profile = "ph-ewallet" or file = "my-rules.toml"
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec/row_decoder.h"
#include "core/result.h"

namespace wf::codec {

struct CsvMapping {
  char delimiter = ',';
  std::map<std::string, std::string> columns;  // SPEC field -> header name
  enum class Time { kRfc3339, kEpochS, kEpochMs, kEpochUs, kLayout } time = Time::kRfc3339;
  std::string layout;
  int utc_offset_minutes = 0;
  bool amount_minor = false;
  std::string currency;  // when no currency column
  std::map<std::string, std::string> types;
  std::string default_type;
  std::string label_column;
  std::vector<std::string> fraud_values = {"1", "true", "TRUE", "True", "yes", "Y"};
  std::string profile;
  std::string rules_file;

  // Every problem as "origin:line:column: message" (kConfig).
  static Result<CsvMapping> parse(std::string_view toml_text, const std::string& origin);
  static Result<CsvMapping> load_file(const std::string& path);
};

class CsvDecoder final : public RowDecoder {
 public:
  // The header line names the columns; every mapped column must be in it.
  static Result<std::unique_ptr<CsvDecoder>> create(const CsvMapping& mapping,
                                                    std::string_view header);
  Status decode(std::string_view row, domain::Transaction* out, RowTruth* truth) override;
  // Whether `line` is the header this decoder was made from.
  bool is_header(std::string_view line) const;

 private:
  CsvDecoder() = default;
  CsvMapping m_;
  std::string header_;
  size_t columns_ = 0;
  std::map<std::string, size_t> index_;  // SPEC field -> column index
  long label_index_ = -1;
  std::vector<std::string_view> fields_;
  std::deque<std::string> unquoted_;  // quoted fields, unescaped (stable addresses)
  char id_[24];
};

// Splits one CSV line (RFC 4180 quoting) into fields; quoted fields are unescaped into
// `scratch`. False on an unterminated quote.
bool split_csv(std::string_view line, char delimiter, std::vector<std::string_view>* fields,
               std::deque<std::string>* scratch);

}  // namespace wf::codec
