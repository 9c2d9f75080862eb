-- mart_high_risk_products (seed 004): per local day, the products with at least one
-- flagged order, ranked by flagged orders, then flagged amount (PHP centavos).
-- @date_column analysis_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_high_risk_products (
  analysis_date    {date} NOT NULL,
  risk_rank        {int} NOT NULL,
  product_id       {text} NOT NULL,
  product_name     {text} NOT NULL,
  category         {text} NOT NULL,
  orders           {int} NOT NULL,
  fraud_orders     {int} NOT NULL,
  fraud_rate       {real} NOT NULL,
  fraud_amount_php {int} NOT NULL,
  PRIMARY KEY (analysis_date, product_id)
)
-- @build
INSERT INTO {gold}mart_high_risk_products
SELECT {date_value},
       ROW_NUMBER() OVER (ORDER BY s.fraud_orders DESC, s.fraud_amount DESC, s.product_id),
       s.product_id, COALESCE(p.product_name, '(unknown)'), COALESCE(p.category, '(unknown)'),
       s.orders, s.fraud_orders, ROUND(1.0 * s.fraud_orders / s.orders, 4), s.fraud_amount
  FROM (SELECT f.product_id, COUNT(*) AS orders,
               SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END) AS fraud_orders,
               SUM(CASE WHEN f.fraud_flag THEN f.amount_php ELSE 0 END) AS fraud_amount
          FROM {silver}fact_transactions f
         WHERE f.event_ts >= {from} AND f.event_ts < {to} AND f.product_id IS NOT NULL
         GROUP BY f.product_id) s
  LEFT JOIN {silver}dim_products p ON p.product_id = s.product_id
 WHERE s.fraud_orders > 0
