-- mart_merchant_performance (seed 000): per merchant and local day, volume, customers,
-- the share of successful transactions and how many were flagged as fraud.
-- @date_column analysis_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_merchant_performance (
  analysis_date     {date} NOT NULL,
  merchant_id       {text} NOT NULL,
  transaction_count {int} NOT NULL,
  total_volume_php  {int} NOT NULL,
  unique_customers  {int} NOT NULL,
  success_rate      {real} NOT NULL,
  fraud_incidents   {int} NOT NULL,
  PRIMARY KEY (analysis_date, merchant_id)
)
-- @build
INSERT INTO {gold}mart_merchant_performance
SELECT {date_value}, f.merchant_id, COUNT(*),
       SUM(CASE WHEN f.status = 'SUCCESS' THEN f.amount_php ELSE 0 END),
       COUNT(DISTINCT f.user_id),
       ROUND(1.0 * SUM(CASE WHEN f.status = 'SUCCESS' THEN 1 ELSE 0 END) / COUNT(*), 4),
       SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END)
  FROM {silver}fact_transactions f
 WHERE f.event_ts >= {from} AND f.event_ts < {to} AND f.merchant_id IS NOT NULL
 GROUP BY f.merchant_id
