// Data-quality checks (`walletflow quality`): declarative checks from a TOML file (the
// shipped config/quality.toml when none is given), each an SQL count of the rows that
// break an expectation, run on either store. Results go to ops.dq_results, and the
// per-position reconciliation also to ops.ingestion_monitoring (seed 004's
// Consistent/Inconsistent), under one run id.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace wf::quality {

enum class Kind {
  kUnique,
  kNotNull,
  kRelationship,
  kAcceptedValues,
  kRange,
  kFreshness,
  kReconciliation,
  kSql,
};
std::string_view kind_name(Kind kind);

struct Check {
  std::string name;  // unique in the file; default "<kind>:<table>.<column>"
  Kind kind = Kind::kNotNull;
  std::string table, column;
  std::string to_table, to_column;  // relationship
  std::vector<std::string> values;  // accepted_values
  std::optional<double> min, max;   // range
  int64_t max_age_us = 0;           // freshness
  std::string query;                // sql
  std::string where;                // narrows the rows checked
  bool warn = false;                // severity "warn": reported, never fails the run
};

// Parses a checks file; kConfig with "origin:line:column: ..." for each problem.
Result<std::vector<Check>> parse_checks(std::string_view toml_text, std::string_view origin);
Result<std::vector<Check>> load_checks_file(const std::string& path);
// The shipped checks (config/quality.toml).
std::string_view default_checks_toml();

enum class Outcome { kPass, kWarn, kFail, kError };
std::string_view outcome_name(Outcome outcome);

struct CheckResult {
  std::string name;
  std::string kind;
  std::string target;  // "fact_transactions.merchant_id", a source position, ...
  bool warn = false;
  Outcome outcome = Outcome::kPass;
  int64_t observed = 0;  // failing rows; for freshness, the age in seconds
  std::string detail;
};

// One source position's reconciliation (seed 004's ingestion_monitoring).
struct Reconciliation {
  std::string source;
  int64_t records = 0, facts = 0, dead_letters = 0, duplicates = 0, purged = 0;
  bool consistent() const { return records == facts + dead_letters + duplicates + purged; }
};

struct Report {
  int64_t run_id = 0;  // wall-clock microseconds since the epoch at the start
  Instant checked_at = 0;
  std::vector<CheckResult> results;
  std::vector<Reconciliation> sources;
  bool failed() const;
  int count(Outcome outcome) const;
};

// Runs every check, freshness measured at `now`; a check whose query fails is an ERROR
// result, not an abort.
Report run(store::Store& store, std::span<const Check> checks, Instant now);
// Writes the report to ops.dq_results and ops.ingestion_monitoring in one transaction.
Status record(store::Store& store, const Report& report);

}  // namespace wf::quality
