-- mart_customer_kpis (seed 001): for each customer active on the local day, the 30 days
-- ending that day: transactions, spend (successful payments, bills, purchases and
-- orders, PHP centavos), average spend, fraud-flagged count and fraud ratio.
-- @date_column kpi_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_customer_kpis (
  kpi_date            {date} NOT NULL,
  user_id             {text} NOT NULL,
  transactions_30d    {int} NOT NULL,
  spend_count_30d     {int} NOT NULL,
  total_spend_php_30d {int} NOT NULL,
  avg_spend_php_30d   {int},
  fraud_count_30d     {int} NOT NULL,
  fraud_ratio_30d     {real} NOT NULL,
  PRIMARY KEY (kpi_date, user_id)
)
-- @build
INSERT INTO {gold}mart_customer_kpis
SELECT {date_value}, f.user_id, COUNT(*),
       SUM(CASE WHEN {spend:f} THEN 1 ELSE 0 END),
       SUM(CASE WHEN {spend:f} THEN f.amount_php ELSE 0 END),
       CAST(SUM(CASE WHEN {spend:f} THEN f.amount_php ELSE 0 END) AS {int}) /
         NULLIF(SUM(CASE WHEN {spend:f} THEN 1 ELSE 0 END), 0),
       SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END),
       ROUND(1.0 * SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END) / COUNT(*), 4)
  FROM {silver}fact_transactions f
 WHERE f.event_ts >= {days_before:29} AND f.event_ts < {to}
   AND f.user_id IN (SELECT d.user_id FROM {silver}fact_transactions d
                      WHERE d.event_ts >= {from} AND d.event_ts < {to})
 GROUP BY f.user_id
