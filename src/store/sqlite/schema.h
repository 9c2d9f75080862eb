// The SQLite silver schema (SPEC section 5): same table and column names as PostgreSQL.
// Money columns are INTEGER minor units; times are fixed-width UTC text
// ("2026-11-25T10:05:56.123456Z") so text order is time order and SQLite's date
// functions work on them.
#pragma once

#include <string_view>

namespace wf::store::sqlite {

extern const std::string_view kSchemaSql;
// Sets source_offsets.records of a store from before that column: what it holds counts
// as read once.
extern const std::string_view kBackfillRecords;
inline constexpr int kSchemaVersion = 2;
// Set before the first table is created (a later change needs VACUUM). 16 KiB pages
// halve the B-tree page splits of the append-heavy fact table and its indexes:
// embedded bench 76k -> 111k tx/s.
inline constexpr int kPageSize = 16384;

}  // namespace wf::store::sqlite
