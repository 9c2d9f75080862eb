#include "quality/quality.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/file.h"
#include "core/toml_file.h"

namespace wf::quality {
namespace {

constexpr std::pair<Kind, std::string_view> kKinds[] = {
    {Kind::kUnique, "unique"},
    {Kind::kNotNull, "not_null"},
    {Kind::kRelationship, "relationship"},
    {Kind::kAcceptedValues, "accepted_values"},
    {Kind::kRange, "range"},
    {Kind::kFreshness, "freshness"},
    {Kind::kReconciliation, "reconciliation"},
    {Kind::kSql, "sql"},
};

bool identifier(std::string_view s) {
  if (s.empty() || s.size() > 63 || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view origin)
      : text_(text), origin_(origin), problems_(origin_) {}

  Result<std::vector<Check>> parse() {
    auto parsed = parse_toml(text_, origin_);
    if (!parsed.ok()) return parsed.take_error();
    const toml::table& doc = *parsed;
    for (const auto& [key, value] : doc) {
      if (key.str() != "check") problem(&value, "unknown top-level key '" + std::string(key) + "'");
    }
    std::vector<Check> checks;
    std::set<std::string> names;
    if (const toml::array* list = doc["check"].as_array()) {
      for (const toml::node& node : *list) {
        const toml::table* t = node.as_table();
        if (t == nullptr) {
          problem(&node, "each check is a [[check]] table");
          continue;
        }
        Check c;
        if (!parse_check(*t, &c)) continue;
        if (!names.insert(c.name).second) {
          problem(t, "check '" + c.name + "' is defined twice (give one a name)");
          continue;
        }
        checks.push_back(std::move(c));
      }
    } else if (doc.contains("check")) {
      problem(doc.get("check"), "'check' must be an array of tables ([[check]])");
    }
    if (!problems_.empty()) return problems_.error();
    if (checks.empty()) return make_error(Errc::kConfig, origin_ + ": no [[check]] in the file");
    return checks;
  }

 private:
  void problem(const toml::node* at, const std::string& message) { problems_.add(at, message); }

  std::optional<std::string> text(const toml::table& t, std::string_view key, bool required) {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) problem(&t, "missing '" + std::string(key) + "'");
      return std::nullopt;
    }
    if (!n->is_string()) {
      problem(n, "'" + std::string(key) + "' must be a string");
      return std::nullopt;
    }
    return n->as_string()->get();
  }

  bool ident(const toml::table& t, std::string_view key, std::string* out) {
    auto v = text(t, key, true);
    if (!v) return false;
    if (!identifier(*v)) {
      problem(t.get(key),
              "'" + std::string(key) + "' must be a lower-case SQL name, not '" + *v + "'");
      return false;
    }
    *out = *v;
    return true;
  }

  bool parse_check(const toml::table& t, Check* c) {
    auto kind = text(t, "kind", true);
    if (!kind) return false;
    bool known = false;
    for (const auto& [k, name] : kKinds) {
      if (name == *kind) {
        c->kind = k;
        known = true;
      }
    }
    if (!known) {
      problem(t.get("kind"), "unknown kind '" + *kind +
                                 "' (unique, not_null, relationship, accepted_values, range,"
                                 " freshness, reconciliation, sql)");
      return false;
    }
    std::set<std::string_view> allowed = {"kind", "name", "severity", "where"};
    bool ok = true;
    const bool has_table = c->kind != Kind::kReconciliation && c->kind != Kind::kSql;
    if (has_table) {
      allowed.insert({"table", "column"});
      ok &= ident(t, "table", &c->table) && ident(t, "column", &c->column);
    }
    switch (c->kind) {
      case Kind::kRelationship: {
        allowed.insert("to");
        auto to = text(t, "to", true);
        size_t dot = to ? to->find('.') : std::string::npos;
        if (to && (dot == std::string::npos || !identifier(to->substr(0, dot)) ||
                   !identifier(to->substr(dot + 1)))) {
          problem(t.get("to"), "'to' must be \"table.column\", not '" + *to + "'");
          ok = false;
        } else if (to) {
          c->to_table = to->substr(0, dot);
          c->to_column = to->substr(dot + 1);
        } else {
          ok = false;
        }
        break;
      }
      case Kind::kAcceptedValues: {
        allowed.insert("values");
        const toml::array* values = t.get_as<toml::array>("values");
        if (values == nullptr || values->empty()) {
          problem(&t, "'values' must be a non-empty list of strings");
          ok = false;
          break;
        }
        for (const toml::node& v : *values) {
          if (!v.is_string()) {
            problem(&v, "'values' must be strings");
            ok = false;
          } else {
            c->values.push_back(v.as_string()->get());
          }
        }
        break;
      }
      case Kind::kRange: {
        allowed.insert({"min", "max"});
        for (auto [key, out] : {std::pair{"min", &c->min}, std::pair{"max", &c->max}}) {
          const toml::node* n = t.get(key);
          if (n == nullptr) continue;
          if (auto v = n->value<double>()) {
            *out = *v;
          } else {
            problem(n, std::string("'") + key + "' must be a number");
            ok = false;
          }
        }
        if (!c->min && !c->max) {
          problem(&t, "a range needs 'min', 'max' or both");
          ok = false;
        }
        break;
      }
      case Kind::kFreshness: {
        allowed.insert("max_age");
        auto age = text(t, "max_age", true);
        if (!age) {
          ok = false;
          break;
        }
        auto us = parse_duration_us(*age);
        if (!us.ok()) {
          problem(t.get("max_age"), us.error().message);
          ok = false;
        } else {
          c->max_age_us = *us;
        }
        break;
      }
      case Kind::kSql: {
        allowed.insert("query");
        auto q = text(t, "query", true);
        if (q) c->query = *q;
        ok &= q.has_value();
        break;
      }
      default:
        break;
    }
    if (auto severity = text(t, "severity", false)) {
      if (*severity != "error" && *severity != "warn") {
        problem(t.get("severity"), "severity must be \"error\" or \"warn\"");
        ok = false;
      }
      c->warn = *severity == "warn";
    }
    if (auto where = text(t, "where", false)) c->where = *where;
    for (const auto& [key, value] : t) {
      if (!allowed.contains(key.str())) {
        problem(&value, "unknown key '" + std::string(key) + "' for a " + *kind + " check");
        ok = false;
      }
    }
    if (auto name = text(t, "name", false)) {
      c->name = *name;
    } else if (has_table) {
      c->name = *kind + ":" + c->table + "." + c->column;
    } else {
      c->name = *kind;
    }
    if (c->kind == Kind::kSql && !t.contains("name")) {
      problem(&t, "an sql check needs a 'name'");
      ok = false;
    }
    return ok;
  }

  std::string_view text_;
  std::string origin_;
  TomlProblems problems_;
};

std::string placeholders(std::string_view kind, const std::string& sql) {
  const bool pg = kind == "postgresql";
  std::string out;
  for (size_t i = 0; i < sql.size(); ++i) {
    auto at = [&](std::string_view token) { return sql.compare(i, token.size(), token) == 0; };
    if (at("{silver}")) {
      out += pg ? "silver." : "";
      i += 7;
    } else if (at("{gold}")) {
      out += pg ? "gold." : "";
      i += 5;
    } else if (at("{ops}")) {
      out += pg ? "ops." : "";
      i += 4;
    } else {
      out.push_back(sql[i]);
    }
  }
  return out;
}

Result<std::map<std::string, int64_t>> counts_by(store::Store& store, const std::string& sql) {
  std::map<std::string, int64_t> out;
  Status s = store.query_text(sql, [&](const std::vector<std::string_view>& row) {
    int64_t v = 0;
    std::from_chars(row[1].data(), row[1].data() + row[1].size(), v);
    out[std::string(row[0])] += v;
  });
  if (!s.ok()) return s.error();
  return out;
}

// Reads each position's counters and the rows stored for it.
Result<std::vector<Reconciliation>> reconcile(store::Store& store) {
  const std::string_view kind = store.kind();
  std::vector<Reconciliation> out;
  Status s = store.query_text(
      "SELECT source, records, duplicates, purged FROM " +
          store::table_name(kind, "source_offsets") + " ORDER BY source",
      [&](const std::vector<std::string_view>& row) {
        Reconciliation r;
        r.source = std::string(row[0]);
        std::from_chars(row[1].data(), row[1].data() + row[1].size(), r.records);
        std::from_chars(row[2].data(), row[2].data() + row[2].size(), r.duplicates);
        std::from_chars(row[3].data(), row[3].data() + row[3].size(), r.purged);
        out.push_back(std::move(r));
      });
  if (!s.ok()) return s.error();
  auto facts =
      counts_by(store, "SELECT source, COUNT(*) FROM " +
                           store::table_name(kind, "fact_transactions") + " GROUP BY source");
  if (!facts.ok()) return facts.take_error();
  auto dead = counts_by(store, "SELECT source, COUNT(*) FROM " +
                                   store::table_name(kind, "dead_letters") + " GROUP BY source");
  if (!dead.ok()) return dead.take_error();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < out.size(); ++i) index[out[i].source] = i;
  auto at = [&](const std::string& source) -> Reconciliation& {
    auto it = index.find(source);
    if (it != index.end()) return out[it->second];
    index[source] = out.size();  // rows naming a position the store has no record of
    out.push_back({source});
    return out.back();
  };
  for (const auto& [source, n] : *facts) at(source).facts = n;
  for (const auto& [source, n] : *dead) at(source).dead_letters = n;
  return out;
}

// The newest value of a time column; nullopt when there are no rows.
Result<std::optional<Instant>> newest(store::Store& store, const std::string& table,
                                      const std::string& column, const std::string& where) {
  std::string text;
  Status s = store.query_text("SELECT " + store::utc_text(store.kind(), "MAX(" + column + ")") +
                                  " FROM " + table + (where.empty() ? "" : " WHERE " + where),
                              [&](const std::vector<std::string_view>& row) {
                                if (!row.empty()) text = std::string(row[0]);
                              });
  if (!s.ok()) return s.error();
  if (text.empty()) return std::optional<Instant>();
  auto t = parse_rfc3339(text);
  if (!t.ok()) return make_error(Errc::kConfig, column + " holds '" + text + "', not a time");
  return std::optional<Instant>(*t);
}

CheckResult run_one(store::Store& store, const Check& c, Instant now) {
  const std::string_view kind = store.kind();
  CheckResult r;
  r.name = c.name;
  r.kind = std::string(kind_name(c.kind));
  r.warn = c.warn;
  r.target = c.table + "." + c.column;
  const std::string t = store::table_name(kind, c.table);
  const std::string col = c.column;
  const std::string and_where = c.where.empty() ? "" : " AND (" + c.where + ")";
  std::string sql;
  std::string what;          // what a failing row is, for the detail
  std::string other_values;  // accepted_values: the condition of a failing row
  switch (c.kind) {
    case Kind::kUnique:
      sql = "SELECT COUNT(*) FROM (SELECT " + col + " FROM " + t + " WHERE " + col +
            " IS NOT NULL" + and_where + " GROUP BY " + col + " HAVING COUNT(*) > 1) d";
      what = "values stored more than once";
      break;
    case Kind::kNotNull:
      sql = "SELECT COUNT(*) FROM " + t + " WHERE " + col + " IS NULL" + and_where;
      what = "rows with NULL";
      break;
    case Kind::kRelationship:
      sql = "SELECT COUNT(*) FROM " + t + " x WHERE x." + col + " IS NOT NULL" + and_where +
            " AND NOT EXISTS (SELECT 1 FROM " + store::table_name(kind, c.to_table) +
            " y WHERE y." + c.to_column + " = x." + col + ")";
      what = "rows without a match in " + c.to_table + "." + c.to_column;
      break;
    case Kind::kAcceptedValues: {
      std::string list;
      for (const std::string& v : c.values)
        list += (list.empty() ? "" : ", ") + store::sql_literal(v);
      other_values = col + " IS NOT NULL AND " + col + " NOT IN (" + list + ")" + and_where;
      sql = "SELECT COUNT(*) FROM " + t + " WHERE " + other_values;
      what = "rows with another value";
      break;
    }
    case Kind::kRange: {
      std::string out_of;
      if (c.min) out_of = col + " < " + number(*c.min);
      if (c.max) out_of += (out_of.empty() ? "" : " OR ") + col + " > " + number(*c.max);
      sql = "SELECT COUNT(*) FROM " + t + " WHERE " + col + " IS NOT NULL AND (" + out_of + ")" +
            and_where;
      what = "rows out of [" + (c.min ? number(*c.min) : "") + ", " +
             (c.max ? number(*c.max) : "") + "]";
      break;
    }
    case Kind::kFreshness: {
      auto v = newest(store, t, col, c.where);
      if (!v.ok()) {
        r.outcome = Outcome::kError;
        r.detail = v.error().message;
        return r;
      }
      if (!*v) {
        r.outcome = c.warn ? Outcome::kWarn : Outcome::kFail;
        r.detail = "no rows";
        return r;
      }
      const int64_t age = now - **v;
      r.observed = age / kMicrosPerSecond;
      r.outcome = age <= c.max_age_us ? Outcome::kPass : c.warn ? Outcome::kWarn : Outcome::kFail;
      r.detail = "newest " + format_utc(**v) + ", " +
                 (age < 0 ? "in the future" : std::to_string(r.observed) + " s old") +
                 " (at most " + std::to_string(c.max_age_us / kMicrosPerSecond) + " s)";
      return r;
    }
    case Kind::kSql:
      sql = placeholders(kind, c.query);
      r.target = "sql";
      what = "failing rows";
      break;
    case Kind::kReconciliation:
      break;  // run() expands it, one result per position
  }
  auto v = store::query_int(store, sql);
  if (!v.ok()) {
    r.outcome = Outcome::kError;
    r.detail = v.error().message;
    return r;
  }
  r.observed = v->value_or(0);
  r.outcome = r.observed == 0 ? Outcome::kPass : c.warn ? Outcome::kWarn : Outcome::kFail;
  r.detail = std::to_string(r.observed) + " " + what;
  if (c.kind == Kind::kAcceptedValues && r.observed > 0) {
    // Name the most common offenders.
    std::string others;
    (void)store.query_text("SELECT " + col + ", COUNT(*) FROM " + t + " WHERE " + other_values +
                               " GROUP BY " + col + " ORDER BY 2 DESC, 1 LIMIT 5",
                           [&](const std::vector<std::string_view>& row) {
                             others += (others.empty() ? "" : ", ") + std::string(row[0]) + " (" +
                                       std::string(row[1]) + ")";
                           });
    if (!others.empty()) r.detail += ": " + others;
  }
  return r;
}

}  // namespace

std::string_view kind_name(Kind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "?";
}

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "PASS";
    case Outcome::kWarn:
      return "WARN";
    case Outcome::kFail:
      return "FAIL";
    case Outcome::kError:
      return "ERROR";
  }
  return "ERROR";
}

Result<std::vector<Check>> parse_checks(std::string_view toml_text, std::string_view origin) {
  return Parser(toml_text, origin).parse();
}

Result<std::vector<Check>> load_checks_file(const std::string& path) {
  auto text = read_file(path, "checks file", Errc::kConfig);
  if (!text.ok()) return text.take_error();
  return parse_checks(*text, path);
}

bool Report::failed() const { return count(Outcome::kFail) > 0 || count(Outcome::kError) > 0; }

int Report::count(Outcome outcome) const {
  int n = 0;
  for (const CheckResult& r : results) n += r.outcome == outcome;
  return n;
}

Report run(store::Store& store, std::span<const Check> checks, Instant now) {
  Report report;
  report.checked_at = SystemClock().now();  // when it ran, whatever `now` freshness is at
  report.run_id = report.checked_at;
  for (const Check& c : checks) {
    if (c.kind != Kind::kReconciliation) {
      report.results.push_back(run_one(store, c, now));
      continue;
    }
    auto sources = reconcile(store);
    if (!sources.ok()) {
      report.results.push_back({c.name, "reconciliation", "source_offsets", c.warn, Outcome::kError,
                                0, sources.error().message});
      continue;
    }
    for (const Reconciliation& s : *sources) {
      CheckResult r;
      r.name = c.name + ":" + s.source;
      r.kind = "reconciliation";
      r.target = s.source;
      r.warn = c.warn;
      const int64_t stored = s.facts + s.dead_letters + s.duplicates + s.purged;
      r.observed = s.records - stored;
      r.outcome = s.consistent() ? Outcome::kPass : c.warn ? Outcome::kWarn : Outcome::kFail;
      r.detail = std::string(s.consistent() ? "Consistent" : "Inconsistent") + ": read " +
                 std::to_string(s.records) + ", stored " + std::to_string(s.facts) + " facts + " +
                 std::to_string(s.dead_letters) + " dead letters + " +
                 std::to_string(s.duplicates) + " duplicates dropped + " +
                 std::to_string(s.purged) + " purged";
      report.results.push_back(std::move(r));
    }
    report.sources.insert(report.sources.end(), sources->begin(), sources->end());
  }
  return report;
}

Status record(store::Store& store, const Report& report) {
  const std::string_view kind = store.kind();
  const std::string run = std::to_string(report.run_id);
  const std::string at = store::sql_literal(format_utc(report.checked_at));
  std::vector<std::string> statements;
  for (const CheckResult& r : report.results) {
    statements.push_back(
        "INSERT INTO " + store::table_name(kind, "dq_results") +
        " (run_id, check_name, kind, target, severity, status, observed, detail, checked_at)"
        " VALUES (" +
        run + ", " + store::sql_literal(r.name) + ", " + store::sql_literal(r.kind) + ", " +
        store::sql_literal(r.target) + ", " + store::sql_literal(r.warn ? "warn" : "error") + ", " +
        store::sql_literal(outcome_name(r.outcome)) + ", " + std::to_string(r.observed) + ", " +
        store::sql_literal(r.detail) + ", " + at + ")");
  }
  for (const Reconciliation& s : report.sources) {
    statements.push_back(
        "INSERT INTO " + store::table_name(kind, "ingestion_monitoring") +
        " (run_id, source, records_read, facts, dead_letters, duplicates,"
        " purged, status, checked_at) VALUES (" +
        run + ", " + store::sql_literal(s.source) + ", " + std::to_string(s.records) + ", " +
        std::to_string(s.facts) + ", " + std::to_string(s.dead_letters) + ", " +
        std::to_string(s.duplicates) + ", " + std::to_string(s.purged) + ", " +
        store::sql_literal(s.consistent() ? "Consistent" : "Inconsistent") + ", " + at + ")");
  }
  if (statements.empty()) return Status::Ok();
  return store.exec_script(statements);
}

}  // namespace wf::quality
