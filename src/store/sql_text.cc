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

}  // namespace wf::store
