#include "gen/ecommerce.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "codec/event_decoder.h"

namespace wf::gen {
namespace {

EcommerceDims small_shop(uint64_t seed = 0) {
  EcommerceSeedOptions o;
  o.users = 5'000;
  o.products = 500;
  o.seed = seed;
  o.now = *parse_rfc3339("2026-01-01T00:00:00Z");
  return seed_ecommerce(o);
}

std::string orders(const EcommerceDims& dims, uint64_t seed, int64_t count,
                   std::vector<Label>* labels = nullptr) {
  OrderOptions o;
  o.count = count;
  o.seed = seed;
  o.start = *parse_rfc3339("2026-01-01T00:00:00+07:00");
  OrderGenerator g(dims, o);
  std::string out;
  Label label;
  while (g.next(&out, &label)) {
    if (labels != nullptr) labels->push_back(label);
  }
  return out;
}

TEST(EcommerceSeed, UsersAndProductsAreDeterministicWithNumberedIdsAndPricedGoods) {
  const EcommerceDims a = small_shop(1), b = small_shop(1);
  ASSERT_EQ(a.users.size(), 5'000u);
  ASSERT_EQ(a.products.size(), 500u);
  EXPECT_EQ(a.users[0].user_id, "EC0000001");
  EXPECT_EQ(a.users[4'999].user_id, "EC0005000");
  EXPECT_EQ(a.products[0].product_id, "P000001");
  std::set<std::string> categories;
  for (size_t i = 0; i < a.products.size(); ++i) {
    const domain::Product& p = a.products[i];
    EXPECT_EQ(p.product_name, b.products[i].product_name);
    EXPECT_EQ(p.price_minor, b.products[i].price_minor);
    EXPECT_EQ(p.currency, "IDR");
    EXPECT_FALSE(p.sub_category.empty());
    EXPECT_GT(p.price_minor, 0);
    EXPECT_EQ(p.price_minor % 100, 0) << "whole rupiah";
    EXPECT_GT(p.cost_minor, 0);
    EXPECT_LT(p.cost_minor, p.price_minor) << "sold at a margin";
    EXPECT_LT(p.created_at, *parse_rfc3339("2026-01-01T00:00:00Z"));
    categories.insert(p.category);
  }
  EXPECT_GE(categories.size(), 8u);
  EXPECT_NE(small_shop(2).products[7].product_name, a.products[7].product_name);
  EXPECT_EQ(ecommerce_phone_for("EC0000001").rfind("+628", 0), 0u);
  EXPECT_EQ(ecommerce_phone_for("EC0000001"), ecommerce_phone_for("EC0000001"));
}

TEST(OrderGenerator, DeterministicPerSeed) {
  const EcommerceDims dims = small_shop();
  EXPECT_EQ(orders(dims, 2, 5'000), orders(dims, 2, 5'000));
  EXPECT_NE(orders(dims, 2, 5'000), orders(dims, 3, 5'000));
}

// Every order decodes as an order (no currency or type in it: the pack's), carries seed
// 004's fields, costs the product's price times the quantity, and every pattern is
// injected where its rule looks: abroad, at night (UTC+7), runs of one user's product,
// of sequential user ids, of several users with one product and quantity.
TEST(OrderGenerator, OrdersFollowSeed004AndEveryPatternIsInjected) {
  const EcommerceDims dims = small_shop();
  std::map<std::string, const domain::Product*> products;
  for (const domain::Product& p : dims.products) products[p.product_id] = &p;
  std::vector<Label> labels;
  const std::string text = orders(dims, 1, 100'000, &labels);
  ASSERT_EQ(labels.size(), 100'000u);
  codec::EventDecoder decoder;
  decoder.set_order_currency(*Currency::from_code("IDR"));
  std::map<std::string, int64_t> patterns;
  std::set<std::string> ids;
  int64_t fraud = 0, night = 0, honest_bulk = 0;
  Instant last = 0;
  std::string previous_user, previous_product;
  size_t at = 0;
  for (const Label& l : labels) {
    const size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl - at);
    at = nl + 1;
    EXPECT_NE(line.find("\"status\":\"Pending\""), std::string::npos) << line;
    EXPECT_NE(line.find("+07:00\""), std::string::npos) << line;
    const size_t size = line.size();
    line.append(codec::kDecodePadding, ' ');
    domain::Transaction tx;
    Status s = decoder.decode(std::string_view(line.data(), size), &tx);
    ASSERT_TRUE(s.ok()) << s.error().message << ": " << line;
    EXPECT_EQ(tx.transaction_id, l.transaction_id);
    EXPECT_EQ(tx.type, domain::TxType::kOrder);
    EXPECT_EQ(tx.amount.currency.code(), "IDR");
    ASSERT_TRUE(products.count(std::string(tx.product_id))) << line;
    EXPECT_EQ(tx.amount.minor, products[std::string(tx.product_id)]->price_minor * tx.quantity);
    ids.insert(l.transaction_id);
    EXPECT_GE(tx.event_ts, last) << line;
    last = tx.event_ts;
    const int hour = local_hour(tx.event_ts, kEcommerceUtcOffsetMinutes);
    night += hour < 4;
    if (!l.is_fraud) {
      EXPECT_TRUE(l.pattern.empty());
      EXPECT_EQ(tx.country, "ID") << line;
      if (tx.quantity > 100) {
        ++honest_bulk;
        EXPECT_GE(hour, 4) << "bulk orders at night are the E2 pattern: " << line;
      }
      continue;
    }
    ++fraud;
    ++patterns[l.pattern];
    if (l.pattern == "E1") {
      EXPECT_NE(tx.country, "ID") << line;
    }
    if (l.pattern == "E2") {
      EXPECT_GT(tx.quantity, 100) << line;
      EXPECT_LT(hour, 4) << line;
    }
    if (l.pattern == "E3") {
      EXPECT_GT(tx.amount.minor, 100'000'000LL * 100) << line;
      EXPECT_LE(tx.quantity, 100) << line;
      EXPECT_LT(hour, 4) << line;
    }
  }
  EXPECT_EQ(ids.size(), labels.size());
  EXPECT_NEAR(double(fraud) / 100'000.0, 0.01, 0.003);
  for (const char* p : {"E1", "E2", "E3", "E4", "E5", "E6"}) EXPECT_GT(patterns[p], 40) << p;
  EXPECT_GT(honest_bulk, 0) << "look-alike bulk orders by day";
  // The shop's day: the four night hours hold far fewer than 4/24 of the orders.
  EXPECT_LT(double(night) / 100'000.0, 0.06);
  EXPECT_GT(night, 0);
}

// E5's orders walk user ids one by one with one product and quantity, each within a
// minute of the last: what sequential_run(by: [product_id, quantity], id: user_id,
// within: 1m) counts. (An honest order of the same product and quantity may fall in
// between and break a run, rarely.)
TEST(OrderGenerator, SequentialRunsUseConsecutiveUserIds) {
  const EcommerceDims dims = small_shop();
  std::vector<Label> labels;
  const std::string text = orders(dims, 4, 50'000, &labels);
  codec::EventDecoder decoder;
  decoder.set_order_currency(*Currency::from_code("IDR"));
  struct Last {
    int64_t user = -1;
    Instant ts = 0;
  };
  std::map<std::pair<std::string, int64_t>, Last> last;
  int64_t e5 = 0, broken = 0;
  size_t at = 0;
  for (const Label& l : labels) {
    const size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl - at);
    at = nl + 1;
    const size_t size = line.size();
    line.append(codec::kDecodePadding, ' ');
    domain::Transaction tx;
    ASSERT_TRUE(decoder.decode(std::string_view(line.data(), size), &tx).ok());
    const int64_t user = std::stoll(std::string(tx.user_id.substr(2)));
    Last& prev = last[{std::string(tx.product_id), tx.quantity}];
    if (l.pattern == "E5") {
      ++e5;
      broken += user != prev.user + 1 || tx.event_ts - prev.ts > kMicrosPerMinute;
    }
    prev = {user, tx.event_ts};
  }
  EXPECT_GT(e5, 20);
  EXPECT_LE(broken * 20, e5) << broken << " of " << e5;
}

}  // namespace
}  // namespace wf::gen
