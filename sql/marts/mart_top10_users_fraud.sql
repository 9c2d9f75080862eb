-- mart_top10_users_fraud (seed 004): per local day, the ten users with the most flagged
-- transactions (ties: larger flagged amount in PHP centavos, then user id).
-- @date_column analysis_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_top10_users_fraud (
  analysis_date     {date} NOT NULL,
  user_rank         {int} NOT NULL,
  user_id           {text} NOT NULL,
  fraud_count       {int} NOT NULL,
  fraud_amount_php  {int} NOT NULL,
  transaction_count {int} NOT NULL,
  PRIMARY KEY (analysis_date, user_rank)
)
-- @build
INSERT INTO {gold}mart_top10_users_fraud
SELECT {date_value}, r.user_rank, r.user_id, r.fraud, r.fraud_amount, r.n
  FROM (SELECT f.user_id, COUNT(*) AS n,
               SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END) AS fraud,
               SUM(CASE WHEN f.fraud_flag THEN f.amount_php ELSE 0 END) AS fraud_amount,
               ROW_NUMBER() OVER (ORDER BY SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END) DESC,
                 SUM(CASE WHEN f.fraud_flag THEN f.amount_php ELSE 0 END) DESC, f.user_id)
                 AS user_rank
          FROM {silver}fact_transactions f
         WHERE f.event_ts >= {from} AND f.event_ts < {to}
         GROUP BY f.user_id
        HAVING SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END) > 0) r
 WHERE r.user_rank <= 10
