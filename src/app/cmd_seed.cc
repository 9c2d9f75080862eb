// walletflow seed: writes a profile's dimension tables (users, merchants) to a store.
#include <cstdio>

#include "app/commands.h"
#include "app/common.h"
#include "app/dims.h"
#include "gen/card.h"
#include "gen/paysim.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow seed --store URI [--profile ph-ewallet|card|ecommerce|paysim] [options]\n"
    "\n"
    "ph-ewallet writes dim_users and dim_merchants: Filipino names, home provinces and\n"
    "cities with real coordinates, KYC levels, account status, last activity (some users\n"
    "dormant for more than 180 days); merchants with category, province, partner flag and\n"
    "risk score.\n"
    "ecommerce (seed 004's batch loads) writes dim_users (Indonesian shoppers) and\n"
    "dim_products (--merchants is the number of products): category, sub-category, IDR\n"
    "price and cost of goods. 'generate --profile ecommerce --store' orders from them.\n"
    "card writes the card customers (dim_users, with the home city and its coordinates\n"
    "the card pack measures distance from; --users, default 20000) and merchants\n"
    "(default 2000) that 'generate --profile card' with the same --users, --merchants\n"
    "and --seed pays with.\n"
    "paysim writes PaySim's customer accounts (default 100000) and merchant accounts\n"
    "(default 20000), as 'generate --profile paysim' with the same options uses them.\n"
    "Loads are idempotent: rows are upserted on their ids, so a rerun changes nothing.\n"
    "Phone numbers are stored only as HMAC-SHA256 (needs the PII key).\n"
    "\n"
    "options:\n"
    "  --store URI          target store (required)\n"
    "  --profile NAME       ph-ewallet (default), card, ecommerce or paysim\n"
    "  --users N            users to write (default 10000; see above for the others)\n"
    "  --merchants N        merchants to write (default 500; ecommerce: products)\n"
    "  --seed S             random seed (default 0)\n"
    "  --now TIME           reference time, RFC 3339 (default: today 00:00 UTC)\n"
    "  --pii-key-file FILE  PII key file; or set WALLETFLOW_PII_KEY\n";

int seed_ecommerce(const Args& args) {
  auto options = ecommerce_seed_options_from(args, SystemClock().now());
  if (!options.ok()) return usage_error(args, options.error().message);
  auto pii = load_pii(args);
  if (!pii.ok()) return report(pii.error());
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  auto dims = seed_ecommerce_store(**store, *options, *pii);
  if (!dims.ok()) return report(dims.error());
  std::printf("seeded %zu users and %zu products\n", dims->users.size(), dims->products.size());
  return kExitOk;
}

// card and paysim: the generator's own customers and merchants.
int seed_accounts(const Args& args, const std::string& profile) {
  const bool card = profile == "card";
  gen::CardOptions c;
  gen::PaysimOptions p;
  auto users = args.get_int("users", card ? c.customers : p.accounts, card ? 10 : 100, 100'000'000);
  auto merchants = args.get_int("merchants", card ? c.merchants : p.merchants, 1, 100'000'000);
  auto seed = args.get_int("seed", 0, 0, INT64_MAX);
  for (const Error* e :
       {users.ok() ? nullptr : &users.error(), merchants.ok() ? nullptr : &merchants.error(),
        seed.ok() ? nullptr : &seed.error()}) {
    if (e != nullptr) return usage_error(args, e->message);
  }
  Instant now = SystemClock().now();
  now -= now % kMicrosPerDay;
  if (auto text = args.get("now")) {
    auto t = parse_rfc3339(*text);
    if (!t.ok()) return usage_error(args, "--now: " + t.error().message);
    now = *t;
  }
  std::vector<domain::User> accounts;
  std::vector<domain::Merchant> shops;
  if (card) {
    c.customers = *users;
    c.merchants = *merchants;
    c.seed = static_cast<uint64_t>(*seed);
    gen::CardDimensions d = gen::card_dimensions(c, now);
    accounts = std::move(d.customers);
    shops = std::move(d.merchants);
  } else {
    p.accounts = *users;
    p.merchants = *merchants;
    p.seed = static_cast<uint64_t>(*seed);
    gen::PaysimDimensions d = gen::paysim_dimensions(p);
    accounts = std::move(d.accounts);
    shops = std::move(d.merchants);
  }
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  if (Status s = (*store)->upsert_users(accounts); !s.ok()) return report(s.error());
  if (Status s = (*store)->upsert_merchants(shops); !s.ok()) return report(s.error());
  std::printf("seeded %zu users and %zu merchants\n", accounts.size(), shops.size());
  return kExitOk;
}

}  // namespace

int cmd_seed(int argc, char** argv) {
  Args args(kUsage);
  args.option("store").option("profile").option("users").option("merchants").option("seed");
  args.option("now").option("pii-key-file");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (!args.has("store")) return usage_error(args, "--store is required");
  const std::string profile = args.get_or("profile", "ph-ewallet");
  if (profile == "ecommerce") return seed_ecommerce(args);
  if (profile == "card" || profile == "paysim") return seed_accounts(args, profile);
  if (profile != "ph-ewallet") return usage_error(args, "unknown profile '" + profile + "'");
  auto options = seed_options_from(args, SystemClock().now());
  if (!options.ok()) return usage_error(args, options.error().message);
  auto pii = load_pii(args);
  if (!pii.ok()) return report(pii.error());
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  auto dims = seed_store(**store, *options, *pii);
  if (!dims.ok()) return report(dims.error());
  std::printf("seeded %zu users and %zu merchants\n", dims->users.size(), dims->merchants.size());
  return kExitOk;
}

}  // namespace wf::app
