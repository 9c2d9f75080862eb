#include "codec/csv_mapping.h"

#include <charconv>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "core/file.h"
#include "core/hash.h"
#include "core/money.h"
#include "core/time.h"
#include "core/toml_file.h"

namespace wf::codec {
namespace {

const std::set<std::string, std::less<>> kFields(std::begin(domain::kEventFields),
                                                 std::end(domain::kEventFields));

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

bool split_csv(std::string_view line, char delimiter, std::vector<std::string_view>* fields,
               std::deque<std::string>* scratch) {
  fields->clear();
  size_t quoted = 0;
  size_t i = 0;
  for (;;) {
    if (i < line.size() && line[i] == '"') {
      if (scratch->size() <= quoted) scratch->emplace_back();
      std::string& s = (*scratch)[quoted++];
      s.clear();
      ++i;
      for (;;) {
        if (i >= line.size()) return false;  // unterminated
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            s.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        s.push_back(line[i++]);
      }
      fields->push_back(s);
      while (i < line.size() && line[i] != delimiter) ++i;  // stray text after the quote
    } else {
      const size_t end = line.find(delimiter, i);
      fields->push_back(trim(line.substr(i, end == std::string_view::npos ? end : end - i)));
      i = end == std::string_view::npos ? line.size() : end;
    }
    if (i >= line.size()) return true;
    ++i;                     // the delimiter
    if (i == line.size()) {  // a trailing delimiter: one more empty field
      fields->push_back({});
      return true;
    }
  }
}

Result<CsvMapping> CsvMapping::load_file(const std::string& path) {
  auto text = read_file(path, "mapping file");
  if (!text.ok()) return text.take_error();
  return parse(*text, path);
}

Result<CsvMapping> CsvMapping::parse(std::string_view toml_text, const std::string& origin) {
  auto doc = parse_toml(toml_text, origin);
  if (!doc.ok()) return doc.take_error();
  TomlProblems problems(origin);
  CsvMapping m;
  const toml::table& t = *doc;
  auto string_at = [&](const toml::node* n, std::string* out) {
    if (n == nullptr) return;
    if (auto s = n->value<std::string>()) {
      *out = *s;
    } else {
      problems.add(n, "must be a string");
    }
  };
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k != "csv" && k != "columns" && k != "time" && k != "amount" && k != "types" &&
        k != "labels" && k != "rules") {
      problems.add(&node, "unknown table [" + k + "]");
    }
  }
  if (const auto* csv = t["csv"].as_table()) {
    std::string d;
    string_at(csv->get("delimiter"), &d);
    if (csv->get("delimiter") != nullptr) {
      if (d == "\\t" || d == "\t") d = "\t";
      if (d.size() != 1 || d == "\"") {
        problems.add(csv->get("delimiter"), "delimiter is one character (not a quote)");
      } else {
        m.delimiter = d[0];
      }
    }
  }
  if (const auto* cols = t["columns"].as_table()) {
    for (const auto& [key, node] : *cols) {
      const std::string field(key.str());
      if (kFields.count(field) == 0) {
        problems.add(&node, "'" + field + "' is not a SPEC field");
        continue;
      }
      std::string name;
      string_at(&node, &name);
      if (!name.empty()) m.columns[field] = name;
    }
  } else {
    problems.add(&t, "a [columns] table is required");
  }
  for (const char* required : {"event_timestamp", "user_id", "amount"}) {
    if (m.columns.count(required) == 0 && t["columns"].as_table() != nullptr) {
      problems.add(t["columns"].node(), std::string("[columns] needs ") + required);
    }
  }
  if (const auto* time = t["time"].as_table()) {
    std::string format = "rfc3339";
    string_at(time->get("format"), &format);
    if (format == "rfc3339") {
      m.time = Time::kRfc3339;
    } else if (format == "epoch_s") {
      m.time = Time::kEpochS;
    } else if (format == "epoch_ms") {
      m.time = Time::kEpochMs;
    } else if (format == "epoch_us") {
      m.time = Time::kEpochUs;
    } else if (format.find('%') != std::string::npos) {
      m.time = Time::kLayout;
      m.layout = format;
    } else {
      problems.add(time->get("format"),
                   "format is rfc3339, epoch_s, epoch_ms, epoch_us or a strptime layout");
    }
    std::string offset;
    string_at(time->get("utc_offset"), &offset);
    if (!offset.empty()) {
      auto minutes = parse_utc_offset(offset);
      if (!minutes.ok()) {
        problems.add(time->get("utc_offset"), "utc_offset is like \"+08:00\"");
      } else {
        m.utc_offset_minutes = *minutes;
      }
    }
  }
  if (const auto* amount = t["amount"].as_table()) {
    std::string unit = "major";
    string_at(amount->get("unit"), &unit);
    if (unit != "major" && unit != "minor") {
      problems.add(amount->get("unit"), "unit is major (1500.50) or minor (150050)");
    }
    m.amount_minor = unit == "minor";
    string_at(amount->get("currency"), &m.currency);
    if (!m.currency.empty() && !Currency::from_code(m.currency).ok()) {
      problems.add(amount->get("currency"), "unknown currency '" + m.currency + "'");
    }
  }
  if (m.currency.empty() && m.columns.count("currency") == 0) {
    problems.add(&t, "give [amount] currency or a currency column");
  }
  if (const auto* types = t["types"].as_table()) {
    for (const auto& [key, node] : *types) {
      std::string to;
      string_at(&node, &to);
      domain::TxType type;
      if (!to.empty() && !domain::parse_tx_type(to, &type)) {
        problems.add(&node, "'" + to + "' is not a SPEC transaction type");
      }
      if (key.str() == "default") {
        m.default_type = to;
      } else {
        m.types[std::string(key.str())] = to;
      }
    }
  }
  if (m.columns.count("transaction_type") == 0 && m.default_type.empty()) {
    problems.add(&t, "give a transaction_type column or [types] default");
  }
  if (const auto* labels = t["labels"].as_table()) {
    string_at(labels->get("column"), &m.label_column);
    if (const auto* values = labels->get("fraud_values")) {
      if (const auto* arr = values->as_array()) {
        m.fraud_values.clear();
        for (const auto& v : *arr) {
          if (auto s = v.value<std::string>()) {
            m.fraud_values.push_back(*s);
          } else {
            problems.add(&v, "fraud_values are strings");
          }
        }
      } else {
        problems.add(values, "fraud_values is an array of strings");
      }
    }
  }
  if (const auto* rules = t["rules"].as_table()) {
    string_at(rules->get("profile"), &m.profile);
    string_at(rules->get("file"), &m.rules_file);
  }
  if (!problems.empty()) return problems.error();
  return m;
}

Result<std::unique_ptr<CsvDecoder>> CsvDecoder::create(const CsvMapping& mapping,
                                                       std::string_view header) {
  std::unique_ptr<CsvDecoder> d(new CsvDecoder());
  d->m_ = mapping;
  while (!header.empty() && (header.back() == '\r' || header.back() == '\n'))
    header.remove_suffix(1);
  if (header.starts_with("\xEF\xBB\xBF")) header.remove_prefix(3);  // a UTF-8 byte-order mark
  d->header_ = std::string(header);
  std::vector<std::string_view> names;
  std::deque<std::string> scratch;
  if (!split_csv(d->header_, mapping.delimiter, &names, &scratch)) {
    return make_error(Errc::kConfig, "the CSV header has an unterminated quote");
  }
  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < names.size(); ++i) by_name.emplace(std::string(names[i]), i);
  d->columns_ = names.size();
  std::string missing;
  for (const auto& [field, column] : mapping.columns) {
    auto it = by_name.find(column);
    if (it == by_name.end()) {
      missing += (missing.empty() ? "" : ", ") + column + " (" + field + ")";
    } else {
      d->index_[field] = it->second;
    }
  }
  if (!mapping.label_column.empty()) {
    auto it = by_name.find(mapping.label_column);
    if (it == by_name.end()) {
      missing += (missing.empty() ? "" : ", ") + mapping.label_column + " (label)";
    } else {
      d->label_index_ = static_cast<long>(it->second);
    }
  }
  if (!missing.empty()) {
    return make_error(Errc::kConfig, "the CSV header has no column " + missing);
  }
  return d;
}

bool CsvDecoder::is_header(std::string_view line) const {
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
  return line == header_;
}

Status CsvDecoder::decode(std::string_view row, domain::Transaction* out, RowTruth* truth) {
  while (!row.empty() && (row.back() == '\r' || row.back() == '\n')) row.remove_suffix(1);
  if (!split_csv(row, m_.delimiter, &fields_, &unquoted_)) {
    return make_error(Errc::kMalformedJson, "unterminated quote");
  }
  if (fields_.size() != columns_) {
    return make_error(Errc::kMissingField, "the row has " + std::to_string(fields_.size()) +
                                               " fields; the header " + std::to_string(columns_));
  }
  *out = domain::Transaction{};
  auto field = [&](const char* name) -> std::string_view {
    auto it = index_.find(name);
    return it == index_.end() ? std::string_view() : fields_[it->second];
  };
  // Time.
  const std::string_view ts = field("event_timestamp");
  if (ts.empty()) return make_error(Errc::kMissingField, "event_timestamp is empty");
  if (m_.time == CsvMapping::Time::kRfc3339) {
    auto t = parse_rfc3339(ts);
    if (!t.ok()) return make_error(Errc::kBadTimestamp, "not an RFC 3339 time");
    out->event_ts = *t;
  } else if (m_.time == CsvMapping::Time::kLayout) {
    std::string text(ts);
    std::tm tm{};
    const char* end = strptime(text.c_str(), m_.layout.c_str(), &tm);
    if (end == nullptr || *end != '\0') {
      return make_error(Errc::kBadTimestamp, "the time does not match " + m_.layout);
    }
    // A %z in the layout gives the zone (tm_gmtoff, which timegm ignores); otherwise the
    // mapping's utc_offset.
    const int64_t offset_s = m_.layout.find("%z") != std::string::npos
                                 ? static_cast<int64_t>(tm.tm_gmtoff)
                                 : m_.utc_offset_minutes * 60LL;
    out->event_ts = (static_cast<int64_t>(timegm(&tm)) - offset_s) * kMicrosPerSecond;
  } else {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), v);
    // Bounded to years 1 .. 9999 in any unit, so the conversion cannot overflow.
    const int64_t limit = m_.time == CsvMapping::Time::kEpochS    ? 253'402'300'799LL
                          : m_.time == CsvMapping::Time::kEpochMs ? 253'402'300'799'999LL
                                                                  : 253'402'300'799'999'999LL;
    if (ec != std::errc() || p != ts.data() + ts.size() || v < 0 || v > limit) {
      return make_error(Errc::kBadTimestamp, "the epoch time is not a whole number in range");
    }
    out->event_ts = m_.time == CsvMapping::Time::kEpochS    ? v * kMicrosPerSecond
                    : m_.time == CsvMapping::Time::kEpochMs ? v * 1000
                                                            : v;
  }
  // Who and what.
  out->user_id = field("user_id");
  if (out->user_id.empty()) return make_error(Errc::kMissingField, "user_id is empty");
  std::string_view type = field("transaction_type");
  if (auto it = m_.types.find(std::string(type)); it != m_.types.end()) type = it->second;
  if (type.empty()) type = m_.default_type;
  if (!domain::parse_tx_type(type, &out->type)) {
    return make_error(Errc::kBadType,
                      "unknown transaction type '" + std::string(type.substr(0, 32)) + "'");
  }
  std::string_view code = field("currency");
  if (code.empty()) code = m_.currency;
  auto currency = Currency::from_code(code);
  if (!currency.ok()) return make_error(Errc::kUnknownCurrency, "unknown currency");
  const std::string_view amount = field("amount");
  int64_t minor = 0;
  if (m_.amount_minor) {
    auto [p, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), minor);
    if (ec != std::errc() || p != amount.data() + amount.size()) {
      return make_error(Errc::kBadAmount, "amount is not a whole number of minor units");
    }
  } else {
    auto v = parse_minor_units(amount, currency->exponent());
    if (!v.ok()) return make_error(Errc::kBadAmount, "amount is not a number");
    minor = *v;
  }
  if (minor <= 0) return make_error(Errc::kBadAmount, "amount must be positive");
  out->amount = Money{minor, *currency};
  out->status = domain::TxStatus::kSuccess;
  if (std::string_view s = field("status");
      !s.empty() && !domain::parse_tx_status(s, &out->status)) {
    return make_error(Errc::kBadType, "unknown status");
  }
  out->merchant_id = field("merchant_id");
  out->counterparty_id = field("counterparty_id");
  out->channel = field("channel");
  out->payment_method = field("payment_method");
  out->country = field("country");
  out->province = field("province");
  out->city = field("city");
  out->device_id = field("device_id");
  out->ip_address = field("ip_address");
  out->phone_number = field("phone_number");
  out->product_id = field("product_id");
  const std::string_view lat = field("lat"), lon = field("lon");
  if (!lat.empty() && !lon.empty()) {
    auto [p1, e1] = std::from_chars(lat.data(), lat.data() + lat.size(), out->lat);
    auto [p2, e2] = std::from_chars(lon.data(), lon.data() + lon.size(), out->lon);
    // Out-of-range coordinates stay as sent (the rules' valid_geo finds them).
    if (e1 != std::errc() || e2 != std::errc() || p1 != lat.data() + lat.size() ||
        p2 != lon.data() + lon.size()) {
      return make_error(Errc::kMalformedJson, "lat and lon are numbers");
    }
    out->has_location = true;
  }
  // PaySim-style balances: all four, or none.
  static constexpr const char* kBalances[] = {"orig_balance_before", "orig_balance_after",
                                              "dest_balance_before", "dest_balance_after"};
  int64_t* balances[] = {&out->orig_balance_before, &out->orig_balance_after,
                         &out->dest_balance_before, &out->dest_balance_after};
  int present = 0;
  for (int i = 0; i < 4; ++i) {
    const std::string_view v = field(kBalances[i]);
    if (v.empty()) continue;
    auto b = m_.amount_minor ? parse_minor_units(v, 0) : parse_minor_units(v, currency->exponent());
    if (!b.ok())
      return make_error(Errc::kBadAmount, std::string(kBalances[i]) + " is not a number");
    *balances[i] = *b;
    ++present;
  }
  out->has_balances = present == 4;
  if (std::string_view q = field("quantity"); !q.empty()) {
    auto [p, ec] = std::from_chars(q.data(), q.data() + q.size(), out->quantity);
    if (ec != std::errc() || p != q.data() + q.size() || out->quantity < 0) {
      return make_error(Errc::kMalformedJson, "quantity is a whole number");
    }
  }
  // The id: the mapped column, or a hash of the row.
  out->transaction_id = field("transaction_id");
  if (out->transaction_id.empty()) out->transaction_id = hashed_row_id("csv-", row, id_);
  if (truth != nullptr) {
    *truth = RowTruth{};
    if (label_index_ >= 0) {
      const std::string_view v = fields_[static_cast<size_t>(label_index_)];
      truth->labelled = true;
      for (const std::string& f : m_.fraud_values) truth->is_fraud |= v == f;
    }
  }
  return Status::Ok();
}

}  // namespace wf::codec
