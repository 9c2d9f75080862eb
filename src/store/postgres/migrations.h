// The PostgreSQL schema as numbered migrations, applied in order at start and recorded
// in ops.schema_migrations. A migration is never edited once released: changes are new
// migrations. A store whose newest migration is above kLatestMigration was written by a
// newer walletflow and is refused.
#pragma once

#include <span>
#include <string_view>

namespace wf::store::postgres {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> migrations();
inline constexpr int kLatestMigration = 7;

}  // namespace wf::store::postgres
