#include "app/dims.h"

namespace wf::app {

namespace {

// --users, --merchants (the ecommerce profile's products), --seed and --now: the options
// every profile's seed shares, with the profile's defaults and limits.
struct SeedArgs {
  int64_t users = 0, merchants = 0;
  uint64_t seed = 0;
  Instant now = 0;
};
Result<SeedArgs> seed_args(const Args& args, Instant now, int64_t users, int64_t min_users,
                           int64_t merchants, int64_t max_merchants) {
  SeedArgs a;
  auto u = args.get_int("users", users, min_users, 50'000'000);
  if (!u.ok()) return u.take_error();
  auto m = args.get_int("merchants", merchants, 1, max_merchants);
  if (!m.ok()) return m.take_error();
  auto seed = args.get_int("seed", 0, 0, INT64_MAX);
  if (!seed.ok()) return seed.take_error();
  a.users = *u;
  a.merchants = *m;
  a.seed = static_cast<uint64_t>(*seed);
  a.now = now - now % kMicrosPerDay;
  if (auto text = args.get("now")) {
    auto t = parse_rfc3339(*text);
    if (!t.ok()) return make_error(Errc::kInvalidArgument, "--now: " + t.error().message);
    a.now = *t;
  }
  return a;
}

}  // namespace

Result<gen::SeedOptions> seed_options_from(const Args& args, Instant now) {
  gen::SeedOptions o;
  auto a = seed_args(args, now, o.users, 1, o.merchants, 1'000'000);
  if (!a.ok()) return a.take_error();
  o.users = a->users;
  o.merchants = a->merchants;
  o.seed = a->seed;
  o.now = a->now;
  return o;
}

Result<gen::Dimensions> seed_store(store::Store& store, const gen::SeedOptions& options,
                                   const pipeline::PiiProtector& pii) {
  gen::Dimensions dims = gen::seed_dimensions(options);
  for (domain::User& u : dims.users) {
    char h[pipeline::kHashHexChars];
    if (pii.hash_phone(gen::phone_number_for(u.user_id), h)) {
      u.phone_hash.assign(h, pipeline::kHashHexChars);
    }
  }
  WF_RETURN_IF_ERROR(store.upsert_users(dims.users));
  WF_RETURN_IF_ERROR(store.upsert_merchants(dims.merchants));
  return dims;
}

Result<gen::Dimensions> load_dimensions(store::Store& store) {
  gen::Dimensions dims;
  auto users = store.load_users();
  if (!users.ok()) return users.take_error();
  auto merchants = store.load_merchants();
  if (!merchants.ok()) return merchants.take_error();
  if (users->empty() || merchants->empty()) {
    return make_error(Errc::kNotFound,
                      "the store has no users or merchants: run 'walletflow seed' first");
  }
  dims.users = std::move(users).value();
  dims.merchants = std::move(merchants).value();
  return dims;
}

Result<gen::EcommerceSeedOptions> ecommerce_seed_options_from(const Args& args, Instant now) {
  gen::EcommerceSeedOptions o;
  auto a = seed_args(args, now, o.users, 10, o.products, 10'000'000);
  if (!a.ok()) return a.take_error();
  o.users = a->users;
  o.products = a->merchants;
  o.seed = a->seed;
  o.now = a->now;
  return o;
}

Result<gen::EcommerceDims> seed_ecommerce_store(store::Store& store,
                                                const gen::EcommerceSeedOptions& options,
                                                const pipeline::PiiProtector& pii) {
  gen::EcommerceDims dims = gen::seed_ecommerce(options);
  for (domain::User& u : dims.users) {
    char h[pipeline::kHashHexChars];
    if (pii.hash_phone(gen::ecommerce_phone_for(u.user_id), h)) {
      u.phone_hash.assign(h, pipeline::kHashHexChars);
    }
  }
  WF_RETURN_IF_ERROR(store.upsert_users(dims.users));
  WF_RETURN_IF_ERROR(store.upsert_products(dims.products));
  return dims;
}

Result<gen::EcommerceDims> load_ecommerce_dimensions(store::Store& store) {
  auto users = store.load_users();
  if (!users.ok()) return users.take_error();
  auto products = store.load_products();
  if (!products.ok()) return products.take_error();
  if (users->size() < 10 || products->empty()) {
    return make_error(Errc::kNotFound,
                      "the store has no products or fewer than 10 users: run 'walletflow seed "
                      "--profile ecommerce' first");
  }
  gen::EcommerceDims dims;
  // A store shared with other profiles: the shop's own users ("EC..."), when it has them.
  for (domain::User& u : *users) {
    if (u.user_id.rfind("EC", 0) == 0) dims.users.push_back(std::move(u));
  }
  if (dims.users.size() >= 10) {
    dims.products = std::move(products).value();
    return dims;
  }
  auto all = store.load_users();
  if (!all.ok()) return all.take_error();
  dims.users = std::move(all).value();
  dims.products = std::move(products).value();
  return dims;
}

}  // namespace wf::app
