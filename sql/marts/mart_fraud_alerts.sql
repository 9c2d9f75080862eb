-- mart_fraud_alerts (seed 000): the alerts raised on a local day, with where their case
-- work stands (rebuild the day to pick up status changes).
-- @date_column alert_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_fraud_alerts (
  alert_date      {date} NOT NULL,
  alert_id        {int} NOT NULL,
  transaction_id  {text} NOT NULL,
  user_id         {text} NOT NULL,
  alert_type      {text} NOT NULL,
  fraud_score     {int} NOT NULL,
  amount_php      {int} NOT NULL,
  status          {text} NOT NULL,
  investigated_by {text},
  created_at      {ts} NOT NULL,
  PRIMARY KEY (alert_date, alert_id)
)
-- @build
INSERT INTO {gold}mart_fraud_alerts
SELECT {date_value}, a.alert_id, a.transaction_id, a.user_id, a.alert_type, a.fraud_score,
       a.amount, a.status, a.investigated_by, a.created_at
  FROM {silver}fraud_alerts a
 WHERE a.created_at >= {from} AND a.created_at < {to}
