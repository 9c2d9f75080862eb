-- mart_top10_active_users (seed 004): per local day, the ten users with the most
-- transactions (ties: larger amount, then user id), with their amount in PHP centavos.
-- @date_column analysis_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_top10_active_users (
  analysis_date     {date} NOT NULL,
  user_rank         {int} NOT NULL,
  user_id           {text} NOT NULL,
  transaction_count {int} NOT NULL,
  total_amount_php  {int} NOT NULL,
  PRIMARY KEY (analysis_date, user_rank)
)
-- @build
INSERT INTO {gold}mart_top10_active_users
SELECT {date_value}, r.user_rank, r.user_id, r.n, r.amount
  FROM (SELECT f.user_id, COUNT(*) AS n, SUM(f.amount_php) AS amount,
               ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, SUM(f.amount_php) DESC, f.user_id)
                 AS user_rank
          FROM {silver}fact_transactions f
         WHERE f.event_ts >= {from} AND f.event_ts < {to}
         GROUP BY f.user_id) r
 WHERE r.user_rank <= 10
