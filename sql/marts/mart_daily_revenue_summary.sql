-- mart_daily_revenue_summary (seed 001): per local day, the transactions, the revenue
-- (successful transactions, in PHP centavos), the average successful transaction, and how
-- many were flagged or monitored and for how much.
-- @date_column summary_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_daily_revenue_summary (
  summary_date         {date} NOT NULL PRIMARY KEY,
  transaction_count    {int} NOT NULL,
  successful_count     {int} NOT NULL,
  total_revenue_php    {int} NOT NULL,
  avg_transaction_php  {int},
  fraud_count          {int} NOT NULL,
  fraud_amount_php     {int} NOT NULL,
  monitored_count      {int} NOT NULL,
  fraud_rate           {real} NOT NULL,
  unique_users         {int} NOT NULL,
  unique_merchants     {int} NOT NULL
)
-- @build
INSERT INTO {gold}mart_daily_revenue_summary
SELECT {date_value}, COUNT(*),
       SUM(CASE WHEN f.status = 'SUCCESS' THEN 1 ELSE 0 END),
       SUM(CASE WHEN f.status = 'SUCCESS' THEN f.amount_php ELSE 0 END),
       CAST(SUM(CASE WHEN f.status = 'SUCCESS' THEN f.amount_php ELSE 0 END) AS {int}) /
         NULLIF(SUM(CASE WHEN f.status = 'SUCCESS' THEN 1 ELSE 0 END), 0),
       SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END),
       SUM(CASE WHEN f.fraud_flag THEN f.amount_php ELSE 0 END),
       SUM(CASE WHEN f.decision = 'MONITOR' THEN 1 ELSE 0 END),
       ROUND(1.0 * SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END) / COUNT(*), 4),
       COUNT(DISTINCT f.user_id), COUNT(DISTINCT f.merchant_id)
  FROM {silver}fact_transactions f
 WHERE f.event_ts >= {from} AND f.event_ts < {to}
HAVING COUNT(*) > 0
