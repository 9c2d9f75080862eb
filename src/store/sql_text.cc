#include <charconv>

#include "store/store.h"

namespace wf::store {

std::string sql_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string table_name(std::string_view kind, std::string_view table) {
  if (kind != "postgresql") return std::string(table);
  if (table.starts_with("mart_")) return "gold." + std::string(table);
  for (std::string_view ops :
       {"dead_letters", "source_offsets", "job_runs", "dq_results", "ingestion_monitoring",
        "schema_migrations", "api_users", "audit_log"}) {
    if (table == ops) return "ops." + std::string(table);
  }
  return "silver." + std::string(table);
}

std::string utc_text(std::string_view kind, const std::string& column) {
  if (kind != "postgresql") return column;
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

Result<std::optional<int64_t>> query_int(Store& store, const std::string& sql,
                                         const SqlParams& params) {
  std::optional<int64_t> value;
  bool seen = false;
  std::string bad;
  Status s = store.query_text(sql, params, [&](const std::vector<std::string_view>& row) {
    if (seen || row.empty()) return;
    seen = true;
    if (row[0].empty()) return;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(row[0].data(), row[0].data() + row[0].size(), v);
    if (ec != std::errc() || end != row[0].data() + row[0].size()) {
      bad = std::string(row[0]);
      return;
    }
    value = v;
  });
  if (!s.ok()) return s.error();
  if (!bad.empty())
    return make_error(Errc::kConfig, "the query returned '" + bad + "', not an integer");
  return value;
}

}  // namespace wf::store
