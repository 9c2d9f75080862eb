#include "store/postgres/migrations.h"

namespace wf::store::postgres {
namespace {

// silver: cleaned, scored data; gold: marts; ops: the pipeline's own bookkeeping.
// Identifier columns are COLLATE "C": ids need byte order, not the server locale's
// linguistic order, and their indexes compare with memcmp whatever the locale.
// fact_transactions is range-partitioned by month on event_ts. PostgreSQL enforces
// uniqueness only with the partition key, so transaction_id's uniqueness across all
// months lives in silver.transaction_ids (one row per id ever stored); a fact is copied
// in only when its id enters that table. That table is also how a transaction is found by
// id: its (user_id, event_ts) leads to the row through fact_user_ts, in one partition
// (a per-partition index on transaction_id would cost every write as much again).
constexpr std::string_view kInitial = R"sql(
CREATE SCHEMA IF NOT EXISTS silver;
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE silver.dim_users (
  user_id        text COLLATE "C" PRIMARY KEY,
  phone_hash     text,
  full_name      text NOT NULL,
  home_province  text,
  home_city      text,
  kyc_level      integer NOT NULL,
  account_status text NOT NULL,
  created_at     timestamptz,
  last_txn_at    timestamptz
);

CREATE TABLE silver.dim_merchants (
  merchant_id   text COLLATE "C" PRIMARY KEY,
  merchant_name text NOT NULL,
  category      text NOT NULL,
  province      text,
  is_partner    boolean NOT NULL,
  risk_score    integer NOT NULL
);

CREATE TABLE silver.transaction_ids (
  transaction_id text COLLATE "C" PRIMARY KEY,
  event_ts       timestamptz NOT NULL,
  user_id        text COLLATE "C" NOT NULL
);

CREATE TABLE silver.fact_transactions (
  transaction_id   text COLLATE "C" NOT NULL,
  event_ts         timestamptz NOT NULL,
  user_id          text COLLATE "C" NOT NULL,
  merchant_id      text COLLATE "C",
  counterparty_id  text COLLATE "C",
  transaction_type text NOT NULL,
  amount_minor     bigint NOT NULL,
  currency         text NOT NULL,
  amount_php       bigint NOT NULL,
  channel          text,
  payment_method   text,
  status           text NOT NULL,
  country          text,
  province         text,
  city             text,
  lat              double precision,
  lon              double precision,
  device_id        text,
  ip_hash          text,
  phone_hash       text,
  quantity         integer,
  fraud_score      integer NOT NULL,
  fraud_flag       boolean NOT NULL,
  decision         text NOT NULL,
  rules_fired      text NOT NULL,
  processing_us    bigint,
  source           text,
  source_offset    bigint,
  ruleset_version  text,
  reasons          text,
  ingest_seq       bigint NOT NULL   -- processing order: commit number << 20 | row
) PARTITION BY RANGE (event_ts);
CREATE INDEX fact_user_ts ON silver.fact_transactions (user_id, event_ts);
CREATE INDEX fact_merchant_ts ON silver.fact_transactions (merchant_id, event_ts);
CREATE INDEX fact_flagged_ts ON silver.fact_transactions (event_ts) WHERE fraud_flag;
CREATE INDEX fact_event_ts ON silver.fact_transactions USING brin (event_ts);

CREATE TABLE silver.fraud_alerts (
  alert_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  text COLLATE "C" NOT NULL UNIQUE,
  user_id         text COLLATE "C" NOT NULL,
  alert_type      text NOT NULL,
  fraud_score     integer NOT NULL,
  amount          bigint NOT NULL,
  status          text NOT NULL DEFAULT 'NEW'
                  CHECK (status IN ('NEW', 'INVESTIGATING', 'CONFIRMED', 'DISMISSED')),
  investigated_by text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  note            text,
  reasons         text
);
CREATE INDEX alerts_status ON silver.fraud_alerts (status, created_at);

CREATE TABLE silver.labels (
  transaction_id text COLLATE "C" PRIMARY KEY,
  is_fraud       boolean NOT NULL,
  pattern        text NOT NULL
);

CREATE TABLE ops.dead_letters (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source        text NOT NULL,
  source_offset bigint NOT NULL,
  error_code    text NOT NULL,
  message       text NOT NULL,
  raw           bytea NOT NULL,
  received_at   timestamptz NOT NULL,
  UNIQUE (source, source_offset)
);

CREATE TABLE ops.source_offsets (
  source        text PRIMARY KEY,
  position      bigint NOT NULL,
  updated_at    timestamptz NOT NULL,
  last_event_ts timestamptz,
  commit_seq    bigint NOT NULL
);

CREATE SEQUENCE ops.commit_seq;
)sql";

// Products (ecommerce) and the product of each fact; per-position counters for
// reconciliation (records read, duplicates dropped, rows purged by retention: what a
// store held before counts as read once); the scheduler's run history and the
// data-quality results.
constexpr std::string_view kOpsAndProducts = R"sql(
ALTER TABLE silver.fact_transactions ADD COLUMN product_id text COLLATE "C";

CREATE TABLE silver.dim_products (
  product_id   text COLLATE "C" PRIMARY KEY,
  product_name text NOT NULL,
  category     text NOT NULL,
  sub_category text,
  currency     text NOT NULL,
  price_minor  bigint NOT NULL,
  cost_minor   bigint NOT NULL,
  created_at   timestamptz
);

ALTER TABLE ops.source_offsets
  ADD COLUMN records bigint NOT NULL DEFAULT 0,
  ADD COLUMN duplicates bigint NOT NULL DEFAULT 0,
  ADD COLUMN purged bigint NOT NULL DEFAULT 0;
UPDATE ops.source_offsets o SET records =
  (SELECT count(*) FROM silver.fact_transactions f WHERE f.source = o.source) +
  (SELECT count(*) FROM ops.dead_letters d WHERE d.source = o.source);

CREATE TABLE ops.job_runs (
  run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job           text NOT NULL,
  scheduled_for timestamptz,
  trigger       text NOT NULL,
  attempt       integer NOT NULL,
  started_at    timestamptz NOT NULL,
  heartbeat_at  timestamptz NOT NULL,
  finished_at   timestamptz,
  status        text NOT NULL CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILED')),
  rows          bigint,
  error         text,
  instance      text NOT NULL
);
CREATE INDEX job_runs_job ON ops.job_runs (job, started_at);
CREATE UNIQUE INDEX job_runs_running ON ops.job_runs (job) WHERE status = 'RUNNING';

CREATE TABLE ops.dq_results (
  run_id     bigint NOT NULL,
  check_name text NOT NULL,
  kind       text NOT NULL,
  target     text NOT NULL,
  severity   text NOT NULL,
  status     text NOT NULL CHECK (status IN ('PASS', 'FAIL', 'WARN', 'ERROR')),
  observed   bigint,
  detail     text NOT NULL,
  checked_at timestamptz NOT NULL,
  PRIMARY KEY (run_id, check_name)
);

CREATE TABLE ops.ingestion_monitoring (
  run_id       bigint NOT NULL,
  source       text NOT NULL,
  records_read bigint NOT NULL,
  facts        bigint NOT NULL,
  dead_letters bigint NOT NULL,
  duplicates   bigint NOT NULL,
  purged       bigint NOT NULL,
  status       text NOT NULL CHECK (status IN ('Consistent', 'Inconsistent')),
  checked_at   timestamptz NOT NULL,
  PRIMARY KEY (run_id, source)
);
)sql";

// The API's users (argon2id hashes, roles) and its audit log.
constexpr std::string_view kApi = R"sql(
CREATE TABLE ops.api_users (
  username      text COLLATE "C" PRIMARY KEY,
  role          text NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL,
  disabled      boolean NOT NULL DEFAULT false
);

CREATE TABLE ops.audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL,
  username    text NOT NULL,
  role        text NOT NULL,
  action      text NOT NULL,
  target      text NOT NULL,
  detail      text,
  remote_addr text
);
CREATE INDEX audit_log_at ON ops.audit_log (at);
)sql";

// The API's orders: newest first (a b-tree, read backwards; the BRIN it replaces gives
// no order), and the alert queue by status, newest first. A merchant's 30-day risk from
// the index alone. Processing order, for `serve` following what another process commits.
constexpr std::string_view kApiIndexes = R"sql(
CREATE INDEX fact_ts ON silver.fact_transactions (event_ts);
CREATE INDEX fact_ingest_seq ON silver.fact_transactions (ingest_seq);
DROP INDEX silver.fact_event_ts;
CREATE INDEX alerts_status_id ON silver.fraud_alerts (status, alert_id);
CREATE INDEX fact_merchant ON silver.fact_transactions (merchant_id, event_ts)
  INCLUDE (decision, status, amount_php, user_id);
DROP INDEX silver.fact_merchant_ts;
DROP INDEX silver.alerts_status;
)sql";

// A baseline detector's verdict beside the label (PaySim's isFlaggedFraud), for eval.
constexpr std::string_view kLabelBaseline = R"sql(
ALTER TABLE silver.labels ADD COLUMN baseline boolean;
)sql";

// The user's home coordinates (the rules' home_location).
constexpr std::string_view kUserHome = R"sql(
ALTER TABLE silver.dim_users ADD COLUMN home_lat double precision,
  ADD COLUMN home_lon double precision;
)sql";

// The trained model's score beside the rules' (process --model).
constexpr std::string_view kModelScore = R"sql(
ALTER TABLE silver.fact_transactions ADD COLUMN model_score double precision;
)sql";

constexpr Migration kMigrations[] = {
    {1, "silver, gold and ops schemas; monthly fact partitions", kInitial},
    {2, "products, reconciliation counters, job runs, data-quality results", kOpsAndProducts},
    {3, "API users and audit log", kApi},
    {4, "indexes for the API's orders and for following commits", kApiIndexes},
    {5, "labels: a baseline detector's verdict", kLabelBaseline},
    {6, "users: home coordinates", kUserHome},
    {7, "facts: the model's score", kModelScore},
};

static_assert(std::size(kMigrations) == kLatestMigration, "kLatestMigration is the newest");

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

}  // namespace wf::store::postgres
