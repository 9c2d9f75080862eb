# Shared by scripts/acceptance and scripts/fire (sourced; they set $bin and $root): the
# check counters, digests that compare a store with another, and pg_ctl on pg-dev's server.
passed=0
failed=0
pass() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }
check() { if eval "$1"; then pass "$2"; else fail "$2 ($1)"; fi; }

# Facts (every decision and the hashed PII), alerts, dead letters and positions of a
# SQLite store, one md5 line each.
sqlite_digest() {
  sqlite3 "$1" "SELECT transaction_id, event_ts, user_id, amount_minor, amount_php, fraud_score,
    decision, rules_fired, reasons, ip_hash, phone_hash, source, source_offset
    FROM fact_transactions ORDER BY transaction_id" | md5sum
  sqlite3 "$1" "SELECT alert_id, transaction_id, alert_type, fraud_score, amount, status,
    created_at FROM fraud_alerts ORDER BY alert_id" | md5sum
  sqlite3 "$1" "SELECT source, source_offset, error_code, message, hex(raw) FROM dead_letters
    ORDER BY source, source_offset" | md5sum
  sqlite3 "$1" "SELECT source, position, records, duplicates FROM source_offsets ORDER BY 1" | md5sum
}

# mart|day|rows of every mart, by the date column its SQL declares.
mart_days() {
  for f in "$root"/sql/marts/mart_*.sql; do
    m=$(basename "$f" .sql)
    col=$(sed -n 's/^-- @date_column //p' "$f")
    sqlite3 "$1" "SELECT '$m', $col, COUNT(*) FROM $m GROUP BY 2" 2>/dev/null || true
  done | sort
}

# Every mart's rows, sorted.
mart_digest() {
  for m in $("$bin" marts list | grep '^mart_'); do
    echo "$m"; sqlite3 "$1" "SELECT * FROM $m" | sort
  done | md5sum
}

# pg_ctl DATA_DIR ARGS...: Debian's pg_ctl (or $WALLETFLOW_PG_BIN's) as the data
# directory's owner (postgres when run as root, as pg-dev does).
pg_ctl_as_owner() {
  local data=$1
  shift
  local c=("${WALLETFLOW_PG_BIN:-/usr/lib/postgresql/15/bin}/pg_ctl" -D "$data" -m fast -w "$@")
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "${c[@]}" >/dev/null); else "${c[@]}" >/dev/null; fi
}
