#include "app/dims.h"

namespace wf::app {

Result<gen::SeedOptions> seed_options_from(const Args& args, Instant now) {
  gen::SeedOptions o;
  auto users = args.get_int("users", o.users, 1, 50'000'000);
  if (!users.ok()) return users.take_error();
  auto merchants = args.get_int("merchants", o.merchants, 1, 1'000'000);
  if (!merchants.ok()) return merchants.take_error();
  auto seed = args.get_int("seed", 0, 0, INT64_MAX);
  if (!seed.ok()) return seed.take_error();
  o.users = *users;
  o.merchants = *merchants;
  o.seed = static_cast<uint64_t>(*seed);
  o.now = now - now % kMicrosPerDay;
  if (auto text = args.get("now")) {
    auto t = parse_rfc3339(*text);
    if (!t.ok()) return make_error(Errc::kInvalidArgument, "--now: " + t.error().message);
    o.now = *t;
  }
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

}  // namespace wf::app
