// Gold marts: one SQL file per mart (sql/marts/NAME.sql, built into the binary), run on
// either store. A file has a description, the table (`-- @table`) and the statement that
// fills one local day (`-- @build`); placeholders keep the two dialects in one text:
//   {gold} {silver}           schema prefixes ("gold." on PostgreSQL, "" on SQLite)
//   {text} {int} {real} {date} {ts}   column types
//   {from} {to}               the day's bounds as UTC instants, [from, to)
//   {date_value}              the day, '2026-11-25'
//   {days_before:N}           the instant N days before {from} (trailing windows)
//   {spend:ALIAS}             the row of ALIAS is spending: a successful payment, bill,
//                             purchase or order
//   {local_hour:EXPR}         'YYYY-MM-DD HH:00' of EXPR at the local offset
// Building a day deletes the mart's rows of that day and inserts them again in one
// transaction: idempotent, so any day can be rebuilt or backfilled.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace wf::marts {

struct MartFile {
  std::string_view name;
  std::string_view text;
};

struct Mart {
  std::string name;         // "mart_daily_user_dashboard"
  std::string description;  // the file's leading comment
  std::string date_column;  // the column holding the day
  std::string table_sql;    // with placeholders
  std::string build_sql;
};

// Every mart, by name.
const std::vector<Mart>& all_marts();
const Mart* find_mart(std::string_view name);

// The statements that rebuild `date` (local day at `offset_minutes` from UTC) on a store
// of `kind` ("sqlite" or "postgresql").
Result<std::vector<std::string>> render(const Mart& mart, std::string_view kind,
                                        std::string_view date, int offset_minutes);

// Rebuilds `date` of `mart` in one transaction.
Status build(store::Store& store, const Mart& mart, std::string_view date, int offset_minutes);

namespace internal {
std::span<const MartFile> mart_files();
}  // namespace internal

}  // namespace wf::marts
