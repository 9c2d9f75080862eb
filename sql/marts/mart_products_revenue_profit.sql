-- mart_products_revenue_profit (seed 004): per local day, product and currency, the
-- genuine orders (not flagged, not failed): units, revenue, cost of goods (units times
-- the product's unit cost, when priced in the same currency) and profit, in minor units
-- of the order's currency.
-- @date_column analysis_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_products_revenue_profit (
  analysis_date {date} NOT NULL,
  product_id    {text} NOT NULL,
  currency      {text} NOT NULL,
  product_name  {text} NOT NULL,
  category      {text} NOT NULL,
  orders        {int} NOT NULL,
  units_sold    {int} NOT NULL,
  revenue_minor {int} NOT NULL,
  cost_minor    {int},
  profit_minor  {int},
  margin        {real},
  PRIMARY KEY (analysis_date, product_id, currency)
)
-- @build
INSERT INTO {gold}mart_products_revenue_profit
SELECT {date_value}, s.product_id, s.currency, COALESCE(p.product_name, '(unknown)'),
       COALESCE(p.category, '(unknown)'), s.orders, s.units, s.revenue,
       CASE WHEN p.currency = s.currency THEN s.units * p.cost_minor END,
       CASE WHEN p.currency = s.currency THEN s.revenue - s.units * p.cost_minor END,
       CASE WHEN p.currency = s.currency AND s.revenue > 0
            THEN ROUND(1.0 * (s.revenue - s.units * p.cost_minor) / s.revenue, 4) END
  FROM (SELECT f.product_id, f.currency, COUNT(*) AS orders,
               SUM(COALESCE(f.quantity, 1)) AS units, SUM(f.amount_minor) AS revenue
          FROM {silver}fact_transactions f
         WHERE f.event_ts >= {from} AND f.event_ts < {to} AND f.product_id IS NOT NULL
           AND NOT f.fraud_flag AND f.status <> 'FAILED'
         GROUP BY f.product_id, f.currency) s
  LEFT JOIN {silver}dim_products p ON p.product_id = s.product_id
