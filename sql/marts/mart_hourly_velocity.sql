-- mart_hourly_velocity (seed 000): per local hour of the day, how many transactions, the
-- share that succeeded, the share flagged as fraud, and the mean decision time.
-- @date_column velocity_date
-- @table
CREATE TABLE IF NOT EXISTS {gold}mart_hourly_velocity (
  velocity_date     {date} NOT NULL,
  window_hour       {text} NOT NULL,
  transaction_count {int} NOT NULL,
  success_rate      {real} NOT NULL,
  fraud_rate        {real} NOT NULL,
  avg_processing_ms {real} NOT NULL,
  PRIMARY KEY (velocity_date, window_hour)
)
-- @build
INSERT INTO {gold}mart_hourly_velocity
SELECT {date_value}, {local_hour:f.event_ts}, COUNT(*),
       ROUND(1.0 * SUM(CASE WHEN f.status = 'SUCCESS' THEN 1 ELSE 0 END) / COUNT(*), 4),
       ROUND(1.0 * SUM(CASE WHEN f.fraud_flag THEN 1 ELSE 0 END) / COUNT(*), 4),
       ROUND(AVG(f.processing_us) / 1000.0, 4)
  FROM {silver}fact_transactions f
 WHERE f.event_ts >= {from} AND f.event_ts < {to}
 GROUP BY {local_hour:f.event_ts}
