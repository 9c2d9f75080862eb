-- mart_top10_selling_products (seed 004): per local day, the ten products with the most
-- units in genuine orders (not flagged, not failed; ties: larger revenue in PHP
-- centavos, then product id).
-- @date_column analysis_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_top10_selling_products (
  analysis_date {date} NOT NULL,
  product_rank  {int} NOT NULL,
  product_id    {text} NOT NULL,
  product_name  {text} NOT NULL,
  units_sold    {int} NOT NULL,
  orders        {int} NOT NULL,
  revenue_php   {int} NOT NULL,
  PRIMARY KEY (analysis_date, product_rank)
)
-- @build
INSERT INTO {gold}mart_top10_selling_products
SELECT {date_value}, r.product_rank, r.product_id, COALESCE(p.product_name, '(unknown)'),
       r.units, r.orders, r.revenue
  FROM (SELECT f.product_id, SUM(COALESCE(f.quantity, 1)) AS units, COUNT(*) AS orders,
               SUM(f.amount_php) AS revenue,
               ROW_NUMBER() OVER (ORDER BY SUM(COALESCE(f.quantity, 1)) DESC,
                                           SUM(f.amount_php) DESC, f.product_id)
                 AS product_rank
          FROM {silver}fact_transactions f
         WHERE f.event_ts >= {from} AND f.event_ts < {to} AND f.product_id IS NOT NULL
           AND NOT f.fraud_flag AND f.status <> 'FAILED'
         GROUP BY f.product_id) r
  LEFT JOIN {silver}dim_products p ON p.product_id = r.product_id
 WHERE r.product_rank <= 10
