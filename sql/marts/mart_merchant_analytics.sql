-- mart_merchant_analytics (seed 001): sales (successful transactions, PHP centavos) and
-- fraud per local day, summarised three ways: by merchant, by merchant category and by
-- country ('(unknown)' where the dimension or the country is missing).
-- @date_column analysis_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_merchant_analytics (
  analysis_date     {date} NOT NULL,
  dimension         {text} NOT NULL CHECK (dimension IN ('merchant', 'category', 'country')),
  dimension_value   {text} NOT NULL,
  transaction_count {int} NOT NULL,
  sales_php         {int} NOT NULL,
  fraud_count       {int} NOT NULL,
  fraud_amount_php  {int} NOT NULL,
  fraud_rate        {real} NOT NULL,
  PRIMARY KEY (analysis_date, dimension, dimension_value)
)
-- @build
INSERT INTO {gold}mart_merchant_analytics
SELECT {date_value}, g.dimension, g.value, COUNT(*),
       SUM(CASE WHEN g.status = 'SUCCESS' THEN g.amount_php ELSE 0 END),
       SUM(CASE WHEN g.fraud_flag THEN 1 ELSE 0 END),
       SUM(CASE WHEN g.fraud_flag THEN g.amount_php ELSE 0 END),
       ROUND(1.0 * SUM(CASE WHEN g.fraud_flag THEN 1 ELSE 0 END) / COUNT(*), 4)
  FROM (SELECT 'merchant' AS dimension, f.merchant_id AS value, f.status, f.amount_php,
               f.fraud_flag
          FROM {silver}fact_transactions f
         WHERE f.event_ts >= {from} AND f.event_ts < {to} AND f.merchant_id IS NOT NULL
        UNION ALL
        SELECT 'category', COALESCE(m.category, '(unknown)'), f.status, f.amount_php,
               f.fraud_flag
          FROM {silver}fact_transactions f
          LEFT JOIN {silver}dim_merchants m ON m.merchant_id = f.merchant_id
         WHERE f.event_ts >= {from} AND f.event_ts < {to} AND f.merchant_id IS NOT NULL
        UNION ALL
        SELECT 'country', COALESCE(f.country, '(unknown)'), f.status, f.amount_php,
               f.fraud_flag
          FROM {silver}fact_transactions f
         WHERE f.event_ts >= {from} AND f.event_ts < {to}) g
 GROUP BY g.dimension, g.value
