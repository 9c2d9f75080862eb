-- mart_fraud_daily_saved_amount (seed 004): per local day, the money held back by
-- flagging (PHP centavos), and the part analysts confirmed as fraud: the amount saved.
-- Every day built has its row, zero when nothing was flagged.
-- @date_column saved_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_fraud_daily_saved_amount (
  saved_date          {date} NOT NULL PRIMARY KEY,
  flagged_count       {int} NOT NULL,
  flagged_amount_php  {int} NOT NULL,
  confirmed_count     {int} NOT NULL,
  saved_amount_php    {int} NOT NULL,
  dismissed_count     {int} NOT NULL,
  open_count          {int} NOT NULL
)
-- @build
INSERT INTO {gold}mart_fraud_daily_saved_amount
SELECT {date_value}, COUNT(*), COALESCE(SUM(a.amount), 0),
       COALESCE(SUM(CASE WHEN a.status = 'CONFIRMED' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN a.status = 'CONFIRMED' THEN a.amount ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN a.status = 'DISMISSED' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN a.status IN ('NEW', 'INVESTIGATING') THEN 1 ELSE 0 END), 0)
  FROM {silver}fraud_alerts a
 WHERE a.created_at >= {from} AND a.created_at < {to}
