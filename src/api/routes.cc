// The API's routes: each one's method, path, role, parameters and body fields (which
// also make the OpenAPI document) and its handler.
#include <sodium.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "api/call.h"
#include "api/server.h"
#include "core/json_writer.h"
#include "marts/marts.h"
#include "rules/pack.h"

namespace wf::api {
namespace {

constexpr int64_t kMaxPage = 500;

std::string b64(std::string_view raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> unb64(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (text.size() > 512 ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

int64_t to_i64(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

void string_or_null(JsonWriter& w, std::string_view key, std::string_view v) {
  w.key(key);
  v.empty() ? w.null() : w.string(v);
}

bool id_like(std::string_view s, size_t max = 64) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
          c == ':')) {
      return false;
    }
  }
  return true;
}

// --- handlers ------------------------------------------------------------------------

std::string tx_select(std::string_view kind) {
  return "SELECT f.transaction_id, " + store::utc_text(kind, "f.event_ts") +
         ", f.user_id, f.merchant_id, f.transaction_type, f.amount_minor, f.currency,"
         " f.amount_php, f.channel, f.status, f.country, f.province, f.city, f.device_id,"
         " f.ip_hash, f.phone_hash, f.fraud_score, f.decision, f.rules_fired, f.reasons,"
         " f.product_id, f.quantity FROM " +
         store::table_name(kind, "fact_transactions") + " f";
}

// One row of tx_select as JSON; viewers see that a PII field has a value, not what it is.
void write_tx(JsonWriter& w, const std::vector<std::string_view>& r, bool unmasked) {
  w.begin_object();
  w.key("transaction_id").string(r[0]);
  w.key("event_ts").string(r[1]);
  w.key("user_id").string(r[2]);
  string_or_null(w, "merchant_id", r[3]);
  w.key("type").string(r[4]);
  w.key("amount").begin_object().key("minor").number(to_i64(r[5]));
  w.key("currency").string(r[6]).end_object();
  w.key("amount_php_minor").number(to_i64(r[7]));
  string_or_null(w, "channel", r[8]);
  w.key("status").string(r[9]);
  string_or_null(w, "country", r[10]);
  string_or_null(w, "province", r[11]);
  if (unmasked) {
    string_or_null(w, "city", r[12]);
    string_or_null(w, "device_id", r[13]);
    string_or_null(w, "ip_hash", r[14]);
    string_or_null(w, "phone_hash", r[15]);
  } else {
    w.key("city").string(r[12].empty() ? "" : "***");
    w.key("device_id")
        .string(r[13].size() > 4 ? "***" + std::string(r[13].substr(r[13].size() - 4))
                                 : (r[13].empty() ? "" : "***"));
    w.key("ip_hash").null();
    w.key("phone_hash").null();
  }
  w.key("fraud_score").number(to_i64(r[16]));
  w.key("decision").string(r[17]);
  w.key("rules_fired");
  w.comma_list(r[18]);
  string_or_null(w, "reasons", r[19]);
  string_or_null(w, "product_id", r[20]);
  w.key("quantity");
  r[21].empty() ? w.null() : w.number(to_i64(r[21]));
  w.end_object();
}

void health(Call& c) { c.json(200, R"({"status":"ok"})"); }

void login(Call& c, Tokens& tokens, LoginLimiter& users, LoginLimiter& addresses) {
  const std::string_view user = c.body_string("username");
  const std::string_view password = c.body_string("password");
  if (user.empty() || password.empty() || user.size() > 128 || password.size() > 256) {
    c.error(400, "bad_request", "username and password (strings) are required");
    return;
  }
  const Instant now = SystemClock().now();
  const std::string user_key = "user:" + std::string(user);
  const std::string addr_key = "addr:" + c.req.remote_addr;
  if (!users.allowed(user_key, now) || !addresses.allowed(addr_key, now)) {
    c.res.set_header("Retry-After", "300");
    c.error(429, "too_many_requests", "too many failed logins; try again later");
    return;
  }
  auto found = find_user(c.db(), std::string(user));
  if (!found.ok()) throw StoreUnavailable(found.error().message);
  // The same work whether or not the user exists: no way to tell names apart by time.
  static const std::string kDummy = *hash_password("walletflow-no-such-user");
  const bool valid = *found
                         ? verify_password((*found)->password_hash, password) && !(*found)->disabled
                         : (verify_password(kDummy, password), false);
  if (!valid) {
    users.failed(user_key, now);
    addresses.failed(addr_key, now);
    c.audit("login_failed", std::string(user), "");
    c.error(401, "invalid_credentials", "wrong username or password");
    return;
  }
  users.succeeded(user_key);
  Instant expires = 0;
  auto token = tokens.issue((*found)->username, (*found)->role, now, &expires);
  if (!token.ok()) {
    c.error(500, "internal", "cannot issue a token");
    return;
  }
  c.claims = Claims{(*found)->username, (*found)->role, expires};
  c.audit("login", (*found)->username, "");
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("token").string(*token);
  w.key("expires_at").string(format_utc(expires));
  w.key("role").string(role_name((*found)->role));
  w.end_object();
  c.json(200, std::move(out));
}

void me(Call& c) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("username").string(c.claims->username);
  w.key("role").string(role_name(c.claims->role));
  w.key("expires_at").string(format_utc(c.claims->expires_at));
  w.end_object();
  c.json(200, std::move(out));
}

void transactions(Call& c) {
  auto limit = c.int_param("limit", 50, 1, kMaxPage);
  auto min_score = c.int_param("min_score", 0, 0, 100);
  auto from = c.time_param("from");
  auto to = c.time_param("to");
  if (!limit || !min_score || !from || !to) return;
  store::Store& db = c.db();
  const std::string_view kind = db.kind();
  std::string where = " WHERE f.fraud_score >= $1";
  store::SqlParams params = {std::to_string(*min_score)};
  // Filters with an index of their own (user, merchant, flagged) lead the plan; without
  // one, SQLite is told to walk the time index newest first and stop at the page's end
  // (left to itself it scans the table and sorts it).
  bool own_index = false;
  auto add = [&](const std::string& condition, std::string value) {
    params.push_back(std::move(value));
    where += " AND " + condition + " $" + std::to_string(params.size());
  };
  for (auto [name, column] :
       {std::pair{"user_id", "f.user_id ="}, std::pair{"merchant_id", "f.merchant_id ="},
        std::pair{"type", "f.transaction_type ="}, std::pair{"channel", "f.channel ="}}) {
    if (auto v = c.query(name)) {
      if (!id_like(*v)) {
        c.error(400, "bad_request", std::string("'") + name + "' is not a valid value");
        return;
      }
      add(column, *v);
      own_index |= name == std::string_view("user_id") || name == std::string_view("merchant_id");
    }
  }
  if (auto d = c.query("decision")) {
    if (*d != "NORMAL" && *d != "MONITOR" && *d != "FLAG") {
      c.error(400, "bad_request", "'decision' must be NORMAL, MONITOR or FLAG");
      return;
    }
    add("f.decision =", *d);
    // Flagged rows have their own partial index on event_ts: say so in the SQL's own
    // words (a bound parameter would not let the planner use it).
    if (*d == "FLAG") {
      where += kind == "postgresql" ? " AND f.fraud_flag" : " AND f.fraud_flag = 1";
      own_index = true;
    }
  }
  if (*from) add("f.event_ts >=", **from);
  if (*to) add("f.event_ts <", **to);
  if (auto cursor = c.query("cursor")) {
    auto raw = unb64(*cursor);
    size_t bar = raw ? raw->find('|') : std::string::npos;
    // A forged one may hold any bytes: PostgreSQL refuses text that is not UTF-8 or has a
    // NUL (an error, not an empty page), and ids this API gave never do.
    if (bar == std::string::npos || !parse_rfc3339(raw->substr(0, bar)).ok() ||
        raw->find('\0') != std::string::npos ||
        !simdjson::validate_utf8(raw->data(), raw->size())) {
      c.error(400, "bad_request", "'cursor' is not one this API gave");
      return;
    }
    params.push_back(raw->substr(0, bar));
    params.push_back(raw->substr(bar + 1));
    const std::string t = "$" + std::to_string(params.size() - 1);
    const std::string id = "$" + std::to_string(params.size());
    // The same as (ts, id) < (t, x), bounding the index range by the time.
    where += " AND f.event_ts <= " + t + " AND (f.event_ts < " + t + " OR f.transaction_id < " +
             id + ")";
  }
  const bool unmasked = c.claims->role >= Role::kAnalyst;
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("data").begin_array();
  int64_t n = 0;
  std::string last_ts, last_id;
  const std::string hint =
      kind == "sqlite" && !own_index ? " INDEXED BY idx_fact_event_ts" : std::string();
  Status s = db.query_text(tx_select(kind) + hint + where +
                               " ORDER BY f.event_ts DESC, f.transaction_id DESC LIMIT " +
                               std::to_string(*limit + 1),
                           params, [&](const std::vector<std::string_view>& r) {
                             if (++n > *limit) return;
                             last_id = std::string(r[0]);
                             last_ts = std::string(r[1]);
                             write_tx(w, r, unmasked);
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  w.end_array();
  w.key("next_cursor");
  n > *limit ? w.string(b64(last_ts + "|" + last_id)) : w.null();
  w.key("masked").boolean(!unmasked);
  w.end_object();
  if (unmasked) c.audit("read_pii", "transactions", c.req.target);
  c.json(200, std::move(out));
}

constexpr const char* kAlertColumns =
    "a.alert_id, a.transaction_id, a.user_id, a.alert_type, a.fraud_score, a.amount, a.status,"
    " a.investigated_by, ";

void write_alert(JsonWriter& w, const std::vector<std::string_view>& r) {
  w.begin_object();
  w.key("alert_id").number(to_i64(r[0]));
  w.key("transaction_id").string(r[1]);
  w.key("user_id").string(r[2]);
  w.key("alert_type").string(r[3]);
  w.key("rule").string(r[3].substr(0, r[3].find(' ')));
  w.key("fraud_score").number(to_i64(r[4]));
  w.key("amount_php_minor").number(to_i64(r[5]));
  w.key("status").string(r[6]);
  string_or_null(w, "investigated_by", r[7]);
  w.key("created_at").string(r[8]);
  w.key("updated_at").string(r[9]);
  string_or_null(w, "note", r[10]);
  string_or_null(w, "reasons", r[11]);
  w.end_object();
}

std::string alert_select(std::string_view kind) {
  return std::string("SELECT ") + kAlertColumns + store::utc_text(kind, "a.created_at") + ", " +
         store::utc_text(kind, "a.updated_at") + ", a.note, a.reasons FROM " +
         store::table_name(kind, "fraud_alerts") + " a";
}

void fraud_alerts(Call& c) {
  auto limit = c.int_param("limit", 50, 1, kMaxPage);
  auto min_score = c.int_param("min_score", 0, 0, 100);
  auto cursor = c.int_param("cursor", INT64_MAX, 1, INT64_MAX);
  auto from = c.time_param("from");
  auto to = c.time_param("to");
  if (!limit || !min_score || !cursor || !from || !to) return;
  store::Store& db = c.db();
  std::string where = " WHERE a.fraud_score >= $1 AND a.alert_id < $2";
  store::SqlParams params = {std::to_string(*min_score), std::to_string(*cursor)};
  auto add = [&](const std::string& condition, std::string value) {
    params.push_back(std::move(value));
    where += " AND " + condition + " $" + std::to_string(params.size());
  };
  if (auto st = c.query("status")) {
    static const std::set<std::string> kStatuses = {"NEW", "INVESTIGATING", "CONFIRMED",
                                                    "DISMISSED"};
    if (!kStatuses.contains(*st)) {
      c.error(400, "bad_request", "'status' must be NEW, INVESTIGATING, CONFIRMED or DISMISSED");
      return;
    }
    add("a.status =", *st);
  }
  if (auto rule = c.query("rule")) {
    if (!id_like(*rule, 16)) {
      c.error(400, "bad_request", "'rule' is a rule id such as R001");
      return;
    }
    add("a.alert_type LIKE", *rule + " %");
  }
  if (*from) add("a.created_at >=", **from);
  if (*to) add("a.created_at <", **to);
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("data").begin_array();
  int64_t n = 0;
  int64_t last = 0;
  Status s = db.query_text(alert_select(db.kind()) + where + " ORDER BY a.alert_id DESC LIMIT " +
                               std::to_string(*limit + 1),
                           params, [&](const std::vector<std::string_view>& r) {
                             if (++n > *limit) return;
                             last = to_i64(r[0]);
                             write_alert(w, r);
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  w.end_array();
  w.key("next_cursor");
  n > *limit ? w.string(std::to_string(last)) : w.null();
  w.end_object();
  c.json(200, std::move(out));
}

void patch_alert(Call& c) {
  const std::string id_text = c.path("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id <= 0) {
    c.error(400, "bad_request", "the alert id is a positive integer");
    return;
  }
  const std::string_view next = c.body_string("status");
  if (next.empty()) {
    c.error(400, "bad_request", "'status' (a string) is required");
    return;
  }
  if (c.body_has("note") && c.body_string("note").empty() && !c.body["note"].is_string()) {
    c.error(400, "bad_request", "'note' must be a string");
    return;
  }
  const std::string note(c.body_string("note"));
  if (note.size() > 2000) {
    c.error(400, "bad_request", "'note' is at most 2000 bytes");
    return;
  }
  store::Store& db = c.db();
  const std::string_view kind = db.kind();
  std::string current, transaction_id, alert_type;
  Status s = db.query_text("SELECT status, transaction_id, alert_type FROM " +
                               store::table_name(kind, "fraud_alerts") + " WHERE alert_id = $1",
                           {std::to_string(id)}, [&](const std::vector<std::string_view>& r) {
                             current = std::string(r[0]);
                             transaction_id = std::string(r[1]);
                             alert_type = std::string(r[2]);
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  if (current.empty()) {
    c.error(404, "not_found", "no alert " + std::to_string(id));
    return;
  }
  // NEW -> INVESTIGATING -> CONFIRMED or DISMISSED.
  const bool legal = (current == "NEW" && next == "INVESTIGATING") ||
                     (current == "INVESTIGATING" && (next == "CONFIRMED" || next == "DISMISSED"));
  if (!legal) {
    c.error(409, "illegal_transition",
            "an alert goes NEW -> INVESTIGATING -> CONFIRMED or DISMISSED; this one is " + current +
                ", not ready for " + std::string(next));
    return;
  }
  const std::string now = format_utc(SystemClock().now());
  std::vector<store::Store::Statement> statements;
  statements.push_back(
      {"UPDATE " + store::table_name(kind, "fraud_alerts") +
           " SET status = $1, investigated_by = $2, note = COALESCE($3, note), updated_at = $4"
           " WHERE alert_id = $5 AND status = $6",
       {std::string(next), c.claims->username,
        c.body_has("note") ? std::optional<std::string>(note) : std::nullopt, now,
        std::to_string(id), current}});
  if (next == "CONFIRMED" || next == "DISMISSED") {
    // Analysts' verdicts are labels: rule precision is measured from their work.
    const bool fraud = next == "CONFIRMED";
    statements.push_back(
        {"INSERT INTO " + store::table_name(kind, "labels") +
             " (transaction_id, is_fraud, pattern) VALUES ($1, $2, $3) ON CONFLICT"
             " (transaction_id) DO UPDATE SET is_fraud = excluded.is_fraud,"
             " pattern = excluded.pattern",
         {transaction_id,
          std::string(kind == "postgresql" ? (fraud ? "true" : "false") : (fraud ? "1" : "0")),
          "analyst:" + alert_type.substr(0, alert_type.find(' '))}});
  }
  auto changed = db.execute_all(statements);
  if (!changed.ok()) throw StoreUnavailable(changed.error().message);
  if ((*changed)[0] != 1) {
    c.error(409, "conflict", "the alert changed meanwhile; read it again");
    return;
  }
  c.audit("alert_" + std::string(next == "INVESTIGATING" ? "investigate"
                                 : next == "CONFIRMED"   ? "confirm"
                                                         : "dismiss"),
          "alert " + std::to_string(id), current + " -> " + std::string(next));
  std::string out;
  Status read = db.query_text(alert_select(kind) + " WHERE a.alert_id = $1", {std::to_string(id)},
                              [&](const std::vector<std::string_view>& r) {
                                JsonWriter w(&out);
                                write_alert(w, r);
                              });
  if (!read.ok()) throw StoreUnavailable(read.error().message);
  c.json(200, std::move(out));
}

// The mart's column names, from its CREATE TABLE (each column line has a {type}).
std::vector<std::string> mart_columns(const marts::Mart& m) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < m.table_sql.size()) {
    size_t end = m.table_sql.find('\n', at);
    std::string_view line(m.table_sql.data() + at,
                          (end == std::string::npos ? m.table_sql.size() : end) - at);
    at = end == std::string::npos ? m.table_sql.size() : end + 1;
    size_t first = line.find_first_not_of(' ');
    if (first == std::string_view::npos || first == 0) continue;
    line.remove_prefix(first);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view rest = line.substr(space);
    if (rest.find_first_not_of(' ') != std::string_view::npos &&
        rest[rest.find_first_not_of(' ')] == '{') {
      out.emplace_back(line.substr(0, space));
    }
  }
  return out;
}

void mart(Call& c) {
  const marts::Mart* m = marts::find_mart(c.path("name"));
  if (m == nullptr) {
    c.error(404, "not_found", "no mart named '" + c.path("name") + "'");
    return;
  }
  auto date = c.query("date");
  if (!date || date->size() != 10 || !parse_date(*date).ok()) {
    c.error(400, "bad_request", "'date' (YYYY-MM-DD) is required");
    return;
  }
  const std::vector<std::string> columns = mart_columns(*m);
  std::string list;
  for (const std::string& col : columns) list += (list.empty() ? "" : ", ") + col;
  store::Store& db = c.db();
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("mart").string(m->name);
  w.key("date").string(*date);
  w.key("columns").begin_array();
  for (const std::string& col : columns) w.string(col);
  w.end_array();
  w.key("rows").begin_array();
  Status s = db.query_text("SELECT " + list + " FROM " + store::table_name(db.kind(), m->name) +
                               " WHERE " + m->date_column + " = $1 ORDER BY 1, 2",
                           {*date}, [&](const std::vector<std::string_view>& r) {
                             w.begin_array();
                             for (std::string_view v : r) w.string(v);
                             w.end_array();
                           });
  w.end_array().end_object();
  if (!s.ok()) {
    // Not built yet: no table.
    c.error(404, "not_found", m->name + " has not been built yet (walletflow marts build)");
    return;
  }
  c.json(200, std::move(out));
}

// The last `n` transactions matching `where` (with $1 = the id), newest first.
void recent(Call& c, JsonWriter& w, const std::string& where, const std::string& id,
            bool unmasked) {
  store::Store& db = c.db();
  w.key("recent").begin_array();
  Status s = db.query_text(
      tx_select(db.kind()) + " WHERE " + where + " ORDER BY f.event_ts DESC LIMIT 20", {id},
      [&](const std::vector<std::string_view>& r) { write_tx(w, r, unmasked); });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  w.end_array();
}

// Activity over the 30 days before the newest transaction of `where` ($1 = the id).
void risk(Call& c, JsonWriter& w, const std::string& where, const std::string& id) {
  store::Store& db = c.db();
  const std::string facts = store::table_name(db.kind(), "fact_transactions");
  std::string newest;
  Status s = db.query_text("SELECT " + store::utc_text(db.kind(), "MAX(f.event_ts)") + " FROM " +
                               facts + " f WHERE " + where,
                           {id}, [&](const auto& r) { newest = std::string(r[0]); });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  int64_t n = 0, flagged = 0, monitored = 0, amount = 0, counterparts = 0;
  if (!newest.empty()) {
    const std::string since = format_utc(*parse_rfc3339(newest) - 30 * kMicrosPerDay);
    s = db.query_text(
        "SELECT COUNT(*), SUM(CASE WHEN f.decision = 'FLAG' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN f.decision = 'MONITOR' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN f.status = 'SUCCESS' THEN f.amount_php ELSE 0 END),"
        " COUNT(DISTINCT " +
            std::string(where.starts_with("f.user_id") ? "f.merchant_id" : "f.user_id") +
            ") FROM " + facts + " f WHERE " + where + " AND f.event_ts >= $2",
        {id, since}, [&](const auto& r) {
          n = to_i64(r[0]);
          flagged = to_i64(r[1]);
          monitored = to_i64(r[2]);
          amount = to_i64(r[3]);
          counterparts = to_i64(r[4]);
        });
    if (!s.ok()) throw StoreUnavailable(s.error().message);
  }
  const double rate = n > 0 ? double(flagged) / double(n) : 0.0;
  w.key("risk").begin_object();
  w.key("window_days").number(int64_t{30});
  w.key("last_transaction_at");
  newest.empty() ? w.null() : w.string(newest);
  w.key("transactions").number(n);
  w.key("flagged").number(flagged);
  w.key("monitored").number(monitored);
  w.key("successful_amount_php_minor").number(amount);
  w.key(where.starts_with("f.user_id") ? "merchants" : "customers").number(counterparts);
  w.key("fraud_rate").number(rate, 4);
  w.key("level").string(flagged == 0 ? "low" : rate < 0.05 ? "medium" : "high");
  w.end_object();
}

// A user's or merchant's page: the profile row (`columns` of `table`, keyed by $1), its
// 30-day risk and recent transactions; masked for viewers, audited otherwise.
void profile_page(Call& c, const std::string& what, const std::string& table,
                  const std::string& key, const std::string& columns,
                  const std::function<void(JsonWriter&, const std::vector<std::string_view>&,
                                           bool unmasked)>& write_profile) {
  const std::string id = c.path("id");
  if (!id_like(id)) {
    c.error(400, "bad_request", "not a " + what + " id");
    return;
  }
  store::Store& db = c.db();
  const bool unmasked = c.claims->role >= Role::kAnalyst;
  std::string out;
  JsonWriter w(&out);
  bool found = false;
  Status s = db.query_text("SELECT " + columns + " FROM " + store::table_name(db.kind(), table) +
                               " WHERE " + key + " = $1",
                           {id}, [&](const std::vector<std::string_view>& r) {
                             found = true;
                             w.begin_object();
                             write_profile(w, r, unmasked);
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  if (!found) {
    c.error(404, "not_found", "no " + what + " " + id);
    return;
  }
  risk(c, w, "f." + key + " = $1", id);
  recent(c, w, "f." + key + " = $1", id, unmasked);
  w.key("masked").boolean(!unmasked);
  w.end_object();
  if (unmasked) c.audit("read_pii", what + " " + id, "");
  c.json(200, std::move(out));
}

void user(Call& c) {
  const std::string_view kind = c.db().kind();
  profile_page(
      c, "user", "dim_users", "user_id",
      "user_id, full_name, home_province, home_city, kyc_level, account_status, " +
          store::utc_text(kind, "created_at") + ", " + store::utc_text(kind, "last_txn_at"),
      [](JsonWriter& w, const std::vector<std::string_view>& r, bool unmasked) {
        w.key("user_id").string(r[0]);
        w.key("full_name").string(unmasked ? r[1] : std::string_view("***"));
        string_or_null(w, "home_province", r[2]);
        w.key("home_city").string(unmasked ? r[3] : std::string_view(r[3].empty() ? "" : "***"));
        w.key("kyc_level").number(to_i64(r[4]));
        w.key("account_status").string(r[5]);
        string_or_null(w, "created_at", r[6]);
        string_or_null(w, "last_txn_at", r[7]);
      });
}

void merchant(Call& c) {
  profile_page(c, "merchant", "dim_merchants", "merchant_id",
               "merchant_id, merchant_name, category, province, is_partner, risk_score",
               [](JsonWriter& w, const std::vector<std::string_view>& r, bool) {
                 w.key("merchant_id").string(r[0]);
                 w.key("merchant_name").string(r[1]);
                 w.key("category").string(r[2]);
                 string_or_null(w, "province", r[3]);
                 w.key("is_partner").boolean(r[4] == "1" || r[4] == "t");
                 w.key("risk_score").number(to_i64(r[5]));
               });
}

void overview(Call& c, const std::function<int64_t()>& source_lag) {
  auto minutes = c.int_param("minutes", 60, 1, 7 * 24 * 60);
  if (!minutes) return;
  store::Store& db = c.db();
  const std::string_view kind = db.kind();
  const Instant now = SystemClock().now();
  const std::string since = format_utc(now - *minutes * kMicrosPerMinute);
  int64_t n = 0, flagged = 0, monitored = 0, avg_us = 0, max_us = 0, dead = 0, open = 0;
  Status s = db.query_text(
      "SELECT COUNT(*), SUM(CASE WHEN f.decision = 'FLAG' THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN f.decision = 'MONITOR' THEN 1 ELSE 0 END),"
      " CAST(COALESCE(AVG(f.processing_us), 0) AS " +
          std::string(kind == "postgresql" ? "bigint" : "INTEGER") +
          "), COALESCE(MAX(f.processing_us), 0) FROM " +
          store::table_name(kind, "fact_transactions") +
          " f WHERE f.event_ts >= $1 AND f.event_ts < $2",  // not events stamped ahead
      {since, format_utc(now)}, [&](const auto& r) {
        n = to_i64(r[0]);
        flagged = to_i64(r[1]);
        monitored = to_i64(r[2]);
        avg_us = to_i64(r[3]);
        max_us = to_i64(r[4]);
      });
  if (s.ok()) {
    s = db.query_text("SELECT COUNT(*) FROM " + store::table_name(kind, "dead_letters") +
                          " WHERE received_at >= $1",
                      {since}, [&](const auto& r) { dead = to_i64(r[0]); });
  }
  if (s.ok()) {
    s = db.query_text("SELECT COUNT(*) FROM " + store::table_name(kind, "fraud_alerts") +
                          " WHERE status IN ('NEW', 'INVESTIGATING')",
                      {}, [&](const auto& r) { open = to_i64(r[0]); });
  }
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("window_minutes").number(*minutes);
  w.key("transactions").number(n);
  w.key("transactions_per_second").number(double(n) / double(*minutes * 60), 2);
  w.key("flagged").number(flagged);
  w.key("monitored").number(monitored);
  w.key("fraud_rate").number(n > 0 ? double(flagged) / double(n) : 0.0, 4);
  w.key("decision_us").begin_object().key("mean").number(avg_us).key("max").number(max_us);
  w.end_object();
  w.key("dead_letters").number(dead);
  w.key("open_alerts").number(open);
  w.key("source_lag");
  const int64_t lag = source_lag ? source_lag() : -1;
  lag < 0 ? w.null() : w.number(lag);
  w.key("at").string(format_utc(now));
  w.end_object();
  c.json(200, std::move(out));
}

void stream(Call& c, EventHub& hub) {
  auto min_score = c.int_param("min_score", 0, 0, 100);
  if (!min_score) return;
  bool decisions = true, alerts = true, stats = false;
  if (auto types = c.query("types")) {
    decisions = types->find("decision") != std::string::npos;
    alerts = types->find("alert") != std::string::npos;
    stats = types->find("stats") != std::string::npos;
    if ((!decisions && !alerts && !stats) || types->size() > 30) {
      c.error(400, "bad_request", "'types' is a comma list of decision, alert and stats");
      return;
    }
  }
  std::string decision = c.query("decision").value_or("");
  if (!decision.empty() && decision != "NORMAL" && decision != "MONITOR" && decision != "FLAG") {
    c.error(400, "bad_request", "'decision' must be NORMAL, MONITOR or FLAG");
    return;
  }
  std::string user = c.query("user_id").value_or("");
  if (!user.empty() && !id_like(user)) {
    c.error(400, "bad_request", "'user_id' is not a valid value");
    return;
  }
  // Resume after the last event a client saw (Last-Event-ID), else only new events.
  uint64_t seq = hub.last_seq();
  const std::string last_id = c.req.header("Last-Event-ID");
  if (!last_id.empty()) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(last_id.data(), last_id.data() + last_id.size(), v);
    if (ec == std::errc() && end == last_id.data() + last_id.size() && v <= seq) seq = v;
  }
  auto position = std::make_shared<uint64_t>(seq);
  c.status = 200;
  c.res.set_header("Cache-Control", "no-cache");
  c.res.set_header("X-Accel-Buffering", "no");
  c.res.content_type = "text/event-stream";
  c.res.stream = [&hub, position, decisions, alerts, stats, decision, user,
                  min = *min_score](const ChunkWriter& write) {
    std::string out;
    for (const HubEvent& e : hub.after(*position, kMicrosPerSecond)) {
      *position = e.seq;
      if (e.type == "stats") {
        if (!stats) continue;  // the filters below are about transactions
      } else {
        if ((e.type == "decision" && !decisions) || (e.type == "alert" && !alerts)) continue;
        if (!decision.empty() && e.decision != decision) continue;
        if (e.score < min || (!user.empty() && e.user_id != user)) continue;
      }
      out += "id: " + std::to_string(e.seq) + "\nevent: " + e.type + "\ndata: " + e.json + "\n\n";
    }
    if (out.empty()) out = ": keep-alive\n\n";  // also finds clients that left
    if (!write(out)) return false;
    return !hub.closed();
  };
}

void get_rules(Call& c, const ServerOptions& o) {
  std::string text;
  std::string source;
  if (!o.rules_file.empty()) {
    std::ifstream in(o.rules_file, std::ios::binary);
    if (!in) {
      c.error(503, "unavailable", "cannot read the rules file");
      return;
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    source = "file:" + o.rules_file;
  } else {
    text = std::string(rules::RulePack::builtin_text(o.profile));
    source = "builtin:" + o.profile;
  }
  auto pack = rules::RulePack::parse(text, source);
  // Hits and live precision from analysts' verdicts, per rule that decided an alert.
  struct Stats {
    int64_t alerts = 0, confirmed = 0, dismissed = 0;
  };
  std::map<std::string, Stats> stats;
  store::Store& db = c.db();
  Status s = db.query_text("SELECT alert_type, status, COUNT(*) FROM " +
                               store::table_name(db.kind(), "fraud_alerts") +
                               " GROUP BY alert_type, status",
                           [&](const std::vector<std::string_view>& r) {
                             Stats& st = stats[std::string(r[0].substr(0, r[0].find(' ')))];
                             const int64_t n = to_i64(r[2]);
                             st.alerts += n;
                             if (r[1] == "CONFIRMED") st.confirmed += n;
                             if (r[1] == "DISMISSED") st.dismissed += n;
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("source").string(source);
  w.key("editable").boolean(!o.rules_file.empty());
  w.key("version");
  pack.ok() ? w.string(pack->version()) : w.null();
  if (!pack.ok()) w.key("problems").string(pack.error().message);
  w.key("rules").begin_array();
  for (const rules::Rule& rule : pack.ok() ? pack->rules() : std::vector<rules::Rule>{}) {
    const Stats& st = stats[rule.id];
    w.begin_object();
    w.key("id").string(rule.id);
    w.key("name").string(rule.name);
    w.key("score").number(int64_t{rule.score});
    w.key("alerts").number(st.alerts);
    w.key("confirmed").number(st.confirmed);
    w.key("dismissed").number(st.dismissed);
    w.key("precision");
    st.confirmed + st.dismissed > 0
        ? w.number(double(st.confirmed) / double(st.confirmed + st.dismissed), 4)
        : w.null();
    w.end_object();
  }
  w.end_array();
  w.key("toml").string(text);
  w.end_object();
  c.json(200, std::move(out));
}

void put_rules(Call& c, const ServerOptions& o) {
  if (o.rules_file.empty()) {
    c.error(409, "not_editable",
            "the built-in rule pack is running; start with --rules FILE to edit rules here");
    return;
  }
  const std::string_view text = c.body_string("toml");
  if (text.empty()) {
    c.error(400, "bad_request", "'toml' (the whole rules file, a string) is required");
    return;
  }
  // The same checks as the file watcher: a pack that does not compile is refused whole.
  auto pack = rules::RulePack::parse(text, "rules");
  if (!pack.ok()) {
    c.error(400, "invalid_rules", pack.error().message);
    return;
  }
  const std::string tmp = o.rules_file + ".tmp-api";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      c.error(503, "unavailable", "cannot write the rules file");
      return;
    }
  }
  if (std::rename(tmp.c_str(), o.rules_file.c_str()) != 0) {
    c.error(503, "unavailable", "cannot replace the rules file");
    return;
  }
  c.audit("rules_replace", o.rules_file, "version " + pack->version());
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("version").string(pack->version());
  w.key("rules").number(static_cast<int64_t>(pack->rules().size()));
  w.key("source").string("file:" + o.rules_file);
  w.end_object();
  c.json(200, std::move(out));
}

// What the store holds: dead letters by code, alerts by rule and status.
// The alert id in the path, or nullopt after answering 400.
std::optional<int64_t> alert_id(Call& c) {
  const std::string text = c.path("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    c.error(400, "bad_request", "the alert id is a positive integer");
    return std::nullopt;
  }
  return id;
}

// One transaction as write_tx writes it, or JSON null when the store has none.
bool write_tx_by_id(Call& c, JsonWriter& w, const std::string& id, bool unmasked) {
  store::Store& db = c.db();
  bool found = false;
  Status s = db.query_text(tx_select(db.kind()) + " WHERE f.transaction_id = $1", {id},
                           [&](const std::vector<std::string_view>& r) {
                             found = true;
                             write_tx(w, r, unmasked);
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  if (!found) w.null();
  return found;
}

// An alert with its transaction: what an analyst opens from the queue.
void alert(Call& c) {
  auto id = alert_id(c);
  if (!id) return;
  store::Store& db = c.db();
  std::string alert_json, tx_id;
  Status s = db.query_text(alert_select(db.kind()) + " WHERE a.alert_id = $1",
                           {std::to_string(*id)}, [&](const std::vector<std::string_view>& r) {
                             JsonWriter a(&alert_json);
                             write_alert(a, r);
                             tx_id = std::string(r[1]);
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  if (alert_json.empty()) {
    c.error(404, "not_found", "no alert " + std::to_string(*id));
    return;
  }
  const bool unmasked = c.claims->role >= Role::kAnalyst;
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("alert").raw(alert_json);
  w.key("transaction");
  write_tx_by_id(c, w, tx_id, unmasked);
  w.key("masked").boolean(!unmasked);
  w.end_object();
  if (unmasked) c.audit("read_pii", "alert " + std::to_string(*id), "");
  c.json(200, std::move(out));
}

void transaction(Call& c) {
  const std::string id = c.path("id");
  if (!id_like(id)) {
    c.error(400, "bad_request", "not a transaction id");
    return;
  }
  const bool unmasked = c.claims->role >= Role::kAnalyst;
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("transaction");
  if (!write_tx_by_id(c, w, id, unmasked)) {
    c.error(404, "not_found", "no transaction " + id);
    return;
  }
  w.key("masked").boolean(!unmasked);
  w.end_object();
  if (unmasked) c.audit("read_pii", "transaction " + id, "");
  c.json(200, std::move(out));
}

// Per minute over the window (oldest first): the overview's charts.
void series(Call& c) {
  auto minutes = c.int_param("minutes", 60, 1, 7 * 24 * 60);
  if (!minutes) return;
  store::Store& db = c.db();
  const std::string_view kind = db.kind();
  const Instant now = SystemClock().now();
  const std::string minute = kind == "postgresql"
                                 ? "to_char(date_trunc('minute', f.event_ts AT TIME ZONE 'UTC'),"
                                   " 'YYYY-MM-DD\"T\"HH24:MI:00\"Z\"')"
                                 : "substr(f.event_ts, 1, 16) || ':00Z'";
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("window_minutes").number(*minutes);
  w.key("points").begin_array();
  Status s =
      db.query_text("SELECT " + minute +
                        " AS m, COUNT(*), SUM(CASE WHEN f.decision = 'FLAG' THEN 1 ELSE 0 END),"
                        " SUM(CASE WHEN f.decision = 'MONITOR' THEN 1 ELSE 0 END),"
                        " CAST(COALESCE(AVG(f.processing_us), 0) AS " +
                        std::string(kind == "postgresql" ? "bigint" : "INTEGER") + ") FROM " +
                        store::table_name(kind, "fact_transactions") +
                        " f WHERE f.event_ts >= $1 AND f.event_ts < $2 GROUP BY m ORDER BY m",
                    {format_utc(now - *minutes * kMicrosPerMinute), format_utc(now)},
                    [&](const std::vector<std::string_view>& r) {
                      w.begin_object();
                      w.key("minute").string(r[0]);
                      w.key("transactions").number(to_i64(r[1]));
                      w.key("flagged").number(to_i64(r[2]));
                      w.key("monitored").number(to_i64(r[3]));
                      w.key("decision_us_mean").number(to_i64(r[4]));
                      w.end_object();
                    });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  w.end_array().end_object();
  c.json(200, std::move(out));
}

void ops_jobs(Call& c) {
  auto limit = c.int_param("limit", 50, 1, kMaxPage);
  if (!limit) return;
  store::Store& db = c.db();
  const std::string_view kind = db.kind();
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("data").begin_array();
  Status s = db.query_text("SELECT run_id, job, trigger, attempt, status, " +
                               store::utc_text(kind, "started_at") + ", " +
                               store::utc_text(kind, "finished_at") + ", rows, error FROM " +
                               store::table_name(kind, "job_runs") +
                               " ORDER BY run_id DESC LIMIT " + std::to_string(*limit),
                           {}, [&](const std::vector<std::string_view>& r) {
                             w.begin_object();
                             w.key("run_id").number(to_i64(r[0]));
                             w.key("job").string(r[1]);
                             w.key("trigger").string(r[2]);
                             w.key("attempt").number(to_i64(r[3]));
                             w.key("status").string(r[4]);
                             w.key("started_at").string(r[5]);
                             string_or_null(w, "finished_at", r[6]);
                             w.key("rows");
                             r[7].empty() ? w.null() : w.number(to_i64(r[7]));
                             string_or_null(w, "error", r[8]);
                             w.end_object();
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  w.end_array().end_object();
  c.json(200, std::move(out));
}

void ops_quality(Call& c) {
  store::Store& db = c.db();
  const std::string_view kind = db.kind();
  const std::string table = store::table_name(kind, "dq_results");
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("data").begin_array();
  Status s = db.query_text("SELECT check_name, kind, target, severity, status, observed, detail, " +
                               store::utc_text(kind, "checked_at") + " FROM " + table +
                               " WHERE run_id = (SELECT MAX(run_id) FROM " + table +
                               ") ORDER BY check_name",
                           {}, [&](const std::vector<std::string_view>& r) {
                             w.begin_object();
                             w.key("check").string(r[0]);
                             w.key("kind").string(r[1]);
                             w.key("target").string(r[2]);
                             w.key("severity").string(r[3]);
                             w.key("status").string(r[4]);
                             w.key("observed");
                             r[5].empty() ? w.null() : w.number(to_i64(r[5]));
                             w.key("detail").string(r[6]);
                             w.key("checked_at").string(r[7]);
                             w.end_object();
                           });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  w.end_array().end_object();
  c.json(200, std::move(out));
}

void ops_dead_letters(Call& c) {
  store::Store& db = c.db();
  const std::string_view kind = db.kind();
  const std::string table = store::table_name(kind, "dead_letters");
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("by_code").begin_array();
  Status s = db.query_text(
      "SELECT error_code, COUNT(*) FROM " + table + " GROUP BY error_code ORDER BY 2 DESC", {},
      [&](const std::vector<std::string_view>& r) {
        w.begin_object().key("code").string(r[0]).key("count").number(to_i64(r[1])).end_object();
      });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  w.end_array().key("recent").begin_array();
  // The raw records stay out: redacted, but still the sender's data (analysts use the CLI).
  s = db.query_text("SELECT id, " + store::utc_text(kind, "received_at") +
                        ", source, error_code, message FROM " + table +
                        " ORDER BY id DESC LIMIT 20",
                    {}, [&](const std::vector<std::string_view>& r) {
                      w.begin_object();
                      w.key("id").number(to_i64(r[0]));
                      w.key("received_at").string(r[1]);
                      w.key("source").string(r[2]);
                      w.key("code").string(r[3]);
                      w.key("message").string(r[4]);
                      w.end_object();
                    });
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  w.end_array().end_object();
  c.json(200, std::move(out));
}

std::string store_metrics(store::Store& db) {
  std::string out =
      "# HELP walletflow_dead_letters Dead letters held in the store, by error code.\n"
      "# TYPE walletflow_dead_letters gauge\n";
  Status s = db.query_text(
      "SELECT error_code, COUNT(*) FROM " + store::table_name(db.kind(), "dead_letters") +
          " GROUP BY error_code ORDER BY 1",
      [&](const std::vector<std::string_view>& r) {
        out += "walletflow_dead_letters{code=\"" + prometheus_label(std::string(r[0])) + "\"} " +
               std::string(r[1]) + "\n";
      });
  out +=
      "# HELP walletflow_alerts Fraud alerts by rule (the one that decided) and case status.\n"
      "# TYPE walletflow_alerts gauge\n";
  std::map<std::pair<std::string, std::string>, int64_t> alerts;
  if (s.ok()) {
    s = db.query_text("SELECT alert_type, status, COUNT(*) FROM " +
                          store::table_name(db.kind(), "fraud_alerts") +
                          " GROUP BY alert_type, status",
                      [&](const std::vector<std::string_view>& r) {
                        std::string rule(r[0].substr(0, r[0].find(' ')));
                        alerts[{rule, std::string(r[1])}] += to_i64(r[2]);
                      });
  }
  if (!s.ok()) throw StoreUnavailable(s.error().message);
  for (const auto& [key, n] : alerts) {
    out += "walletflow_alerts{rule=\"" + prometheus_label(key.first) + "\",status=\"" + key.second +
           "\"} " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace

void Server::add_routes() {
  auto& r = routes_;
  r.push_back({"GET", "/health", std::nullopt, "Liveness", {}, {}, health, /*fast=*/true});
  r.push_back({"GET",
               "/ready",
               std::nullopt,
               "Readiness: the store answers, the lag is small",
               {},
               {},
               [this](Call& c) {
                 int64_t one = 0;
                 Status s =
                     c.db().query_text("SELECT 1", [&](const auto& row) { one = to_i64(row[0]); });
                 const int64_t lag = source_lag_ ? source_lag_() : -1;
                 if (!s.ok() || one != 1) {
                   c.error(503, "unavailable", "the store does not answer");
                 } else if (lag > options_.ready_max_lag) {
                   c.error(503, "lagging", "source lag " + std::to_string(lag) + " records");
                 } else {
                   c.json(200, R"({"status":"ready","lag":)" + std::to_string(lag) + "}");
                 }
               }});
  r.push_back({"GET", "/metrics", std::nullopt, "Prometheus metrics", {}, {}, [this](Call& c) {
                 std::string text = metrics_.text();
                 text += store_metrics(c.db());
                 if (extra_metrics_) text += extra_metrics_();
                 c.status = 200;
                 c.res.set_content(text, "text/plain; version=0.0.4");
               }});
  r.push_back({"GET",
               "/openapi.json",
               std::nullopt,
               "This API's OpenAPI 3.1 document",
               {},
               {},
               [this](Call& c) { c.json(200, openapi()); },
               /*fast=*/true});
  r.push_back({"POST",
               "/api/v1/auth/login",
               std::nullopt,
               "Log in: a bearer token",
               {},
               {"username", "password"},
               [this](Call& c) { login(c, tokens_, user_limiter_, address_limiter_); }});
  r.push_back({"GET", "/api/v1/auth/me", Role::kViewer, "The caller", {}, {}, me, /*fast=*/true});
  const Param limit{"limit", "integer", "page size, 1-500 (default 50)"};
  const Param from{"from", "string", "RFC 3339, inclusive"};
  const Param to{"to", "string", "RFC 3339, exclusive"};
  const Param min_score{"min_score", "integer", "fraud score at least (0-100)"};
  r.push_back({"GET",
               "/api/v1/analytics/transactions",
               Role::kViewer,
               "Scored transactions, newest first; PII masked for viewers",
               {{"user_id", "string", "user"},
                {"merchant_id", "string", "merchant"},
                {"type", "string", "transaction type"},
                {"channel", "string", "channel"},
                {"decision", "string", "NORMAL, MONITOR or FLAG"},
                min_score,
                from,
                to,
                limit,
                {"cursor", "string", "next_cursor of the previous page"}},
               {},
               transactions});
  r.push_back({"GET",
               "/api/v1/analytics/fraud-alerts",
               Role::kViewer,
               "Fraud alerts, newest first",
               {{"status", "string", "NEW, INVESTIGATING, CONFIRMED or DISMISSED"},
                {"rule", "string", "rule id, e.g. R001"},
                min_score,
                from,
                to,
                limit,
                {"cursor", "integer", "next_cursor of the previous page"}},
               {},
               fraud_alerts});
  r.push_back({"GET",
               "/api/v1/alerts/{id}",
               Role::kViewer,
               "An alert with its transaction (PII masked for viewers)",
               {},
               {},
               alert});
  r.push_back({"GET",
               "/api/v1/transactions/{id}",
               Role::kViewer,
               "One transaction (PII masked for viewers)",
               {},
               {},
               transaction});
  r.push_back({"GET",
               "/api/v1/stats/series",
               Role::kViewer,
               "Transactions, flagged, monitored and decision time per minute",
               {{"minutes", "integer", "window (default 60, at most 10080)"}},
               {},
               series});
  r.push_back({"GET",
               "/api/v1/ops/jobs",
               Role::kViewer,
               "Scheduled job runs, newest first",
               {limit},
               {},
               ops_jobs});
  r.push_back({"GET",
               "/api/v1/ops/quality",
               Role::kViewer,
               "The latest data-quality run's results",
               {},
               {},
               ops_quality});
  r.push_back({"GET",
               "/api/v1/ops/dead-letters",
               Role::kViewer,
               "Dead letters by error code, and the latest ones (without their records)",
               {},
               {},
               ops_dead_letters});
  r.push_back({"PATCH",
               "/api/v1/alerts/{id}",
               Role::kAnalyst,
               "Case work: NEW -> INVESTIGATING -> CONFIRMED or DISMISSED",
               {},
               {"status", "note"},
               patch_alert});
  r.push_back(
      {"POST",
       "/api/v1/score",
       Role::kAnalyst,
       "A decision for one transaction before it is authorised: the stream's rules and "
       "state, which it leaves as they are",
       {},
       {std::begin(domain::kEventFields), std::end(domain::kEventFields)},
       [this](Call& c) {
         if (!scorer_) {
           c.error(503, "unavailable", "scoring runs where the stream's state is: walletflow run");
           return;
         }
         auto scored = scorer_(c.req.body);
         if (!scored.ok()) {
           // A record's error (a dead-letter code) is the caller's; any other, ours.
           if (scored.error().code < Errc::kInvalidArgument) {
             c.error(400, std::string(errc_name(scored.error().code)), scored.error().message);
           } else {
             c.error(503, "unavailable", scored.error().message);
           }
           return;
         }
         c.json(200, std::move(*scored));
       },
       /*fast=*/true});
  r.push_back({"GET",
               "/api/v1/rules",
               Role::kViewer,
               "The ruleset: text, version, and each rule's alerts and live precision",
               {},
               {},
               [this](Call& c) { get_rules(c, options_); }});
  r.push_back({"PUT",
               "/api/v1/rules",
               Role::kAdmin,
               "Replace the ruleset (validated whole; running processes reload it)",
               {},
               {"toml"},
               [this](Call& c) { put_rules(c, options_); }});
  r.push_back({"GET",
               "/api/v1/stream",
               Role::kViewer,
               "Server-sent events: decisions and alerts as they are committed",
               {{"types", "string",
                 "comma list of decision, alert, stats (default decision,alert); stats: "
                 "the pipeline's live figures once a second"},
                {"decision", "string", "only this decision"},
                min_score,
                {"user_id", "string", "only this user"}},
               {},
               [this](Call& c) { stream(c, hub_); },
               /*fast=*/true});
  r.push_back({"GET",
               "/api/v1/users/{id}",
               Role::kViewer,
               "A user: profile, 30-day risk, recent transactions",
               {},
               {},
               user});
  r.push_back({"GET",
               "/api/v1/merchants/{id}",
               Role::kViewer,
               "A merchant: profile, 30-day risk, recent transactions",
               {},
               {},
               merchant});
  r.push_back({"GET",
               "/api/v1/stats/overview",
               Role::kViewer,
               "Throughput, fraud rate, flagged, decision time, lag over the last minutes",
               {{"minutes", "integer", "window (default 60)"}},
               {},
               [this](Call& c) { overview(c, source_lag_); }});
  r.push_back({"GET",
               "/api/v1/marts/{name}",
               Role::kViewer,
               "A gold mart's rows for a day",
               {{"date", "string", "YYYY-MM-DD", true}},
               {},
               mart});
}

std::string Server::openapi() const {
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("openapi").string("3.1.0");
  w.key("info").begin_object().key("title").string("walletflow API");
  w.key("version").string("1").end_object();
  w.key("components").begin_object().key("securitySchemes").begin_object();
  w.key("bearer").begin_object().key("type").string("http").key("scheme").string("bearer");
  w.key("bearerFormat").string("JWT").end_object();
  w.end_object();
  w.key("schemas").begin_object().key("Error").begin_object().key("type").string("object");
  w.key("properties").begin_object().key("error").begin_object().key("type").string("object");
  w.key("properties").begin_object();
  w.key("code").begin_object().key("type").string("string").end_object();
  w.key("message").begin_object().key("type").string("string").end_object();
  w.end_object().end_object().end_object().end_object().end_object();
  w.end_object();
  w.key("paths").begin_object();
  std::set<std::string> done;
  for (const Route& route : routes_) {
    if (!done.insert(route.path).second) continue;
    w.key(route.path).begin_object();
    for (const Route& op : routes_) {
      if (op.path != route.path) continue;
      std::string method = op.method;
      for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      w.key(method).begin_object();
      w.key("summary").string(op.summary);
      if (op.role) {
        w.key("security").begin_array().begin_object().key("bearer").begin_array().end_array();
        w.end_object().end_array();
        w.key("x-role").string(role_name(*op.role));
      }
      w.key("parameters").begin_array();
      size_t at = 0;
      while ((at = op.path.find('{', at)) != std::string::npos) {
        size_t close = op.path.find('}', at);
        w.begin_object().key("name").string(op.path.substr(at + 1, close - at - 1));
        w.key("in").string("path").key("required").boolean(true);
        w.key("schema").begin_object().key("type").string("string").end_object().end_object();
        at = close;
      }
      for (const Param& p : op.query) {
        w.begin_object().key("name").string(p.name).key("in").string("query");
        w.key("required").boolean(p.required).key("description").string(p.description);
        w.key("schema").begin_object().key("type").string(p.type).end_object().end_object();
      }
      w.end_array();
      if (!op.body.empty()) {
        w.key("requestBody").begin_object().key("required").boolean(true);
        w.key("content").begin_object().key("application/json").begin_object();
        w.key("schema").begin_object().key("type").string("object");
        w.key("additionalProperties").boolean(false).key("properties").begin_object();
        for (const std::string& f : op.body) {
          w.key(f).begin_object().key("type").string("string").end_object();
        }
        w.end_object().end_object().end_object().end_object().end_object();
      }
      w.key("responses").begin_object();
      w.key("200").begin_object().key("description").string("OK").end_object();
      w.key("default").begin_object().key("description").string("Error");
      w.key("content").begin_object().key("application/json").begin_object();
      w.key("schema").begin_object().key("$ref").string("#/components/schemas/Error");
      w.end_object().end_object().end_object().end_object();
      w.end_object();
      w.end_object();
    }
    w.end_object();
  }
  w.end_object();
  w.end_object();
  return out;
}

}  // namespace wf::api
