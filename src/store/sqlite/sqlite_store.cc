#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cmath>

#include "store/sqlite/checkpointer.h"
#include "store/sqlite/schema.h"

namespace wf::store::sqlite {
namespace {

std::string ts_text(Instant t) { return t == 0 ? std::string() : format_utc(t); }

Instant parse_ts(std::string_view text) {
  if (text.empty()) return 0;
  auto t = parse_rfc3339(text);
  return t.ok() ? *t : 0;
}

// Rolls a transaction back unless commit() is called: every early return is safe.
class TxnGuard {
 public:
  explicit TxnGuard(Db& db) : db_(db) {}
  Status begin() {
    WF_RETURN_IF_ERROR(db_.exec("BEGIN IMMEDIATE"));
    open_ = true;
    return Status::Ok();
  }
  Status commit() {
    Status s = db_.exec("COMMIT");
    if (s.ok()) open_ = false;  // a failed COMMIT is rolled back by the destructor
    return s;
  }
  ~TxnGuard() {
    if (open_) (void)db_.exec("ROLLBACK");
  }

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       SqliteOptions options) {
  auto db = Db::open(path);
  if (!db.ok()) return db.take_error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db).value(), options));
  // WAL + synchronous=NORMAL: a killed process never loses a committed batch, and a
  // batch is never half-visible. A larger page cache keeps the indexes' hot pages.
  WF_RETURN_IF_ERROR(store->db_.exec("PRAGMA page_size=" + std::to_string(kPageSize)));
  WF_RETURN_IF_ERROR(store->db_.exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072;"
      "PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;"));
  if (path != ":memory:" && !path.empty()) {
    auto checkpointer = Checkpointer::start(path, store->db_.handle());
    if (!checkpointer.ok()) return checkpointer.take_error();
    store->checkpointer_ = std::move(*checkpointer);
  }
  return store;
}

Status SqliteStore::migrate() {
  WF_RETURN_IF_ERROR(db_.exec(kSchemaSql));
  // Stores created before a column existed get it (NULL or the default for old rows).
  struct Added {
    std::string_view table, column, type;
  };
  static constexpr Added kAdded[] = {
      {"dim_users", "home_lat", "REAL"},
      {"dim_users", "home_lon", "REAL"},
      {"fact_transactions", "ruleset_version", "TEXT"},
      {"fact_transactions", "reasons", "TEXT"},
      {"fact_transactions", "product_id", "TEXT"},
      {"fact_transactions", "model_score", "REAL"},
      {"fraud_alerts", "reasons", "TEXT"},
      {"labels", "baseline", "INTEGER"},
      {"source_offsets", "last_event_ts", "TEXT"},
      {"source_offsets", "records", "INTEGER NOT NULL DEFAULT 0"},
      {"source_offsets", "duplicates", "INTEGER NOT NULL DEFAULT 0"},
      {"source_offsets", "purged", "INTEGER NOT NULL DEFAULT 0"},
  };
  for (const Added& a : kAdded) {
    auto probe = db_.prepare("SELECT 1 FROM pragma_table_info('" + std::string(a.table) +
                             "') WHERE name = '" + std::string(a.column) + "'");
    if (!probe.ok()) return probe.take_error();
    auto has = probe->step();
    if (!has.ok()) return has.take_error();
    if (*has) continue;
    WF_RETURN_IF_ERROR(db_.exec("ALTER TABLE " + std::string(a.table) + " ADD COLUMN " +
                                std::string(a.column) + " " + std::string(a.type)));
    if (a.column == "records") {
      // Counted from here on; what a store held before counts as read once.
      WF_RETURN_IF_ERROR(db_.exec(kBackfillRecords));
    }
  }
  WF_RETURN_IF_ERROR(db_.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion)));
  return prepare_statements();
}

Status SqliteStore::prepare_statements() {
  if (prepared_) return Status::Ok();
  auto fact = db_.prepare(
      "INSERT INTO fact_transactions (transaction_id, event_ts, user_id, merchant_id,"
      " counterparty_id, transaction_type, amount_minor, currency, amount_php, channel,"
      " payment_method, status, country, province, city, lat, lon, device_id, ip_hash,"
      " phone_hash, quantity, fraud_score, fraud_flag, decision, rules_fired, processing_us,"
      " source, source_offset, ruleset_version, reasons, product_id, model_score) VALUES (?1,?2,"
      "?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,"
      "?26,?27,?28,?29,?30,?31,?32)"
      // Only a duplicate id is skipped; any other constraint failure fails the batch.
      " ON CONFLICT (transaction_id) DO NOTHING");
  if (!fact.ok()) return fact.take_error();
  insert_fact_ = std::move(fact).value();
  auto alert = db_.prepare(
      "INSERT INTO fraud_alerts (transaction_id, user_id, alert_type, fraud_score,"
      " amount, status, created_at, updated_at, reasons) VALUES (?1,?2,?3,?4,?5,'NEW',?6,?6,?7)"
      " ON CONFLICT (transaction_id) DO NOTHING");
  if (!alert.ok()) return alert.take_error();
  insert_alert_ = std::move(alert).value();
  auto dead = db_.prepare(
      "INSERT INTO dead_letters (source, source_offset, error_code, message, raw,"
      " received_at) VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT (source, source_offset) DO NOTHING");
  if (!dead.ok()) return dead.take_error();
  insert_dead_letter_ = std::move(dead).value();
  auto offset = db_.prepare(
      "INSERT INTO source_offsets (source, position, updated_at, last_event_ts, records,"
      " duplicates) VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT (source) DO UPDATE SET"
      " position = excluded.position, updated_at = excluded.updated_at,"
      " last_event_ts = coalesce(excluded.last_event_ts, last_event_ts),"
      " records = records + excluded.records, duplicates = duplicates + excluded.duplicates");
  if (!offset.ok()) return offset.take_error();
  upsert_offset_ = std::move(offset).value();
  auto stored = db_.prepare("SELECT position FROM source_offsets WHERE source = ?1");
  if (!stored.ok()) return stored.take_error();
  select_offset_ = std::move(stored).value();
  prepared_ = true;
  return Status::Ok();
}

Status SqliteStore::upsert_users(std::span<const domain::User> users) {
  auto stmt = db_.prepare(
      "INSERT INTO dim_users (user_id, phone_hash, full_name, home_province, home_city,"
      " kyc_level, account_status, created_at, last_txn_at, home_lat, home_lon)"
      " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
      " ON CONFLICT (user_id) DO UPDATE SET phone_hash=excluded.phone_hash,"
      " full_name=excluded.full_name, home_province=excluded.home_province,"
      " home_city=excluded.home_city, kyc_level=excluded.kyc_level,"
      " account_status=excluded.account_status, created_at=excluded.created_at,"
      " last_txn_at=excluded.last_txn_at, home_lat=excluded.home_lat,"
      " home_lon=excluded.home_lon");
  if (!stmt.ok()) return stmt.take_error();
  TxnGuard txn(db_);
  WF_RETURN_IF_ERROR(txn.begin());
  for (const domain::User& u : users) {
    std::string created = ts_text(u.created_at);
    std::string last = ts_text(u.last_txn_at);
    stmt->bind(1, u.user_id);
    stmt->bind(2, u.phone_hash);
    stmt->bind(3, u.full_name);
    stmt->bind(4, u.home_province);
    stmt->bind(5, u.home_city);
    stmt->bind(6, int64_t{u.kyc_level});
    stmt->bind(7, u.account_status);
    stmt->bind(8, created);
    stmt->bind(9, last);
    if (u.has_home) {
      stmt->bind(10, u.home_lat);
      stmt->bind(11, u.home_lon);
    } else {
      stmt->bind_null(10);
      stmt->bind_null(11);
    }
    WF_RETURN_IF_ERROR(stmt->run());
  }
  return txn.commit();
}

Status SqliteStore::upsert_merchants(std::span<const domain::Merchant> merchants) {
  auto stmt = db_.prepare(
      "INSERT INTO dim_merchants (merchant_id, merchant_name, category, province, is_partner,"
      " risk_score) VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT (merchant_id) DO UPDATE SET"
      " merchant_name=excluded.merchant_name, category=excluded.category,"
      " province=excluded.province, is_partner=excluded.is_partner,"
      " risk_score=excluded.risk_score");
  if (!stmt.ok()) return stmt.take_error();
  TxnGuard txn(db_);
  WF_RETURN_IF_ERROR(txn.begin());
  for (const domain::Merchant& m : merchants) {
    stmt->bind(1, m.merchant_id);
    stmt->bind(2, m.merchant_name);
    stmt->bind(3, m.category);
    stmt->bind(4, m.province);
    stmt->bind(5, int64_t{m.is_partner ? 1 : 0});
    stmt->bind(6, int64_t{m.risk_score});
    WF_RETURN_IF_ERROR(stmt->run());
  }
  return txn.commit();
}

Result<std::vector<domain::User>> SqliteStore::load_users() {
  auto stmt = db_.prepare(
      "SELECT user_id, phone_hash, full_name, home_province, home_city, kyc_level,"
      " account_status, created_at, last_txn_at, home_lat, home_lon FROM dim_users"
      " ORDER BY user_id");
  if (!stmt.ok()) return stmt.take_error();
  std::vector<domain::User> users;
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.take_error();
    if (!*row) break;
    domain::User u;
    u.user_id = stmt->column_text(0);
    u.phone_hash = stmt->column_text(1);
    u.full_name = stmt->column_text(2);
    u.home_province = stmt->column_text(3);
    u.home_city = stmt->column_text(4);
    u.kyc_level = static_cast<int>(stmt->column_int(5));
    u.account_status = stmt->column_text(6);
    u.created_at = parse_ts(stmt->column_text(7));
    u.last_txn_at = parse_ts(stmt->column_text(8));
    u.has_home = !stmt->column_null(9) && !stmt->column_null(10);
    if (u.has_home) {
      u.home_lat = stmt->column_double(9);
      u.home_lon = stmt->column_double(10);
    }
    users.push_back(std::move(u));
  }
  return users;
}

Result<std::vector<domain::Merchant>> SqliteStore::load_merchants() {
  auto stmt = db_.prepare(
      "SELECT merchant_id, merchant_name, category, province, is_partner, risk_score"
      " FROM dim_merchants ORDER BY merchant_id");
  if (!stmt.ok()) return stmt.take_error();
  std::vector<domain::Merchant> merchants;
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.take_error();
    if (!*row) break;
    domain::Merchant m;
    m.merchant_id = stmt->column_text(0);
    m.merchant_name = stmt->column_text(1);
    m.category = stmt->column_text(2);
    m.province = stmt->column_text(3);
    m.is_partner = stmt->column_int(4) != 0;
    m.risk_score = static_cast<int>(stmt->column_int(5));
    merchants.push_back(std::move(m));
  }
  return merchants;
}

Status SqliteStore::upsert_products(std::span<const domain::Product> products) {
  auto stmt = db_.prepare(
      "INSERT INTO dim_products (product_id, product_name, category, sub_category, currency,"
      " price_minor, cost_minor, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"
      " ON CONFLICT (product_id) DO UPDATE SET product_name=excluded.product_name,"
      " category=excluded.category, sub_category=excluded.sub_category,"
      " currency=excluded.currency, price_minor=excluded.price_minor,"
      " cost_minor=excluded.cost_minor, created_at=excluded.created_at");
  if (!stmt.ok()) return stmt.take_error();
  TxnGuard txn(db_);
  WF_RETURN_IF_ERROR(txn.begin());
  for (const domain::Product& p : products) {
    std::string created = ts_text(p.created_at);
    stmt->bind(1, p.product_id);
    stmt->bind(2, p.product_name);
    stmt->bind(3, p.category);
    stmt->bind(4, p.sub_category);
    stmt->bind(5, p.currency);
    stmt->bind(6, p.price_minor);
    stmt->bind(7, p.cost_minor);
    stmt->bind(8, created);
    WF_RETURN_IF_ERROR(stmt->run());
  }
  return txn.commit();
}

Result<std::vector<domain::Product>> SqliteStore::load_products() {
  auto stmt = db_.prepare(
      "SELECT product_id, product_name, category, sub_category, currency, price_minor,"
      " cost_minor, created_at FROM dim_products ORDER BY product_id");
  if (!stmt.ok()) return stmt.take_error();
  std::vector<domain::Product> products;
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.take_error();
    if (!*row) break;
    domain::Product p;
    p.product_id = stmt->column_text(0);
    p.product_name = stmt->column_text(1);
    p.category = stmt->column_text(2);
    p.sub_category = stmt->column_text(3);
    p.currency = stmt->column_text(4);
    p.price_minor = stmt->column_int(5);
    p.cost_minor = stmt->column_int(6);
    p.created_at = parse_ts(stmt->column_text(7));
    products.push_back(std::move(p));
  }
  return products;
}

Result<int64_t> SqliteStore::load_offset(std::string_view source) {
  auto stmt = db_.prepare("SELECT position FROM source_offsets WHERE source = ?1");
  if (!stmt.ok()) return stmt.take_error();
  stmt->bind(1, source);
  auto row = stmt->step();
  if (!row.ok()) return row.take_error();
  return *row ? stmt->column_int(0) : int64_t{0};
}

Result<Instant> SqliteStore::last_event_ts(std::string_view source) {
  auto stmt = db_.prepare("SELECT last_event_ts FROM source_offsets WHERE source = ?1");
  if (!stmt.ok()) return stmt.take_error();
  stmt->bind(1, source);
  auto row = stmt->step();
  if (!row.ok()) return row.take_error();
  return *row ? parse_ts(stmt->column_text(0)) : Instant{0};
}

Result<CommitResult> SqliteStore::commit(const Batch& batch, const CommitGate& gate) {
  WF_RETURN_IF_ERROR(prepare_statements());
  // One writer at a time: wait for the previous batch before starting.
  if (gate.before_commit) WF_RETURN_IF_ERROR(gate.before_commit());
  if (gate.ordered) gate.ordered();
  // A full disk rolls the batch back whole; it is written again once there is room (an
  // operator frees space), for up to the policy's retry_for_us, then the run fails.
  bool full = false;
  return retry_transient(
      options_, "commit", "disk full",
      [&](bool) -> Result<CommitResult> {
        full = false;
        TxnGuard txn(db_);
        WF_RETURN_IF_ERROR(txn.begin());
        auto written = write_batch(batch);
        if (written.ok()) {
          if (Status s = txn.commit(); !s.ok()) written = s.take_error();
        }
        // Read before the guard's ROLLBACK replaces the connection's error code.
        full = !written.ok() && (sqlite3_extended_errcode(db_.handle()) & 0xff) == SQLITE_FULL;
        return written;
      },
      [&](const auto&) -> std::string { return full ? "disk full" : ""; },
      [&](int failures) {
        if (options_.on_disk_full) options_.on_disk_full(failures);
      });
}

Result<CommitResult> SqliteStore::write_batch(const Batch& batch) {
  // Fencing first: a position someone else moved means this batch's rows are theirs too.
  for (const SourcePosition& p : batch.positions) {
    select_offset_.bind(1, p.name);
    auto row = select_offset_.step();
    if (!row.ok()) {
      select_offset_.reset();
      return row.take_error();
    }
    int64_t stored = *row ? select_offset_.column_int(0) : 0;
    select_offset_.reset();
    if (stored != p.from) {
      return make_error(Errc::kConflict, "position " + p.name + " is at " + std::to_string(stored) +
                                             " in the store, not " + std::to_string(p.from) +
                                             ": another consumer took it over; nothing stored");
    }
  }
  CommitResult result;
  char ts[kTimestampChars];
  PositionTally tally = tally_positions(batch);
  for (size_t i = 0; i < batch.facts.size(); ++i) {
    const FactRow& f = batch.facts[i];
    format_utc(f.event_ts, ts);
    std::string_view ts_view(ts, kTimestampChars);
    Stmt& s = insert_fact_;
    s.bind(1, f.transaction_id);
    s.bind(2, ts_view);
    s.bind(3, f.user_id);
    s.bind(4, f.merchant_id);
    s.bind(5, f.counterparty_id);
    s.bind(6, f.transaction_type);
    s.bind(7, f.amount_minor);
    s.bind(8, f.currency);
    s.bind(9, f.amount_php);
    s.bind(10, f.channel);
    s.bind(11, f.payment_method);
    s.bind(12, f.status);
    s.bind(13, f.country);
    s.bind(14, f.province);
    s.bind(15, f.city);
    if (f.has_location) {
      s.bind(16, f.lat);
      s.bind(17, f.lon);
    } else {
      s.bind_null(16);
      s.bind_null(17);
    }
    s.bind(18, f.device_id);
    s.bind(19, f.ip_hash);
    s.bind(20, f.phone_hash);
    if (f.quantity != 0) {
      s.bind(21, f.quantity);
    } else {
      s.bind_null(21);
    }
    s.bind(22, int64_t{f.fraud_score});
    s.bind(23, int64_t{f.verdict == domain::Verdict::kFlag ? 1 : 0});
    s.bind(24, domain::verdict_name(f.verdict));
    s.bind_text(25, f.rules_fired);
    s.bind(26, f.processing_us);
    s.bind(27, f.source.empty() ? batch.source : f.source);
    s.bind(28, f.source_offset);
    s.bind(29, f.ruleset_version);
    s.bind(30, f.reasons);
    s.bind(31, f.product_id);
    if (std::isnan(f.model_score)) {
      s.bind_null(32);
    } else {
      s.bind(32, f.model_score);
    }
    WF_RETURN_IF_ERROR(s.run());
    if (db_.changes() == 0) {
      ++result.duplicates;
      ++tally.duplicates[tally.fact_index[i]];
      continue;
    }
    ++result.facts;
    if (f.verdict == domain::Verdict::kFlag) {
      Stmt& a = insert_alert_;
      a.bind(1, f.transaction_id);
      a.bind(2, f.user_id);
      a.bind(3, f.alert_type);
      a.bind(4, int64_t{f.fraud_score});
      a.bind(5, f.amount_php);
      a.bind(6, ts_view);  // created at the event's time: replays are identical
      a.bind(7, f.reasons);
      WF_RETURN_IF_ERROR(a.run());
      result.alerts += db_.changes();
    }
  }
  std::string received = format_utc(batch.received_at);
  for (const DeadLetterRow& d : batch.dead_letters) {
    Stmt& s = insert_dead_letter_;
    s.bind(1, d.source.empty() ? batch.source : d.source);
    s.bind(2, d.source_offset);
    s.bind(3, errc_name(d.code));
    s.bind(4, d.message);
    s.bind_blob(5, d.raw);
    s.bind(6, received);
    WF_RETURN_IF_ERROR(s.run());
    result.dead_letters += db_.changes();
  }
  auto upsert = [&](std::string_view source, int64_t position, size_t at) {
    upsert_offset_.bind(1, source);
    upsert_offset_.bind(2, position);
    upsert_offset_.bind(3, received);
    const std::string last_text = ts_text(tally.last_ts[at]);  // bound by reference
    upsert_offset_.bind(4, last_text);                         // NULL keeps the stored one
    upsert_offset_.bind(5, tally.records[at]);
    upsert_offset_.bind(6, tally.duplicates[at]);
    return upsert_offset_.run();
  };
  if (batch.positions.empty()) {
    WF_RETURN_IF_ERROR(upsert(batch.source, batch.end_offset, tally.own()));
  }
  for (size_t i = 0; i < batch.positions.size(); ++i) {
    WF_RETURN_IF_ERROR(upsert(batch.positions[i].name, batch.positions[i].next, i));
  }
  return result;
}

Result<Instant> SqliteStore::last_processed_event_ts() {
  auto stmt = db_.prepare("SELECT event_ts FROM fact_transactions ORDER BY rowid DESC LIMIT 1");
  if (!stmt.ok()) return stmt.take_error();
  auto row = stmt->step();
  if (!row.ok()) return row.take_error();
  return *row ? parse_ts(stmt->column_text(0)) : Instant{0};
}

Status SqliteStore::scan_last_activity(Instant before,
                                       const std::function<void(std::string_view, Instant)>& f) {
  auto stmt = db_.prepare(
      before == INT64_MAX ? "SELECT user_id, MAX(event_ts) FROM fact_transactions GROUP BY user_id"
                          : "SELECT user_id, MAX(event_ts) FROM fact_transactions"
                            " WHERE event_ts < ?1 GROUP BY user_id");
  if (!stmt.ok()) return stmt.take_error();
  const std::string before_text = format_utc(std::max<Instant>(before, 0));
  if (before != INT64_MAX) stmt->bind(1, before_text);  // bound by reference: keep it alive
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.take_error();
    if (!*row) break;
    f(stmt->column_text(0), parse_ts(stmt->column_text(1)));
  }
  return Status::Ok();
}

namespace {

constexpr const char* kStoredFactColumns =
    "SELECT transaction_id, event_ts, user_id, merchant_id, counterparty_id,"
    " transaction_type, amount_minor, currency, amount_php, channel, payment_method, status,"
    " country, province, city, lat, lon, device_id, quantity, fraud_score, decision,"
    " rules_fired, reasons, ruleset_version, product_id, rowid, processing_us"
    " FROM fact_transactions";

// The rows of a statement selecting kStoredFactColumns.
Status read_stored_facts(sqlite::Stmt* stmt, const Store::SeqFactFn& f) {
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.take_error();
    if (!*row) break;
    StoredFact r;
    domain::Transaction& tx = r.tx;
    tx.transaction_id = stmt->column_text(0);
    tx.event_ts = parse_ts(stmt->column_text(1));
    tx.user_id = stmt->column_text(2);
    tx.merchant_id = stmt->column_text(3);
    tx.counterparty_id = stmt->column_text(4);
    (void)domain::parse_tx_type(stmt->column_text(5), &tx.type);
    auto currency = Currency::from_code(stmt->column_text(7));
    tx.amount = Money{stmt->column_int(6), currency.ok() ? *currency : Currency::php()};
    r.amount_php = stmt->column_int(8);
    tx.channel = stmt->column_text(9);
    tx.payment_method = stmt->column_text(10);
    (void)domain::parse_tx_status(stmt->column_text(11), &tx.status);
    tx.country = stmt->column_text(12);
    tx.province = stmt->column_text(13);
    tx.city = stmt->column_text(14);
    tx.has_location = !stmt->column_null(15) && !stmt->column_null(16);
    tx.lat = stmt->column_double(15);
    tx.lon = stmt->column_double(16);
    tx.device_id = stmt->column_text(17);
    tx.quantity = stmt->column_int(18);
    r.fraud_score = static_cast<int>(stmt->column_int(19));
    std::string_view decision = stmt->column_text(20);
    r.verdict = decision == "FLAG"      ? domain::Verdict::kFlag
                : decision == "MONITOR" ? domain::Verdict::kMonitor
                                        : domain::Verdict::kNormal;
    r.rules_fired = stmt->column_text(21);
    r.reasons = stmt->column_text(22);
    r.ruleset_version = stmt->column_text(23);
    tx.product_id = stmt->column_text(24);
    r.processing_us = stmt->column_int(26);
    f(r, stmt->column_int(25));
  }
  return Status::Ok();
}

}  // namespace

Status SqliteStore::scan_facts(Instant from, Instant to,
                               const std::function<void(const StoredFact&)>& f) {
  auto stmt = db_.prepare(std::string(kStoredFactColumns) +
                          " WHERE event_ts >= ?1 AND event_ts < ?2 ORDER BY rowid");
  if (!stmt.ok()) return stmt.take_error();
  // Stored times are fixed-width UTC text, so text bounds compare as times; clamp to the
  // years the text form covers.
  constexpr Instant kFirst = 0;
  constexpr Instant kLast = 7'258'118'400'000'000;  // 2200-01-01
  const std::string from_text = format_utc(std::clamp(from, kFirst, kLast));
  const std::string to_text = format_utc(std::clamp(to, kFirst, kLast));
  stmt->bind(1, from_text);  // bound by reference: the strings outlive the scan
  stmt->bind(2, to_text);
  return read_stored_facts(&*stmt, [&](const StoredFact& r, int64_t) { f(r); });
}

Status SqliteStore::scan_facts_after(int64_t after, int64_t until, int64_t max,
                                     const SeqFactFn& f) {
  auto stmt = db_.prepare(std::string(kStoredFactColumns) +
                          " WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid LIMIT ?3");
  if (!stmt.ok()) return stmt.take_error();
  stmt->bind(1, after);
  stmt->bind(2, until);
  stmt->bind(3, max);
  return read_stored_facts(&*stmt, f);
}

Result<int64_t> SqliteStore::last_fact_seq() {
  auto v = query_int(*this, "SELECT COALESCE(MAX(rowid), 0) FROM fact_transactions", {});
  if (!v.ok()) return v.take_error();
  return v->value_or(0);
}

Status SqliteStore::scan_labels(const std::function<void(const LabelRow&)>& f) {
  auto stmt = db_.prepare("SELECT transaction_id, is_fraud, pattern FROM labels");
  if (!stmt.ok()) return stmt.take_error();
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.take_error();
    if (!*row) break;
    LabelRow l;
    l.transaction_id = stmt->column_text(0);
    l.is_fraud = stmt->column_int(1) != 0;
    l.pattern = stmt->column_text(2);
    f(l);
  }
  return Status::Ok();
}

Status SqliteStore::replace_labels(std::span<const LabelRow> labels) {
  auto stmt = db_.prepare(
      "INSERT OR REPLACE INTO labels (transaction_id, is_fraud, pattern, baseline)"
      " VALUES (?1, ?2, ?3, ?4)");
  if (!stmt.ok()) return stmt.take_error();
  TxnGuard txn(db_);
  WF_RETURN_IF_ERROR(txn.begin());
  WF_RETURN_IF_ERROR(db_.exec("DELETE FROM labels"));
  for (const LabelRow& l : labels) {
    stmt->bind(1, l.transaction_id);
    stmt->bind(2, int64_t{l.is_fraud ? 1 : 0});
    stmt->bind_text(3, l.pattern);
    if (l.baseline < 0) {
      stmt->bind_null(4);
    } else {
      stmt->bind(4, int64_t{l.baseline});
    }
    WF_RETURN_IF_ERROR(stmt->run());
  }
  return txn.commit();
}

Status SqliteStore::scan_eval(const std::function<void(const EvalRow&)>& f) {
  auto stmt = db_.prepare(
      "SELECT l.transaction_id IS NOT NULL, l.is_fraud, l.pattern, f.transaction_id IS NOT NULL,"
      " f.decision, f.rules_fired, f.fraud_score, l.baseline, f.model_score FROM labels l"
      " FULL OUTER JOIN fact_transactions f ON f.transaction_id = l.transaction_id");
  if (!stmt.ok()) return stmt.take_error();
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.take_error();
    if (!*row) break;
    EvalRow r;
    r.labelled = stmt->column_int(0) != 0;
    r.is_fraud = stmt->column_int(1) != 0;
    r.pattern = stmt->column_text(2);
    r.stored = stmt->column_int(3) != 0;
    std::string_view decision = stmt->column_text(4);
    r.verdict = decision == "FLAG"      ? domain::Verdict::kFlag
                : decision == "MONITOR" ? domain::Verdict::kMonitor
                                        : domain::Verdict::kNormal;
    r.rules_fired = stmt->column_text(5);
    r.fraud_score = static_cast<int>(stmt->column_int(6));
    r.baseline = stmt->column_null(7) ? -1 : static_cast<int>(stmt->column_int(7));
    if (!stmt->column_null(8)) r.model_score = stmt->column_double(8);
    f(r);
  }
  return Status::Ok();
}

Status SqliteStore::exec_script(const std::vector<std::string>& statements) {
  TxnGuard txn(db_);
  WF_RETURN_IF_ERROR(txn.begin());
  for (const std::string& sql : statements) WF_RETURN_IF_ERROR(db_.exec(sql));
  return txn.commit();
}

namespace {
// $N (PostgreSQL's form) is ?N here.
std::string sqlite_params(std::string_view sql) {
  std::string text(sql);
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '$' && text[i + 1] >= '0' && text[i + 1] <= '9') text[i] = '?';
  }
  return text;
}

void bind_params(Stmt& stmt, const SqlParams& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i]) {
      stmt.bind_text(static_cast<int>(i) + 1, *params[i]);
    } else {
      stmt.bind_null(static_cast<int>(i) + 1);
    }
  }
}
}  // namespace

Result<int64_t> SqliteStore::execute(std::string_view sql, const SqlParams& params) {
  auto stmt = db_.prepare(sqlite_params(sql));
  if (!stmt.ok()) return stmt.take_error();
  bind_params(*stmt, params);
  WF_RETURN_IF_ERROR(stmt->run());
  return int64_t{db_.changes()};
}

Result<std::vector<int64_t>> SqliteStore::execute_all(const std::vector<Statement>& statements) {
  TxnGuard txn(db_);
  WF_RETURN_IF_ERROR(txn.begin());
  std::vector<int64_t> changed;
  for (const Statement& s : statements) {
    auto n = execute(s.sql, s.params);
    if (!n.ok()) return n.take_error();
    changed.push_back(*n);
  }
  WF_RETURN_IF_ERROR(txn.commit());
  return changed;
}

Status SqliteStore::query_text(
    std::string_view sql, const SqlParams& params,
    const std::function<void(const std::vector<std::string_view>&)>& row) {
  const std::string text = sqlite_params(sql);
  auto stmt = db_.prepare(text);
  if (!stmt.ok()) return stmt.take_error();
  bind_params(*stmt, params);
  std::vector<std::string_view> columns;
  for (;;) {
    auto more = stmt->step();
    if (!more.ok()) return more.take_error();
    if (!*more) break;
    const int n = stmt->column_count();
    columns.clear();
    for (int i = 0; i < n; ++i) columns.push_back(stmt->column_text(i));
    row(columns);
  }
  return Status::Ok();
}

Result<int> SqliteStore::maintain(int /*months_ahead*/) {
  // No partitions: fold the WAL back into the file and let the planner refresh statistics.
  WF_RETURN_IF_ERROR(db_.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA optimize;"));
  return 0;
}

Result<TableCounts> SqliteStore::counts() {
  TableCounts c;
  struct Item {
    const char* table;
    int64_t* out;
  };
  const Item items[] = {{"dim_users", &c.users},           {"dim_merchants", &c.merchants},
                        {"fact_transactions", &c.facts},   {"fraud_alerts", &c.alerts},
                        {"dead_letters", &c.dead_letters}, {"labels", &c.labels}};
  for (const Item& item : items) {
    auto stmt = db_.prepare(std::string("SELECT COUNT(*) FROM ") + item.table);
    if (!stmt.ok()) return stmt.take_error();
    auto row = stmt->step();
    if (!row.ok()) return row.take_error();
    *item.out = stmt->column_int(0);
  }
  return c;
}

}  // namespace wf::store::sqlite
