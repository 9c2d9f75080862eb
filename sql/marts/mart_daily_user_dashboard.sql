-- mart_daily_user_dashboard (seed 000): per user and local day, what they spent and on
-- what, and how many of their transactions raised a fraud alert. Spend is money paid
-- out successfully: payments, bills, purchases and orders.
-- @date_column spend_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_daily_user_dashboard (
  spend_date         {date} NOT NULL,
  user_id            {text} NOT NULL,
  total_spend_php    {int} NOT NULL,
  transaction_count  {int} NOT NULL,
  top_category       {text},
  food_spend_php     {int} NOT NULL,
  bills_spend_php    {int} NOT NULL,
  fraud_alerts_today {int} NOT NULL,
  PRIMARY KEY (spend_date, user_id)
)
-- @build
INSERT INTO {gold}mart_daily_user_dashboard
SELECT {date_value}, f.user_id,
       SUM(CASE WHEN {spend:f} THEN f.amount_php ELSE 0 END),
       COUNT(*),
       (SELECT m2.category FROM {silver}fact_transactions f2
          JOIN {silver}dim_merchants m2 ON m2.merchant_id = f2.merchant_id
         WHERE f2.user_id = f.user_id AND f2.event_ts >= {from} AND f2.event_ts < {to}
           AND {spend:f2}
         GROUP BY m2.category ORDER BY SUM(f2.amount_php) DESC, m2.category LIMIT 1),
       SUM(CASE WHEN {spend:f}
                 AND m.category = 'Food' THEN f.amount_php ELSE 0 END),
       SUM(CASE WHEN f.status = 'SUCCESS' AND (f.transaction_type = 'bills' OR m.category = 'Bills')
                THEN f.amount_php ELSE 0 END),
       SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END)
  FROM {silver}fact_transactions f
  LEFT JOIN {silver}dim_merchants m ON m.merchant_id = f.merchant_id
 WHERE f.event_ts >= {from} AND f.event_ts < {to}
 GROUP BY f.user_id
