#include "store/postgres/pg_store.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>
#include <unordered_set>

#include "core/log.h"
#include "store/postgres/copy_writer.h"
#include "store/postgres/migrations.h"

namespace wf::store::postgres {
namespace {

using Params = std::vector<std::optional<std::string>>;

// Months since year 0 of the UTC instant: the partition a row belongs to.
int64_t month_of(Instant t) {
  int64_t days = t / kMicrosPerDay - (t % kMicrosPerDay < 0 ? 1 : 0);
  CivilDate d = civil_from_days(days);
  return int64_t{d.year} * 12 + (d.month - 1);
}

Instant month_start(int64_t month) {
  return days_from_civil(static_cast<int>(month / 12), static_cast<unsigned>(month % 12 + 1), 1) *
         kMicrosPerDay;
}

std::string month_start_text(int64_t month) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-01 00:00:00+00", static_cast<long long>(month / 12),
                static_cast<long long>(month % 12 + 1));
  return buf;
}

std::string partition_name(int64_t month) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "fact_transactions_y%04lldm%02lld",
                static_cast<long long>(month / 12), static_cast<long long>(month % 12 + 1));
  return buf;
}

// Text PostgreSQL accepts: invalid UTF-8 bytes (messages may quote bad input) become '?'.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && c != 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

std::string hex_bytea(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// A text[] literal for an = ANY($1) parameter.
std::string text_array(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

domain::Verdict verdict_of(std::string_view decision) {
  return decision == "FLAG"      ? domain::Verdict::kFlag
         : decision == "MONITOR" ? domain::Verdict::kMonitor
                                 : domain::Verdict::kNormal;
}

int64_t to_int(std::string_view v) {
  int64_t out = 0;
  bool negative = !v.empty() && v[0] == '-';
  for (size_t i = negative ? 1 : 0; i < v.size(); ++i) out = out * 10 + (v[i] - '0');
  return negative ? -out : out;
}

// Rolls back unless committed: every early return leaves the connection usable.
class Txn {
 public:
  explicit Txn(Conn& conn) : conn_(conn) {}
  Status begin() {
    WF_RETURN_IF_ERROR(conn_.exec("BEGIN"));
    open_ = true;
    return Status::Ok();
  }
  Status commit() {
    open_ = false;
    return conn_.exec("COMMIT");
  }
  ~Txn() {
    if (open_ && conn_.ok()) (void)conn_.exec("ROLLBACK");
  }

 private:
  Conn& conn_;
  bool open_ = false;
};

// The session's staging table for a batch's ids (when some may be duplicates).
constexpr std::string_view kStageIds =
    "CREATE TEMP TABLE IF NOT EXISTS wf_stage_ids (transaction_id text, event_ts timestamptz,"
    " user_id text) ON COMMIT DELETE ROWS";

constexpr std::string_view kFactColumns =
    "transaction_id, event_ts, user_id, merchant_id, counterparty_id, transaction_type,"
    " amount_minor, currency, amount_php, channel, payment_method, status, country, province,"
    " city, lat, lon, device_id, ip_hash, phone_hash, quantity, fraud_score, fraud_flag,"
    " decision, rules_fired, processing_us, source, source_offset, ruleset_version, reasons,"
    " ingest_seq, product_id, model_score";
constexpr int16_t kFactFields = 33;

// Reads a query's rows in pieces through a cursor (large scans never sit in memory).
template <class F>
Status scan_cursor(Conn& conn, const std::string& sql, const Params& params, F on_row) {
  Txn txn(conn);
  WF_RETURN_IF_ERROR(txn.begin());
  auto declared = conn.query("DECLARE wf_scan NO SCROLL CURSOR FOR " + sql, params);
  if (!declared.ok()) return declared.take_error();
  for (;;) {
    auto rows = conn.query("FETCH 20000 FROM wf_scan");
    if (!rows.ok()) return rows.take_error();
    const PGresult* r = rows->get();
    int n = PQntuples(r);
    for (int i = 0; i < n; ++i) on_row(r, i);
    if (n < 20000) break;
  }
  WF_RETURN_IF_ERROR(conn.exec("CLOSE wf_scan"));
  return txn.commit();
}

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& uri, PgOptions options) {
  std::unique_ptr<PgStore> s(new PgStore(uri, options));
  auto conn = Conn::connect(uri);
  if (!conn.ok()) return conn.take_error();
  s->conn_ = std::move(*conn);
  return s;
}

Status PgStore::reconnect() {
  auto conn = Conn::connect(uri_);
  if (!conn.ok()) return conn.take_error();
  conn_ = std::move(*conn);
  ++reconnects_;
  // Temporary staging tables belong to the old session; recreate them lazily.
  return conn_.exec(kStageIds);
}

template <class F>
auto PgStore::with_retry(std::string_view what, F attempt) -> decltype(attempt(false)) {
  return retry_transient(
      options_, what, "PostgreSQL unreachable", attempt,
      [&](const auto& r) -> std::string {
        const bool lost =
            r.error().code == Errc::kStore && (!conn_.ok() || conn_.last_error().connection_lost);
        return lost ? "connection lost" : "";
      },
      [&](int) {
        if (Status s = reconnect(); !s.ok()) {
          log::warn("store: reconnect failed: " + s.error().message);
        }
      });
}

Status PgStore::migrate() {
  auto r = with_retry("migrate", [&](bool) -> Result<int> {
    Txn txn(conn_);
    WF_RETURN_IF_ERROR(txn.begin());
    // One migrator at a time (several instances may start together).
    WF_RETURN_IF_ERROR(conn_.exec("SELECT pg_advisory_xact_lock(7220451001)"));
    WF_RETURN_IF_ERROR(
        conn_.exec("CREATE SCHEMA IF NOT EXISTS ops;"
                   "CREATE TABLE IF NOT EXISTS ops.schema_migrations (version integer PRIMARY KEY,"
                   " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"));
    auto have = conn_.query("SELECT coalesce(max(version), 0) FROM ops.schema_migrations");
    if (!have.ok()) return have.take_error();
    int current = static_cast<int>(to_int(field(have->get(), 0, 0)));
    if (current > kLatestMigration) {
      return make_error(Errc::kStore, "the store's schema is at migration " +
                                          std::to_string(current) +
                                          ", newer than this walletflow knows (" +
                                          std::to_string(kLatestMigration) +
                                          "): upgrade walletflow before using this store");
    }
    int applied = 0;
    for (const Migration& m : migrations()) {
      if (m.version <= current) continue;
      WF_RETURN_IF_ERROR(conn_.exec(m.sql));
      auto rec = conn_.query("INSERT INTO ops.schema_migrations (version, name) VALUES ($1, $2)",
                             {std::to_string(m.version), std::string(m.name)});
      if (!rec.ok()) return rec.take_error();
      ++applied;
    }
    WF_RETURN_IF_ERROR(txn.commit());
    return applied;
  });
  if (!r.ok()) return r.take_error();
  if (*r > 0) log::info("store: applied " + std::to_string(*r) + " PostgreSQL migration(s)");
  WF_RETURN_IF_ERROR(conn_.exec(kStageIds));
  auto made = ensure_partitions_ahead(options_.months_ahead);
  if (!made.ok()) return made.take_error();
  return Status::Ok();
}

Status PgStore::ensure_months(int64_t first_month, int64_t last_month, int* created) {
  if (months_.empty()) {
    auto have = conn_.query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'silver.fact_transactions'::regclass");
    if (!have.ok()) return have.take_error();
    for (int i = 0; i < PQntuples(have->get()); ++i) {
      std::string_view name = field(have->get(), i, 0);  // fact_transactions_y2026m11
      size_t y = name.rfind("_y");
      if (y == std::string_view::npos || name.size() < y + 9) continue;
      int64_t year = to_int(name.substr(y + 2, 4));
      int64_t month = to_int(name.substr(y + 7, 2));
      months_.insert(year * 12 + month - 1);
    }
  }
  for (int64_t m = first_month; m <= last_month; ++m) {
    if (months_.count(m) > 0) continue;
    Txn txn(conn_);
    WF_RETURN_IF_ERROR(txn.begin());
    WF_RETURN_IF_ERROR(conn_.exec("SELECT pg_advisory_xact_lock(7220451002)"));
    auto exists =
        conn_.query("SELECT to_regclass($1) IS NOT NULL", {"silver." + partition_name(m)});
    if (!exists.ok()) return exists.take_error();
    if (field(exists->get(), 0, 0) != "t") {
      WF_RETURN_IF_ERROR(conn_.exec("CREATE TABLE silver." + partition_name(m) +
                                    " PARTITION OF silver.fact_transactions FOR VALUES FROM ('" +
                                    month_start_text(m) + "') TO ('" + month_start_text(m + 1) +
                                    "')"));
      if (created != nullptr) ++*created;
    }
    WF_RETURN_IF_ERROR(txn.commit());
    months_.insert(m);
  }
  return Status::Ok();
}

Result<int> PgStore::ensure_partitions_ahead(int months_ahead) {
  return with_retry("partitions", [&](bool) -> Result<int> {
    int created = 0;
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const int64_t current = month_of(now);
    WF_RETURN_IF_ERROR(ensure_months(current, current + months_ahead, &created));
    return created;
  });
}

Result<int> PgStore::maintain(int months_ahead) {
  auto created = ensure_partitions_ahead(months_ahead);
  if (!created.ok()) return created;
  auto analyzed = with_retry("analyze", [&](bool) -> Result<int> {
    WF_RETURN_IF_ERROR(
        conn_.exec("ANALYZE silver.fact_transactions; ANALYZE silver.transaction_ids;"
                   " ANALYZE silver.fraud_alerts"));
    return 0;
  });
  if (!analyzed.ok()) return analyzed.take_error();
  return created;
}

Status PgStore::upsert_users(std::span<const domain::User> users) {
  auto r = with_retry("upsert users", [&](bool) -> Result<int> {
    Txn txn(conn_);
    WF_RETURN_IF_ERROR(txn.begin());
    WF_RETURN_IF_ERROR(
        conn_.exec("CREATE TEMP TABLE IF NOT EXISTS wf_stage_users (LIKE silver.dim_users)"
                   " ON COMMIT DELETE ROWS"));
    copy_.clear();
    CopyWriter w(&copy_);
    for (const domain::User& u : users) {
      w.row(11);
      w.text(u.user_id);
      w.text_or_null(u.phone_hash);
      w.text(u.full_name);
      w.text_or_null(u.home_province);
      w.text_or_null(u.home_city);
      w.int4(u.kyc_level);
      w.text(u.account_status);
      if (u.created_at != 0) {
        w.timestamptz(u.created_at);
      } else {
        w.null();
      }
      if (u.last_txn_at != 0) {
        w.timestamptz(u.last_txn_at);
      } else {
        w.null();
      }
      if (u.has_home) {
        w.float8(u.home_lat);
        w.float8(u.home_lon);
      } else {
        w.null();
        w.null();
      }
    }
    w.finish();
    WF_RETURN_IF_ERROR(conn_.copy_in("COPY wf_stage_users FROM STDIN (FORMAT binary)", copy_));
    WF_RETURN_IF_ERROR(
        conn_.exec("INSERT INTO silver.dim_users SELECT DISTINCT ON (user_id) * FROM wf_stage_users"
                   " ON CONFLICT (user_id) DO UPDATE SET phone_hash = excluded.phone_hash,"
                   " full_name = excluded.full_name, home_province = excluded.home_province,"
                   " home_city = excluded.home_city, kyc_level = excluded.kyc_level,"
                   " account_status = excluded.account_status, created_at = excluded.created_at,"
                   " last_txn_at = excluded.last_txn_at, home_lat = excluded.home_lat,"
                   " home_lon = excluded.home_lon"));
    WF_RETURN_IF_ERROR(txn.commit());
    return 0;
  });
  return r.ok() ? Status::Ok() : Status(r.take_error());
}

Status PgStore::upsert_merchants(std::span<const domain::Merchant> merchants) {
  auto r = with_retry("upsert merchants", [&](bool) -> Result<int> {
    Txn txn(conn_);
    WF_RETURN_IF_ERROR(txn.begin());
    WF_RETURN_IF_ERROR(
        conn_.exec("CREATE TEMP TABLE IF NOT EXISTS wf_stage_merchants (LIKE silver.dim_merchants)"
                   " ON COMMIT DELETE ROWS"));
    copy_.clear();
    CopyWriter w(&copy_);
    for (const domain::Merchant& m : merchants) {
      w.row(6);
      w.text(m.merchant_id);
      w.text(m.merchant_name);
      w.text(m.category);
      w.text_or_null(m.province);
      w.boolean(m.is_partner);
      w.int4(m.risk_score);
    }
    w.finish();
    WF_RETURN_IF_ERROR(conn_.copy_in("COPY wf_stage_merchants FROM STDIN (FORMAT binary)", copy_));
    WF_RETURN_IF_ERROR(
        conn_.exec("INSERT INTO silver.dim_merchants SELECT DISTINCT ON (merchant_id) *"
                   " FROM wf_stage_merchants ON CONFLICT (merchant_id) DO UPDATE SET"
                   " merchant_name = excluded.merchant_name, category = excluded.category,"
                   " province = excluded.province, is_partner = excluded.is_partner,"
                   " risk_score = excluded.risk_score"));
    WF_RETURN_IF_ERROR(txn.commit());
    return 0;
  });
  return r.ok() ? Status::Ok() : Status(r.take_error());
}

Result<std::vector<domain::User>> PgStore::load_users() {
  return with_retry("load users", [&](bool) -> Result<std::vector<domain::User>> {
    auto rows = conn_.query(
        "SELECT user_id, phone_hash, full_name, home_province, home_city, kyc_level,"
        " account_status, " +
        epoch_us("created_at") + ", " + epoch_us("last_txn_at") +
        ", home_lat, home_lon FROM silver.dim_users ORDER BY user_id");
    if (!rows.ok()) return rows.take_error();
    const PGresult* r = rows->get();
    std::vector<domain::User> users(static_cast<size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) {
      domain::User& u = users[static_cast<size_t>(i)];
      u.user_id = field(r, i, 0);
      u.phone_hash = field(r, i, 1);
      u.full_name = field(r, i, 2);
      u.home_province = field(r, i, 3);
      u.home_city = field(r, i, 4);
      u.kyc_level = static_cast<int>(to_int(field(r, i, 5)));
      u.account_status = field(r, i, 6);
      u.created_at = to_int(field(r, i, 7));
      u.last_txn_at = to_int(field(r, i, 8));
      u.has_home = !is_null(r, i, 9) && !is_null(r, i, 10);
      if (u.has_home) {
        u.home_lat = std::strtod(std::string(field(r, i, 9)).c_str(), nullptr);
        u.home_lon = std::strtod(std::string(field(r, i, 10)).c_str(), nullptr);
      }
    }
    return users;
  });
}

Result<std::vector<domain::Merchant>> PgStore::load_merchants() {
  return with_retry("load merchants", [&](bool) -> Result<std::vector<domain::Merchant>> {
    auto rows = conn_.query(
        "SELECT merchant_id, merchant_name, category, province, is_partner, risk_score"
        " FROM silver.dim_merchants ORDER BY merchant_id");
    if (!rows.ok()) return rows.take_error();
    const PGresult* r = rows->get();
    std::vector<domain::Merchant> merchants(static_cast<size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) {
      domain::Merchant& m = merchants[static_cast<size_t>(i)];
      m.merchant_id = field(r, i, 0);
      m.merchant_name = field(r, i, 1);
      m.category = field(r, i, 2);
      m.province = field(r, i, 3);
      m.is_partner = field(r, i, 4) == "t";
      m.risk_score = static_cast<int>(to_int(field(r, i, 5)));
    }
    return merchants;
  });
}

Status PgStore::upsert_products(std::span<const domain::Product> products) {
  auto r = with_retry("upsert products", [&](bool) -> Result<int> {
    Txn txn(conn_);
    WF_RETURN_IF_ERROR(txn.begin());
    WF_RETURN_IF_ERROR(
        conn_.exec("CREATE TEMP TABLE IF NOT EXISTS wf_stage_products (LIKE silver.dim_products)"
                   " ON COMMIT DELETE ROWS"));
    copy_.clear();
    CopyWriter w(&copy_);
    for (const domain::Product& p : products) {
      w.row(8);
      w.text(p.product_id);
      w.text(p.product_name);
      w.text(p.category);
      w.text_or_null(p.sub_category);
      w.text(p.currency);
      w.int8(p.price_minor);
      w.int8(p.cost_minor);
      if (p.created_at != 0) {
        w.timestamptz(p.created_at);
      } else {
        w.null();
      }
    }
    w.finish();
    WF_RETURN_IF_ERROR(conn_.copy_in("COPY wf_stage_products FROM STDIN (FORMAT binary)", copy_));
    WF_RETURN_IF_ERROR(
        conn_.exec("INSERT INTO silver.dim_products SELECT DISTINCT ON (product_id) *"
                   " FROM wf_stage_products ON CONFLICT (product_id) DO UPDATE SET"
                   " product_name = excluded.product_name, category = excluded.category,"
                   " sub_category = excluded.sub_category, currency = excluded.currency,"
                   " price_minor = excluded.price_minor, cost_minor = excluded.cost_minor,"
                   " created_at = excluded.created_at"));
    WF_RETURN_IF_ERROR(txn.commit());
    return 0;
  });
  return r.ok() ? Status::Ok() : Status(r.take_error());
}

Result<std::vector<domain::Product>> PgStore::load_products() {
  return with_retry("load products", [&](bool) -> Result<std::vector<domain::Product>> {
    auto rows = conn_.query(
        "SELECT product_id, product_name, category, sub_category, currency, price_minor,"
        " cost_minor, " +
        epoch_us("created_at") + " FROM silver.dim_products ORDER BY product_id");
    if (!rows.ok()) return rows.take_error();
    const PGresult* r = rows->get();
    std::vector<domain::Product> products(static_cast<size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) {
      domain::Product& p = products[static_cast<size_t>(i)];
      p.product_id = field(r, i, 0);
      p.product_name = field(r, i, 1);
      p.category = field(r, i, 2);
      p.sub_category = field(r, i, 3);
      p.currency = field(r, i, 4);
      p.price_minor = to_int(field(r, i, 5));
      p.cost_minor = to_int(field(r, i, 6));
      p.created_at = to_int(field(r, i, 7));
    }
    return products;
  });
}

Result<int64_t> PgStore::load_offset(std::string_view source) {
  return with_retry("load offset", [&](bool) -> Result<int64_t> {
    auto rows = conn_.query("SELECT position FROM ops.source_offsets WHERE source = $1",
                            {std::string(source)});
    if (!rows.ok()) return rows.take_error();
    return PQntuples(rows->get()) > 0 ? to_int(field(rows->get(), 0, 0)) : int64_t{0};
  });
}

Result<Instant> PgStore::last_event_ts(std::string_view source) {
  return with_retry("load offset", [&](bool) -> Result<Instant> {
    auto rows = conn_.query(
        "SELECT " + epoch_us("last_event_ts") + " FROM ops.source_offsets WHERE source = $1",
        {std::string(source)});
    if (!rows.ok()) return rows.take_error();
    const PGresult* r = rows->get();
    return PQntuples(r) > 0 && !is_null(r, 0, 0) ? to_int(field(r, 0, 0)) : Instant{0};
  });
}

Result<Instant> PgStore::last_processed_event_ts() {
  return with_retry("last event", [&](bool) -> Result<Instant> {
    auto rows = conn_.query("SELECT " + epoch_us("last_event_ts") +
                            " FROM ops.source_offsets WHERE last_event_ts IS NOT NULL"
                            " ORDER BY commit_seq DESC LIMIT 1");
    if (!rows.ok()) return rows.take_error();
    const PGresult* r = rows->get();
    return PQntuples(r) > 0 ? to_int(field(r, 0, 0)) : Instant{0};
  });
}

Result<std::unique_ptr<Store>> PgStore::open_writer() {
  auto other = PgStore::open(uri_, options_);
  if (!other.ok()) return other.take_error();
  WF_RETURN_IF_ERROR((*other)->conn_.exec(kStageIds));
  return std::unique_ptr<Store>(std::move(*other));
}

Result<CommitResult> PgStore::commit(const Batch& batch, const CommitGate& gate) {
  int64_t commit_seq = -1;  // taken once: a retry keeps the batch's place in the order
  return with_retry("commit",
                    [&](bool retrying) { return commit_once(batch, gate, retrying, &commit_seq); });
}

Result<CommitResult> PgStore::commit_once(const Batch& batch, const CommitGate& gate, bool retrying,
                                          int64_t* commit_seq_io) {
  CommitResult result;
  PositionTally tally = tally_positions(batch);

  if (retrying) {
    // The connection broke during an earlier attempt: if its COMMIT reached the server,
    // the positions already stand where this batch leaves them.
    std::vector<std::string_view> names;
    for (const SourcePosition& p : batch.positions) names.push_back(p.name);
    if (names.empty()) names.push_back(batch.source);
    auto rows =
        conn_.query("SELECT source, position FROM ops.source_offsets WHERE source = ANY($1)",
                    {text_array(names)});
    if (!rows.ok()) return rows.take_error();
    size_t at_next = 0;
    for (int i = 0; i < PQntuples(rows->get()); ++i) {
      std::string_view name = field(rows->get(), i, 0);
      int64_t stored = to_int(field(rows->get(), i, 1));
      for (const SourcePosition& p : batch.positions) {
        if (p.name == name && stored == p.next && p.next != p.from) ++at_next;
      }
      if (batch.positions.empty() && stored == batch.end_offset && batch.end_offset > 0) {
        ++at_next;
      }
    }
    if (at_next == names.size()) {
      log::info("store: the batch committed before the connection broke; not storing it again");
      result.facts = static_cast<int64_t>(batch.facts.size());
      result.dead_letters = static_cast<int64_t>(batch.dead_letters.size());
      return result;
    }
  }

  // Ordered phase: after the previous batch took its place, this one creates the
  // partitions it needs and takes its place. Creating a partition waits for every open
  // transaction on the table; doing it before the successor may begin keeps that wait
  // from ever pointing back at a batch that waits for this one.
  const bool ordering = *commit_seq_io < 0;
  if (ordering && gate.before_ordering) WF_RETURN_IF_ERROR(gate.before_ordering());
  // Partitions for every month the batch touches, before its transaction.
  if (!batch.facts.empty()) {
    std::set<int64_t> months;
    Instant cached_lo = 1, cached_hi = 0;  // the last month seen, [lo, hi)
    for (const FactRow& f : batch.facts) {
      if (f.event_ts >= cached_lo && f.event_ts < cached_hi) continue;
      int64_t m = month_of(f.event_ts);
      months.insert(m);
      cached_lo = month_start(m);
      cached_hi = month_start(m + 1);
    }
    for (int64_t m : months) WF_RETURN_IF_ERROR(ensure_months(m, m, nullptr));
  }

  Txn txn(conn_);
  WF_RETURN_IF_ERROR(txn.begin());
  if (ordering) {
    auto seq = conn_.query("SELECT nextval('ops.commit_seq')");
    if (!seq.ok()) return seq.take_error();
    *commit_seq_io = to_int(field(seq->get(), 0, 0));
    if (gate.ordered) gate.ordered();
  }
  const int64_t commit_seq = *commit_seq_io;
  const std::string received = format_utc(batch.received_at);

  if (!batch.facts.empty()) {
    // Ids first: only facts whose id is new to silver.transaction_ids are stored.
    ids_.clear();
    CopyWriter ids(&ids_);
    for (size_t i = 0; i < batch.facts.size(); ++i) {
      ids.row(3);
      ids.text_or_null(batch.facts[i].transaction_id);
      ids.timestamptz(batch.facts[i].event_ts);
      ids.text_or_null(batch.facts[i].user_id);
    }
    ids.finish();
    // Usually every id is new: COPY them straight into the registry (no speculative
    // insertion, no ids sent back; ~40% cheaper than INSERT ... ON CONFLICT). A
    // duplicate makes it fail; then, back at the savepoint, the ids go through a
    // temporary table and ON CONFLICT DO NOTHING RETURNING says which are new, in COPY
    // order (a temp table's scan), so an id twice in the batch keeps its first row.
    bool all_fresh = false;
    PgResult fresh;
    WF_RETURN_IF_ERROR(conn_.exec("SAVEPOINT wf_ids"));
    if (Status plain = conn_.copy_in(
            "COPY silver.transaction_ids (transaction_id, event_ts, user_id) FROM STDIN"
            " (FORMAT binary)",
            ids_);
        plain.ok()) {
      all_fresh = true;
    } else {
      if (conn_.last_error().sqlstate != "23505") return plain.error();  // unique_violation
      WF_RETURN_IF_ERROR(conn_.exec("ROLLBACK TO SAVEPOINT wf_ids"));
      WF_RETURN_IF_ERROR(conn_.copy_in("COPY wf_stage_ids FROM STDIN (FORMAT binary)", ids_));
      auto r = conn_.query(
          "INSERT INTO silver.transaction_ids (transaction_id, event_ts, user_id)"
          " SELECT transaction_id, event_ts, user_id FROM wf_stage_ids"
          " ON CONFLICT DO NOTHING RETURNING transaction_id");
      if (!r.ok()) return r.take_error();
      fresh = std::move(*r);
    }
    std::unordered_set<std::string_view> fresh_ids;
    if (!all_fresh) {
      const int n_fresh = PQntuples(fresh.get());
      fresh_ids.reserve(static_cast<size_t>(n_fresh));
      for (int i = 0; i < n_fresh; ++i) fresh_ids.insert(field(fresh.get(), i, 0));
    }

    copy_.clear();
    CopyWriter w(&copy_);
    std::vector<const FactRow*> flagged;
    for (size_t i = 0; i < batch.facts.size(); ++i) {
      const FactRow& f = batch.facts[i];
      if (!all_fresh && fresh_ids.erase(f.transaction_id) == 0) {
        ++result.duplicates;
        ++tally.duplicates[tally.fact_index[i]];
        continue;
      }
      w.row(kFactFields);
      w.text_or_null(f.transaction_id);
      w.timestamptz(f.event_ts);
      w.text_or_null(f.user_id);
      w.text_or_null(f.merchant_id);
      w.text_or_null(f.counterparty_id);
      w.text_or_null(f.transaction_type);
      w.int8(f.amount_minor);
      w.text_or_null(f.currency);
      w.int8(f.amount_php);
      w.text_or_null(f.channel);
      w.text_or_null(f.payment_method);
      w.text_or_null(f.status);
      w.text_or_null(f.country);
      w.text_or_null(f.province);
      w.text_or_null(f.city);
      if (f.has_location) {
        w.float8(f.lat);
        w.float8(f.lon);
      } else {
        w.null();
        w.null();
      }
      w.text_or_null(f.device_id);
      w.text_or_null(f.ip_hash);
      w.text_or_null(f.phone_hash);
      if (f.quantity != 0) {
        w.int4(static_cast<int32_t>(f.quantity));
      } else {
        w.null();
      }
      w.int4(f.fraud_score);
      w.boolean(f.verdict == domain::Verdict::kFlag);
      w.text(domain::verdict_name(f.verdict));
      w.text(f.rules_fired);
      w.int8(f.processing_us);
      w.text_or_null(f.source.empty() ? batch.source : f.source);
      w.int8(f.source_offset);
      w.text_or_null(f.ruleset_version);
      w.text_or_null(f.reasons);
      w.int8((commit_seq << 20) | static_cast<int64_t>(i));
      w.text_or_null(f.product_id);
      if (std::isnan(f.model_score)) {
        w.null();
      } else {
        w.float8(f.model_score);
      }
      ++result.facts;
      if (f.verdict == domain::Verdict::kFlag) flagged.push_back(&f);
    }
    w.finish();
    if (result.facts > 0) {
      WF_RETURN_IF_ERROR(conn_.copy_in("COPY silver.fact_transactions (" +
                                           std::string(kFactColumns) +
                                           ") FROM STDIN (FORMAT binary)",
                                       copy_));
    }
    if (!flagged.empty()) {
      copy_.clear();
      CopyWriter a(&copy_);
      for (const FactRow* f : flagged) {
        a.row(9);
        a.text(f->transaction_id);
        a.text(f->user_id);
        a.text(f->alert_type);
        a.int4(f->fraud_score);
        a.int8(f->amount_php);
        a.text("NEW");
        a.timestamptz(f->event_ts);  // created at the event's time: replays are identical
        a.timestamptz(f->event_ts);
        a.text_or_null(f->reasons);
      }
      a.finish();
      WF_RETURN_IF_ERROR(conn_.copy_in(
          "COPY silver.fraud_alerts (transaction_id, user_id, alert_type, fraud_score, amount,"
          " status, created_at, updated_at, reasons) FROM STDIN (FORMAT binary)",
          copy_));
      result.alerts = static_cast<int64_t>(flagged.size());
    }
  }

  for (const DeadLetterRow& d : batch.dead_letters) {
    auto stored = conn_.query(
        "INSERT INTO ops.dead_letters (source, source_offset, error_code, message, raw,"
        " received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source, source_offset)"
        " DO NOTHING",
        {std::string(d.source.empty() ? batch.source : d.source), std::to_string(d.source_offset),
         std::string(errc_name(d.code)), valid_utf8(d.message), hex_bytea(d.raw), received});
    if (!stored.ok()) return stored.take_error();
    result.dead_letters += to_int(PQcmdTuples(stored->get()));
  }
  // Positions last, once every row is in: compare-and-set (fencing), after the gate so
  // that batches written at the same time on several connections commit in order.
  if (gate.before_commit) WF_RETURN_IF_ERROR(gate.before_commit());
  // The upsert of one position: moved only from `$6` when fencing (else unconditionally).
  auto upsert = [&](std::string_view name, int64_t next, size_t at,
                    std::optional<int64_t> from) -> Result<bool> {
    const Instant last = tally.last_ts[at];
    std::string sql =
        "INSERT INTO ops.source_offsets AS o (source, position, updated_at, last_event_ts,"
        " commit_seq, records, duplicates) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (source) DO UPDATE SET position = excluded.position,"
        " updated_at = excluded.updated_at,"
        " last_event_ts = coalesce(excluded.last_event_ts, o.last_event_ts),"
        " commit_seq = excluded.commit_seq, records = o.records + excluded.records,"
        " duplicates = o.duplicates + excluded.duplicates";
    Params params = {std::string(name),
                     std::to_string(next),
                     received,
                     last != 0 ? std::optional<std::string>(format_utc(last)) : std::nullopt,
                     std::to_string(commit_seq),
                     std::to_string(tally.records[at]),
                     std::to_string(tally.duplicates[at])};
    if (from) {
      sql += " WHERE o.position = $8";
      params.push_back(std::to_string(*from));
    }
    auto moved = conn_.query(sql, params);
    if (!moved.ok()) return moved.take_error();
    return std::string_view(PQcmdTuples(moved->get())) == "1";
  };
  for (size_t i = 0; i < batch.positions.size(); ++i) {
    const SourcePosition& p = batch.positions[i];
    auto moved = upsert(p.name, p.next, i, p.from);
    if (!moved.ok()) return moved.take_error();
    if (!*moved) {
      return make_error(Errc::kConflict, "position " + p.name + " is not at " +
                                             std::to_string(p.from) +
                                             " in the store: another consumer took it over;"
                                             " nothing stored");
    }
  }
  if (batch.positions.empty()) {
    auto moved = upsert(batch.source, batch.end_offset, tally.own(), std::nullopt);
    if (!moved.ok()) return moved.take_error();
  }

  WF_RETURN_IF_ERROR(txn.commit());
  return result;
}

Status PgStore::scan_last_activity(Instant before,
                                   const std::function<void(std::string_view, Instant)>& f) {
  std::string sql =
      "SELECT user_id, " + epoch_us("max(event_ts)") + " FROM silver.fact_transactions";
  Params params;
  if (before != INT64_MAX) {
    sql += " WHERE event_ts < $1";
    params.push_back(format_utc(std::max<Instant>(before, 0)));
  }
  sql += " GROUP BY user_id";
  return scan_cursor(conn_, sql, params,
                     [&](const PGresult* r, int i) { f(field(r, i, 0), to_int(field(r, i, 1))); });
}

namespace {

std::string stored_fact_select() {
  return "SELECT transaction_id, " + epoch_us("event_ts") +
         ", user_id, merchant_id, counterparty_id, transaction_type, amount_minor, currency,"
         " amount_php, channel, payment_method, status, country, province, city, lat, lon,"
         " device_id, quantity, fraud_score, decision, rules_fired, reasons, ruleset_version,"
         " product_id, ingest_seq, processing_us FROM silver.fact_transactions";
}

// One row of stored_fact_select().
void read_stored_fact(const PGresult* r, int i, const Store::SeqFactFn& f) {
  StoredFact s;
  domain::Transaction& tx = s.tx;
  tx.transaction_id = field(r, i, 0);
  tx.event_ts = to_int(field(r, i, 1));
  tx.user_id = field(r, i, 2);
  tx.merchant_id = field(r, i, 3);
  tx.counterparty_id = field(r, i, 4);
  (void)domain::parse_tx_type(field(r, i, 5), &tx.type);
  auto currency = Currency::from_code(field(r, i, 7));
  tx.amount = Money{to_int(field(r, i, 6)), currency.ok() ? *currency : Currency::php()};
  s.amount_php = to_int(field(r, i, 8));
  tx.channel = field(r, i, 9);
  tx.payment_method = field(r, i, 10);
  (void)domain::parse_tx_status(field(r, i, 11), &tx.status);
  tx.country = field(r, i, 12);
  tx.province = field(r, i, 13);
  tx.city = field(r, i, 14);
  tx.has_location = !is_null(r, i, 15) && !is_null(r, i, 16);
  if (tx.has_location) {
    tx.lat = std::strtod(PQgetvalue(r, i, 15), nullptr);
    tx.lon = std::strtod(PQgetvalue(r, i, 16), nullptr);
  }
  tx.device_id = field(r, i, 17);
  tx.quantity = is_null(r, i, 18) ? 0 : to_int(field(r, i, 18));
  s.fraud_score = static_cast<int>(to_int(field(r, i, 19)));
  s.verdict = verdict_of(field(r, i, 20));
  s.rules_fired = field(r, i, 21);
  s.reasons = field(r, i, 22);
  s.ruleset_version = field(r, i, 23);
  tx.product_id = field(r, i, 24);
  s.processing_us = is_null(r, i, 26) ? 0 : to_int(field(r, i, 26));
  f(s, to_int(field(r, i, 25)));
}

}  // namespace

Status PgStore::scan_facts(Instant from, Instant to,
                           const std::function<void(const StoredFact&)>& f) {
  constexpr Instant kFirst = 0;
  constexpr Instant kLast = 7'258'118'400'000'000;  // 2200-01-01
  Params params = {format_utc(std::clamp(from, kFirst, kLast)),
                   format_utc(std::clamp(to, kFirst, kLast))};
  const Store::SeqFactFn each = [&](const StoredFact& s, int64_t) { f(s); };
  return scan_cursor(
      conn_, stored_fact_select() + " WHERE event_ts >= $1 AND event_ts < $2 ORDER BY ingest_seq",
      params, [&](const PGresult* r, int i) { read_stored_fact(r, i, each); });
}

Status PgStore::scan_facts_after(int64_t after, int64_t until, int64_t max, const SeqFactFn& f) {
  return scan_cursor(conn_,
                     stored_fact_select() +
                         " WHERE ingest_seq > $1 AND ingest_seq <= $2 ORDER BY ingest_seq LIMIT $3",
                     {std::to_string(after), std::to_string(until), std::to_string(max)},
                     [&](const PGresult* r, int i) { read_stored_fact(r, i, f); });
}

Result<int64_t> PgStore::last_fact_seq() {
  auto v =
      query_int(*this, "SELECT COALESCE(MAX(ingest_seq), 0) FROM silver.fact_transactions", {});
  if (!v.ok()) return v.take_error();
  return v->value_or(0);
}

Status PgStore::scan_labels(const std::function<void(const LabelRow&)>& f) {
  return scan_cursor(conn_, "SELECT transaction_id, is_fraud, pattern FROM silver.labels", {},
                     [&](const PGresult* r, int i) {
                       LabelRow l;
                       l.transaction_id = field(r, i, 0);
                       l.is_fraud = field(r, i, 1) == "t";
                       l.pattern = field(r, i, 2);
                       f(l);
                     });
}

Status PgStore::replace_labels(std::span<const LabelRow> labels) {
  auto r = with_retry("replace labels", [&](bool) -> Result<int> {
    Txn txn(conn_);
    WF_RETURN_IF_ERROR(txn.begin());
    WF_RETURN_IF_ERROR(
        conn_.exec("CREATE TEMP TABLE IF NOT EXISTS wf_stage_labels (LIKE silver.labels)"
                   " ON COMMIT DELETE ROWS; TRUNCATE silver.labels"));
    copy_.clear();
    CopyWriter w(&copy_);
    for (const LabelRow& l : labels) {
      w.row(4);
      w.text(l.transaction_id);
      w.boolean(l.is_fraud);
      w.text(l.pattern);
      if (l.baseline < 0) {
        w.null();
      } else {
        w.boolean(l.baseline == 1);
      }
    }
    w.finish();
    WF_RETURN_IF_ERROR(conn_.copy_in("COPY wf_stage_labels FROM STDIN (FORMAT binary)", copy_));
    // A relabelled id keeps its last label, as INSERT OR REPLACE does on SQLite.
    WF_RETURN_IF_ERROR(conn_.exec(
        "INSERT INTO silver.labels SELECT * FROM wf_stage_labels ON CONFLICT (transaction_id)"
        " DO UPDATE SET is_fraud = excluded.is_fraud, pattern = excluded.pattern,"
        " baseline = excluded.baseline"));
    WF_RETURN_IF_ERROR(txn.commit());
    return 0;
  });
  return r.ok() ? Status::Ok() : Status(r.take_error());
}

Status PgStore::scan_eval(const std::function<void(const EvalRow&)>& f) {
  return scan_cursor(
      conn_,
      "SELECT l.transaction_id IS NOT NULL, l.is_fraud, l.pattern, f.transaction_id IS NOT NULL,"
      " f.decision, f.rules_fired, f.fraud_score, l.baseline, f.model_score FROM silver.labels l"
      " FULL OUTER JOIN silver.fact_transactions f ON f.transaction_id = l.transaction_id",
      {}, [&](const PGresult* r, int i) {
        EvalRow e;
        e.labelled = field(r, i, 0) == "t";
        e.is_fraud = field(r, i, 1) == "t";
        e.pattern = field(r, i, 2);
        e.stored = field(r, i, 3) == "t";
        e.verdict = verdict_of(field(r, i, 4));
        e.rules_fired = field(r, i, 5);
        e.fraud_score = is_null(r, i, 6) ? 0 : static_cast<int>(to_int(field(r, i, 6)));
        e.baseline = is_null(r, i, 7) ? -1 : (field(r, i, 7) == "t" ? 1 : 0);
        if (!is_null(r, i, 8))
          e.model_score = std::strtod(std::string(field(r, i, 8)).c_str(), nullptr);
        f(e);
      });
}

Status PgStore::exec_script(const std::vector<std::string>& statements) {
  auto r = with_retry("script", [&](bool) -> Result<int> {
    Txn txn(conn_);
    WF_RETURN_IF_ERROR(txn.begin());
    for (const std::string& sql : statements) WF_RETURN_IF_ERROR(conn_.exec(sql));
    WF_RETURN_IF_ERROR(txn.commit());
    return 0;
  });
  return r.ok() ? Status::Ok() : Status(r.take_error());
}

Status PgStore::query_text(std::string_view sql, const SqlParams& params,
                           const std::function<void(const std::vector<std::string_view>&)>& row) {
  std::vector<std::string_view> columns;
  return scan_cursor(conn_, std::string(sql), params, [&](const PGresult* r, int i) {
    columns.clear();
    for (int c = 0; c < PQnfields(r); ++c) columns.push_back(field(r, i, c));
    row(columns);
  });
}

Result<int64_t> PgStore::execute(std::string_view sql, const SqlParams& params) {
  return with_retry("execute", [&](bool) -> Result<int64_t> {
    auto r = conn_.query(sql, params);
    if (!r.ok()) return r.take_error();
    return to_int(PQcmdTuples(r->get()));
  });
}

Result<std::vector<int64_t>> PgStore::execute_all(const std::vector<Statement>& statements) {
  return with_retry("execute", [&](bool) -> Result<std::vector<int64_t>> {
    Txn txn(conn_);
    WF_RETURN_IF_ERROR(txn.begin());
    std::vector<int64_t> changed;
    for (const Statement& s : statements) {
      auto r = conn_.query(s.sql, s.params);
      if (!r.ok()) return r.take_error();
      changed.push_back(to_int(PQcmdTuples(r->get())));
    }
    WF_RETURN_IF_ERROR(txn.commit());
    return changed;
  });
}

Result<TableCounts> PgStore::counts() {
  return with_retry("counts", [&](bool) -> Result<TableCounts> {
    auto rows = conn_.query(
        "SELECT (SELECT count(*) FROM silver.dim_users), (SELECT count(*) FROM"
        " silver.dim_merchants), (SELECT count(*) FROM silver.fact_transactions),"
        " (SELECT count(*) FROM silver.fraud_alerts), (SELECT count(*) FROM ops.dead_letters),"
        " (SELECT count(*) FROM silver.labels)");
    if (!rows.ok()) return rows.take_error();
    const PGresult* r = rows->get();
    TableCounts c;
    c.users = to_int(field(r, 0, 0));
    c.merchants = to_int(field(r, 0, 1));
    c.facts = to_int(field(r, 0, 2));
    c.alerts = to_int(field(r, 0, 3));
    c.dead_letters = to_int(field(r, 0, 4));
    c.labels = to_int(field(r, 0, 5));
    return c;
  });
}

}  // namespace wf::store::postgres
