#include "marts/marts.h"

#include <charconv>
#include <sstream>

namespace wf::marts {
namespace {

Mart parse(const MartFile& file) {
  Mart m;
  m.name = std::string(file.name);
  std::istringstream in{std::string(file.text)};
  std::string line;
  std::string* section = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("-- @date_column ", 0) == 0) {
      m.date_column = line.substr(16);
    } else if (line == "-- @table") {
      section = &m.table_sql;
    } else if (line == "-- @build") {
      section = &m.build_sql;
    } else if (section != nullptr) {
      section->append(line).push_back('\n');
    } else if (line.rfind("-- ", 0) == 0) {
      m.description.append(m.description.empty() ? "" : " ").append(line.substr(3));
    }
  }
  return m;
}

// Replaces every {name} or {name:arg} through `f`; unknown names are errors.
Result<std::string> expand(
    const std::string& text,
    const std::function<Result<std::string>(std::string_view, std::string_view)>& f) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    size_t open = text.find('{', at);
    if (open == std::string::npos) {
      out.append(text, at, std::string::npos);
      break;
    }
    size_t close = text.find('}', open);
    if (close == std::string::npos) return make_error(Errc::kConfig, "unclosed '{' in mart SQL");
    out.append(text, at, open - at);
    std::string_view token(text.data() + open + 1, close - open - 1);
    size_t colon = token.find(':');
    auto value = f(token.substr(0, colon),
                   colon == std::string_view::npos ? std::string_view() : token.substr(colon + 1));
    if (!value.ok()) return value.take_error();
    out.append(*value);
    at = close + 1;
  }
  return out;
}

}  // namespace

const std::vector<Mart>& all_marts() {
  static const std::vector<Mart> marts = [] {
    std::vector<Mart> v;
    for (const MartFile& f : internal::mart_files()) v.push_back(parse(f));
    return v;
  }();
  return marts;
}

const Mart* find_mart(std::string_view name) {
  for (const Mart& m : all_marts()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Result<std::vector<std::string>> render(const Mart& mart, std::string_view kind,
                                        std::string_view date, int offset_minutes) {
  const bool pg = kind == "postgresql";
  auto day = parse_date(date);
  if (!day.ok()) return make_error(Errc::kInvalidArgument, "bad date '" + std::string(date) + "'");
  const Instant from = *day - int64_t{offset_minutes} * kMicrosPerMinute;
  const Instant to = from + kMicrosPerDay;
  auto values = [&](std::string_view name, std::string_view arg) -> Result<std::string> {
    if (name == "gold") return std::string(pg ? "gold." : "");
    if (name == "silver") return std::string(pg ? "silver." : "");
    if (name == "text") return std::string(pg ? "text COLLATE \"C\"" : "TEXT");
    if (name == "int") return std::string(pg ? "bigint" : "INTEGER");
    if (name == "real") return std::string(pg ? "double precision" : "REAL");
    if (name == "date") return std::string(pg ? "date" : "TEXT");
    if (name == "ts") return std::string(pg ? "timestamptz" : "TEXT");
    // Fixed-width UTC text: compares as time with SQLite's text and casts on PostgreSQL.
    if (name == "from") return "'" + format_utc(from) + "'";
    if (name == "to") return "'" + format_utc(to) + "'";
    if (name == "date_value") return "'" + std::string(date) + "'";
    if (name == "days_before" && !arg.empty()) {
      int days = 0;
      auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), days);
      if (ec == std::errc() && end == arg.data() + arg.size() && days >= 0 && days <= 3660) {
        return "'" + format_utc(from - int64_t{days} * kMicrosPerDay) + "'";
      }
    }
    if (name == "spend" && !arg.empty()) {
      const std::string a(arg);
      return "(" + a + ".status = 'SUCCESS' AND " + a +
             ".transaction_type IN ('payment', 'bills', 'purchase', 'order'))";
    }
    if (name == "local_hour" && !arg.empty()) {
      const std::string minutes = std::to_string(offset_minutes);
      if (pg) {
        return "to_char(" + std::string(arg) + " AT TIME ZONE 'UTC' + interval '" + minutes +
               " minutes', 'YYYY-MM-DD HH24:00')";
      }
      return "strftime('%Y-%m-%d %H:00', " + std::string(arg) + ", '" +
             (offset_minutes >= 0 ? "+" : "") + minutes + " minutes')";
    }
    return make_error(Errc::kConfig,
                      mart.name + ": unknown placeholder {" + std::string(name) + "}");
  };
  std::vector<std::string> statements;
  auto table = expand(mart.table_sql, values);
  if (!table.ok()) return table.take_error();
  statements.push_back(std::move(*table));
  statements.push_back("DELETE FROM " + std::string(pg ? "gold." : "") + mart.name + " WHERE " +
                       mart.date_column + " = '" + std::string(date) + "'");
  auto build = expand(mart.build_sql, values);
  if (!build.ok()) return build.take_error();
  statements.push_back(std::move(*build));
  return statements;
}

Status build(store::Store& store, const Mart& mart, std::string_view date, int offset_minutes) {
  auto statements = render(mart, store.kind(), date, offset_minutes);
  if (!statements.ok()) return statements.take_error();
  if (store.kind() != "sqlite") return store.exec_script(*statements);
  // SQLite has one writer at a time: a long INSERT ... SELECT inside the write
  // transaction would hold up the pipeline's commits. So the day's rows are computed
  // first into a temporary table (reading only, one autocommit statement), then swapped
  // in by a short write transaction; the day is still replaced atomically.
  const std::string& insert = (*statements)[2];
  const std::string head = "INSERT INTO " + mart.name + "\n";
  if (!insert.starts_with(head)) {
    return make_error(Errc::kConfig, mart.name + ": the build must start 'INSERT INTO {gold}" +
                                         mart.name + "' on a line of its own");
  }
  WF_RETURN_IF_ERROR(store.exec_script({(*statements)[0]}));
  auto none = [](const std::vector<std::string_view>&) {};
  WF_RETURN_IF_ERROR(store.query_text("DROP TABLE IF EXISTS temp.wf_mart_stage", none));
  WF_RETURN_IF_ERROR(
      store.query_text("CREATE TEMP TABLE wf_mart_stage AS " + insert.substr(head.size()), none));
  return store.exec_script({(*statements)[1],
                            "INSERT INTO " + mart.name + " SELECT * FROM temp.wf_mart_stage",
                            "DROP TABLE temp.wf_mart_stage"});
}

}  // namespace wf::marts
