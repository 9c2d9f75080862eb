-- mart_fraud_attempt_trends (seed 004): per local day and alert type (the rule that
-- decided), the fraud attempts stopped: how many, by how many users, for how much (PHP
-- centavos), their mean score, and how many analysts have confirmed or dismissed so far.
-- @date_column trend_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_fraud_attempt_trends (
  trend_date         {date} NOT NULL,
  alert_type         {text} NOT NULL,
  attempts           {int} NOT NULL,
  unique_users       {int} NOT NULL,
  attempted_amount_php {int} NOT NULL,
  avg_fraud_score    {real} NOT NULL,
  confirmed          {int} NOT NULL,
  dismissed          {int} NOT NULL,
  PRIMARY KEY (trend_date, alert_type)
)
-- @build
INSERT INTO {gold}mart_fraud_attempt_trends
SELECT {date_value}, a.alert_type, COUNT(*), COUNT(DISTINCT a.user_id), SUM(a.amount),
       ROUND(AVG(a.fraud_score), 2),
       SUM(CASE WHEN a.status = 'CONFIRMED' THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.status = 'DISMISSED' THEN 1 ELSE 0 END)
  FROM {silver}fraud_alerts a
 WHERE a.created_at >= {from} AND a.created_at < {to}
 GROUP BY a.alert_type
