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
  last_txn_at    TEXT,
  home_lat       REAL,
  home_lon       REAL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS dim_products (
  product_id   TEXT PRIMARY KEY,
  product_name TEXT NOT NULL,
  category     TEXT NOT NULL,
  sub_category TEXT,
  currency     TEXT NOT NULL,
  price_minor  INTEGER NOT NULL,
  cost_minor   INTEGER NOT NULL,
  created_at   TEXT
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
  reasons          TEXT,
  product_id       TEXT,
  model_score      REAL
);
CREATE INDEX IF NOT EXISTS idx_fact_user_ts ON fact_transactions (user_id, event_ts);
-- A merchant's page reads its 30-day risk from this index alone: a busy merchant's rows
-- are spread over the whole table, one page each.
CREATE INDEX IF NOT EXISTS idx_fact_merchant ON fact_transactions
  (merchant_id, event_ts, decision, status, amount_php, user_id);
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
-- The alert queue by status, newest (highest id) first.
DROP INDEX IF EXISTS idx_alerts_status;
CREATE INDEX IF NOT EXISTS idx_alerts_status_id ON fraud_alerts (status, alert_id);

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
  pattern        TEXT NOT NULL,
  baseline       INTEGER
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS source_offsets (
  source        TEXT PRIMARY KEY,
  position      INTEGER NOT NULL,
  updated_at    TEXT NOT NULL,
  last_event_ts TEXT,
  records       INTEGER NOT NULL DEFAULT 0,
  duplicates    INTEGER NOT NULL DEFAULT 0,
  purged        INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS job_runs (
  run_id        INTEGER PRIMARY KEY,
  job           TEXT NOT NULL,
  scheduled_for TEXT,
  trigger       TEXT NOT NULL,
  attempt       INTEGER NOT NULL,
  started_at    TEXT NOT NULL,
  heartbeat_at  TEXT NOT NULL,
  finished_at   TEXT,
  status        TEXT NOT NULL CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILED')),
  rows          INTEGER,
  error         TEXT,
  instance      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_job_runs_job ON job_runs (job, started_at);
CREATE UNIQUE INDEX IF NOT EXISTS idx_job_runs_running ON job_runs (job)
  WHERE status = 'RUNNING';

CREATE TABLE IF NOT EXISTS dq_results (
  run_id     INTEGER NOT NULL,
  check_name TEXT NOT NULL,
  kind       TEXT NOT NULL,
  target     TEXT NOT NULL,
  severity   TEXT NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('PASS', 'FAIL', 'WARN', 'ERROR')),
  observed   INTEGER,
  detail     TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  PRIMARY KEY (run_id, check_name)
);

CREATE TABLE IF NOT EXISTS api_users (
  username      TEXT PRIMARY KEY,
  role          TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
  password_hash TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_log (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  username    TEXT NOT NULL,
  role        TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  detail      TEXT,
  remote_addr TEXT
);
CREATE INDEX IF NOT EXISTS idx_audit_log_at ON audit_log (at);

CREATE TABLE IF NOT EXISTS ingestion_monitoring (
  run_id       INTEGER NOT NULL,
  source       TEXT NOT NULL,
  records_read INTEGER NOT NULL,
  facts        INTEGER NOT NULL,
  dead_letters INTEGER NOT NULL,
  duplicates   INTEGER NOT NULL,
  purged       INTEGER NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('Consistent', 'Inconsistent')),
  checked_at   TEXT NOT NULL,
  PRIMARY KEY (run_id, source)
);
)sql";

const std::string_view kBackfillRecords = R"sql(
UPDATE source_offsets SET records =
  (SELECT count(*) FROM fact_transactions f WHERE f.source = source_offsets.source) +
  (SELECT count(*) FROM dead_letters d WHERE d.source = source_offsets.source)
)sql";

}  // namespace wf::store::sqlite
