// Malformed lines: each has exactly one defect, and the code the generator counts for
// it is the one an independent validator assigns.
#include <gtest/gtest.h>

#include <set>

#include "core/money.h"
#include "core/result.h"
#include "domain/transaction.h"
#include "gen/ph_ewallet.h"
#include "gen_support.h"
#include "sample.h"

namespace wf::gen {
namespace {

// Every defect a line has, by dead-letter code (SPEC section 4).
std::set<Errc> defects(std::string_view line) {
  std::set<Errc> found;
  if (line.size() > 65'536) found.insert(Errc::kOversized);
  static simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::object doc;
  if (parser.parse(padded).get_object().get(doc) != simdjson::SUCCESS) {
    found.insert(Errc::kMalformedJson);
    return found;
  }
  for (const char* key :
       {"transaction_id", "event_timestamp", "user_id", "transaction_type", "amount", "currency"}) {
    if (doc[key].error() == simdjson::NO_SUCH_FIELD) found.insert(Errc::kMissingField);
  }
  std::string_view text;
  domain::TxType type;
  if (doc["user_id"].error() == simdjson::SUCCESS && !doc["user_id"].is_string()) {
    found.insert(Errc::kBadType);
  }
  if (doc["transaction_type"].get_string().get(text) == simdjson::SUCCESS &&
      !domain::parse_tx_type(text, &type)) {
    found.insert(Errc::kBadType);
  }
  if (doc["event_timestamp"].get_string().get(text) == simdjson::SUCCESS &&
      !parse_rfc3339(text).ok()) {
    found.insert(Errc::kBadTimestamp);
  }
  int exponent = 2;
  if (doc["currency"].get_string().get(text) == simdjson::SUCCESS) {
    auto currency = Currency::from_code(text);
    if (currency.ok()) {
      exponent = currency->exponent();
    } else {
      found.insert(Errc::kUnknownCurrency);
    }
  }
  if (doc["amount"].error() == simdjson::SUCCESS) {
    std::string raw = testing::raw_value(line, "amount");
    if (!raw.empty() && raw[0] == '"') raw = raw.substr(1, raw.size() - 2);
    auto minor = parse_minor_units(raw, exponent);
    if (!minor.ok() || *minor <= 0) found.insert(Errc::kBadAmount);
  }
  return found;
}

TEST(BadLines, ExactlyOneDefectWithTheCountedCode) {
  StreamOptions o = testing::stream_options(21);
  o.bad_rate = 0.05;
  StreamGenerator gen(testing::dims(), o);
  BadLineCounts seen;
  std::string line;
  Label label;
  constexpr int kLines = 40'000;
  for (int i = 0; i < kLines; ++i) {
    line.clear();
    label.pattern = "sentinel";
    const bool ok = gen.next(&line, &label);
    ASSERT_EQ(line.find('\n'), line.size() - 1) << "one line, newline only at the end";
    const std::set<Errc> found = defects(std::string_view(line).substr(0, line.size() - 1));
    if (ok) {
      ASSERT_TRUE(found.empty()) << line;
      continue;
    }
    EXPECT_EQ(label.pattern, "sentinel") << "malformed lines have no label";
    ASSERT_EQ(found.size(), 1u) << line.substr(0, 300);
    ++seen.by_code[static_cast<size_t>(*found.begin())];
    ++seen.total;
  }
  EXPECT_EQ(seen.by_code, gen.bad_lines().by_code);
  EXPECT_EQ(seen.total, gen.bad_lines().total);
  EXPECT_EQ(seen.total + gen.events(), kLines);
  EXPECT_NEAR(seen.total / double(kLines), 0.05, 0.006);
  for (Errc code : {Errc::kMalformedJson, Errc::kMissingField, Errc::kBadTimestamp,
                    Errc::kBadAmount, Errc::kUnknownCurrency, Errc::kBadType, Errc::kOversized}) {
    EXPECT_GT(seen.by_code[static_cast<size_t>(code)], 20) << errc_name(code);
  }
}

TEST(BadLines, NoneByDefault) {
  StreamGenerator gen(testing::dims(), testing::stream_options(22));
  std::string line;
  Label label;
  for (int i = 0; i < 5'000; ++i) ASSERT_TRUE(gen.next(&line, &label));
  EXPECT_EQ(gen.bad_lines().total, 0);
}

}  // namespace
}  // namespace wf::gen
