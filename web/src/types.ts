// Shapes of the walletflow API's JSON answers.

export type Role = "viewer" | "analyst" | "admin";
export type Decision = "NORMAL" | "MONITOR" | "FLAG";
export type AlertStatus = "NEW" | "INVESTIGATING" | "CONFIRMED" | "DISMISSED";

export interface LoginAnswer {
  token: string;
  expires_at: string;
  role: Role;
}

export interface Me {
  username: string;
  role: Role;
  expires_at: string;
}

export interface Transaction {
  transaction_id: string;
  event_ts: string;
  user_id: string;
  merchant_id: string | null;
  type: string;
  amount: { minor: number; currency: string } | null;
  amount_php_minor: number;
  channel: string | null;
  status: string | null;
  country: string | null;
  province: string | null;
  city: string | null;
  device_id: string | null;
  ip_hash: string | null;
  phone_hash: string | null;
  fraud_score: number;
  decision: Decision;
  rules_fired: string[] | string | null;
  reasons: string | null;
  product_id: string | null;
  quantity: number | null;
  [extra: string]: unknown;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | number | null;
  masked?: boolean;
}

export interface Alert {
  alert_id: number;
  transaction_id: string;
  user_id: string;
  alert_type: string;
  rule: string | null;
  fraud_score: number;
  amount_php_minor: number;
  status: AlertStatus;
  investigated_by: string | null;
  created_at: string;
  updated_at: string;
  note: string | null;
  reasons: string | null;
}

export interface AlertDetail {
  alert: Alert;
  transaction: Transaction | null;
  masked: boolean;
}

export interface TransactionDetail {
  transaction: Transaction;
  masked: boolean;
}

export interface Overview {
  window_minutes: number;
  transactions: number;
  transactions_per_second: number;
  flagged: number;
  monitored: number;
  fraud_rate: number;
  decision_us: { mean: number; max: number };
  dead_letters: number;
  open_alerts: number;
  source_lag: number | null;
  at: string;
}

export interface SeriesPoint {
  minute: string;
  transactions: number;
  flagged: number;
  monitored: number;
  decision_us_mean: number;
}

export interface Series {
  window_minutes: number;
  points: SeriesPoint[];
}

/** The `stats` event of the stream, once a second. */
export interface LiveStats {
  at: string;
  transactions_per_second: number;
  total: number;
  flagged: number;
  monitored: number;
  fraud_rate: number;
  decision_p50_us: number | null;
  decision_p99_us: number | null;
  /** -1 (or null) when unknown. */
  source_lag: number | null;
}

/** The `alert` event of the stream. */
export interface LiveAlert {
  transaction_id: string;
  user_id: string;
  alert_type: string;
  fraud_score: number;
  amount_php_minor: number;
  reasons: string;
  created_at: string;
}

export interface RuleInfo {
  id: string;
  name: string;
  score: number;
  alerts: number;
  confirmed: number;
  dismissed: number;
  precision: number | null;
}

export interface Rules {
  source?: string;
  editable?: boolean;
  version: string | null;
  problems?: string;
  rules: RuleInfo[];
  toml: string;
}

export interface Mart {
  mart: string;
  date: string;
  columns?: string[];
  rows: Array<Array<string | null> | Record<string, unknown>>;
}

export interface Risk {
  window_days: number;
  last_transaction_at: string | null;
  transactions: number;
  flagged: number;
  monitored: number;
  successful_amount_php_minor: number;
  merchants?: number;
  customers?: number;
  fraud_rate: number;
  level: string;
}

export interface Profile {
  risk?: Risk;
  recent?: Transaction[];
  masked?: boolean;
  [field: string]: unknown;
}

export interface JobRun {
  run_id: number;
  job: string;
  trigger: string;
  attempt: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  rows: number | null;
  error: string | null;
}

export interface QualityResult {
  check: string;
  kind: string;
  target: string;
  severity: string;
  status: string;
  observed: number | null;
  detail: string | null;
  checked_at: string;
}

export interface DeadLetters {
  by_code: Array<{ code: string; count: number }>;
  recent: Array<{ id: number; received_at: string; source: string; code: string; message: string }>;
}
