// Dimension wiring shared by seed, generate and run: seeding a store (with phone numbers
// protected before they are written) and reading the dimensions back for generation.
#pragma once

#include "app/args.h"
#include "gen/ecommerce.h"
#include "gen/ph_ewallet.h"
#include "pipeline/pii_protector.h"
#include "store/store.h"

namespace wf::app {

// --users, --merchants, --seed, --now (default: `now` truncated to the day).
Result<gen::SeedOptions> seed_options_from(const Args& args, Instant now);
// Generates the dimensions, hashes phone numbers, writes both tables.
Result<gen::Dimensions> seed_store(store::Store& store, const gen::SeedOptions& options,
                                   const pipeline::PiiProtector& pii);
// Users and merchants as stored; kNotFound when the store has not been seeded.
Result<gen::Dimensions> load_dimensions(store::Store& store);

// The ecommerce profile: --users, --merchants (products), --seed, --now.
Result<gen::EcommerceSeedOptions> ecommerce_seed_options_from(const Args& args, Instant now);
// Generates users and products, hashes phone numbers, upserts dim_users and dim_products.
Result<gen::EcommerceDims> seed_ecommerce_store(store::Store& store,
                                                const gen::EcommerceSeedOptions& options,
                                                const pipeline::PiiProtector& pii);
// Users and products as stored; kNotFound when the store has none.
Result<gen::EcommerceDims> load_ecommerce_dimensions(store::Store& store);

}  // namespace wf::app
