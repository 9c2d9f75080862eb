#include "store/sqlite/schema.h"

namespace wf::store::sqlite {

const std::string_view kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS dim_users (
  user_id        TEXT PRIMARY KEY,
  phone_hash     TEXT,
  full_name      TEXT NOT NULL,
  home_province  TEXT,
  home_city      TEXT,
  kyc_level      INTEGER NOT NULL,
  account_status TEXT NOT NULL,
  created_at     TEXT,
  last_txn_at    TEXT
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS dim_merchants (
  merchant_id   TEXT PRIMARY KEY,
  merchant_name TEXT NOT NULL,
  category      TEXT NOT NULL,
  province      TEXT,
  is_partner    INTEGER NOT NULL,
  risk_score    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS fact_transactions (
  transaction_id   TEXT PRIMARY KEY,
  event_ts         TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  merchant_id      TEXT,
  counterparty_id  TEXT,
  transaction_type TEXT NOT NULL,
  amount_minor     INTEGER NOT NULL,
  currency         TEXT NOT NULL,
  amount_php       INTEGER NOT NULL,
  channel          TEXT,
  payment_method   TEXT,
  status           TEXT NOT NULL,
  country          TEXT,
  province         TEXT,
  city             TEXT,
  lat              REAL,
  lon              REAL,
  device_id        TEXT,
  ip_hash          TEXT,
  phone_hash       TEXT,
  quantity         INTEGER,
  fraud_score      INTEGER NOT NULL,
  fraud_flag       INTEGER NOT NULL,
  decision         TEXT NOT NULL,
  rules_fired      TEXT NOT NULL,
  processing_us    INTEGER,
  source           TEXT,
  source_offset    INTEGER,
  ruleset_version  TEXT,
  reasons          TEXT
);
CREATE INDEX IF NOT EXISTS idx_fact_user_ts ON fact_transactions (user_id, event_ts);
CREATE INDEX IF NOT EXISTS idx_fact_event_ts ON fact_transactions (event_ts);
CREATE INDEX IF NOT EXISTS idx_fact_flagged ON fact_transactions (event_ts) WHERE fraud_flag = 1;

CREATE TABLE IF NOT EXISTS fraud_alerts (
  alert_id        INTEGER PRIMARY KEY,
  transaction_id  TEXT NOT NULL UNIQUE,
  user_id         TEXT NOT NULL,
  alert_type      TEXT NOT NULL,
  fraud_score     INTEGER NOT NULL,
  amount          INTEGER NOT NULL,
  status          TEXT NOT NULL DEFAULT 'NEW'
                  CHECK (status IN ('NEW', 'INVESTIGATING', 'CONFIRMED', 'DISMISSED')),
  investigated_by TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  note            TEXT,
  reasons         TEXT
);
CREATE INDEX IF NOT EXISTS idx_alerts_status ON fraud_alerts (status, created_at);

CREATE TABLE IF NOT EXISTS dead_letters (
  id            INTEGER PRIMARY KEY,
  source        TEXT NOT NULL,
  source_offset INTEGER NOT NULL,
  error_code    TEXT NOT NULL,
  message       TEXT NOT NULL,
  raw           BLOB NOT NULL,
  received_at   TEXT NOT NULL,
  UNIQUE (source, source_offset)
);

CREATE TABLE IF NOT EXISTS labels (
  transaction_id TEXT PRIMARY KEY,
  is_fraud       INTEGER NOT NULL,
  pattern        TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS source_offsets (
  source        TEXT PRIMARY KEY,
  position      INTEGER NOT NULL,
  updated_at    TEXT NOT NULL,
  last_event_ts TEXT
) WITHOUT ROWID;
)sql";

}  // namespace wf::store::sqlite
