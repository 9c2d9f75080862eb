#include "gen/paysim.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "codec/paysim.h"

namespace wf::gen {
namespace {

struct Rows {
  std::string text;
  std::vector<Label> labels;
  std::vector<int> baseline;
};

Rows generate(uint64_t seed, int64_t count) {
  PaysimOptions o;
  o.count = count;
  o.seed = seed;
  o.accounts = 20'000;
  PaysimGenerator g(o);
  Rows r;
  Label label;
  int baseline = 0;
  while (g.next(&r.text, &label, &baseline)) {
    r.labels.push_back(label);
    r.baseline.push_back(baseline);
  }
  return r;
}

TEST(PaysimGenerator, DeterministicPerSeed) {
  EXPECT_EQ(generate(3, 20'000).text, generate(3, 20'000).text);
  EXPECT_NE(generate(3, 20'000).text, generate(4, 20'000).text);
}

TEST(PaysimGenerator, ThePublishedShape) {
  const int64_t n = 300'000;
  Rows r = generate(1, n);
  ASSERT_EQ(static_cast<int64_t>(r.labels.size()), n);
  codec::PaysimDecoder d(0, *Currency::from_code("USD"));
  std::map<domain::TxType, int64_t> types;
  std::map<std::string, int64_t> patterns;
  std::set<std::string> ids;
  int64_t fraud = 0, last_step = -1, flagged_large = 0;
  size_t at = 0;
  for (size_t i = 0; i < r.labels.size(); ++i) {
    const size_t nl = r.text.find('\n', at);
    const std::string_view row(r.text.data() + at, nl - at);
    at = nl + 1;
    domain::Transaction tx;
    codec::RowTruth truth;
    ASSERT_TRUE(d.decode(row, &tx, &truth).ok()) << row;
    ++types[tx.type];
    EXPECT_EQ(tx.transaction_id, r.labels[i].transaction_id);  // labels name the row's id
    ids.insert(r.labels[i].transaction_id);
    EXPECT_EQ(truth.is_fraud, r.labels[i].is_fraud);
    EXPECT_EQ(truth.baseline, r.baseline[i]);
    // PaySim's own detector: transfers above 200,000.
    EXPECT_EQ(truth.baseline == 1,
              tx.type == domain::TxType::kTransfer && tx.amount.minor > 200'000'00);
    flagged_large += truth.baseline == 1;
    const int64_t step = (tx.event_ts) / kMicrosPerHour;
    EXPECT_GE(step, last_step);  // rows in step order
    last_step = step;
    if (truth.is_fraud) {
      ++fraud;
      ++patterns[r.labels[i].pattern];
      EXPECT_TRUE(tx.type == domain::TxType::kTransfer || tx.type == domain::TxType::kCashOut);
    } else {
      EXPECT_TRUE(r.labels[i].pattern.empty());
    }
    if (!truth.is_fraud &&
        (tx.type == domain::TxType::kTransfer || tx.type == domain::TxType::kCashOut)) {
      // Ordinary money movements never drain an account.
      EXPECT_LT(tx.amount.minor, tx.orig_balance_before) << row;
    }
  }
  EXPECT_EQ(static_cast<int64_t>(ids.size()), n);  // every row its own id
  EXPECT_NEAR(double(fraud) / double(n), 0.0013, 0.0004);
  for (const char* p : {"P001", "P002", "P003", "P004", "P005"}) EXPECT_GT(patterns[p], 5) << p;
  EXPECT_NEAR(double(types[domain::TxType::kCashOut]) / double(n), 0.35, 0.02);
  EXPECT_NEAR(double(types[domain::TxType::kPayment]) / double(n), 0.34, 0.02);
  EXPECT_NEAR(double(types[domain::TxType::kCashIn]) / double(n), 0.22, 0.02);
  EXPECT_NEAR(double(types[domain::TxType::kTransfer]) / double(n), 0.08, 0.015);
  EXPECT_GT(types[domain::TxType::kDebit], 0);
  EXPECT_EQ(last_step, 742);
  EXPECT_GT(flagged_large, 0);
}

}  // namespace
}  // namespace wf::gen
