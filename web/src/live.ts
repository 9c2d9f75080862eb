// The app's one live connection: GET /api/v1/stream?types=stats,alert while logged in.
// Pages subscribe to `stats` (once a second) and `alert` events. A server without the
// `stats` event still drives the tiles: Live then polls /metrics once a second and
// derives the same numbers (totals since that process started).

import { SseClient, type SseState } from "./sse";
import type { LiveAlert, LiveStats } from "./types";

type Listener<T> = (value: T) => void;

export type StatsSource = "stream" | "metrics";

class Emitter<T> {
  private fns = new Set<Listener<T>>();
  on(fn: Listener<T>): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  emit(v: T): void {
    for (const fn of [...this.fns]) fn(v);
  }
  get size(): number {
    return this.fns.size;
  }
}

class Live {
  readonly stats = new Emitter<{ stats: LiveStats; source: StatsSource }>();
  readonly alerts = new Emitter<LiveAlert>();
  readonly state = new Emitter<{ state: SseState; detail?: string }>();
  readonly unseen = new Emitter<number>();

  lastStats: { stats: LiveStats; source: StatsSource } | null = null;
  currentState: { state: SseState; detail?: string } = { state: "closed" };
  /** Alerts seen on the stream since the Alerts page last looked. */
  unseenAlerts = 0;

  private client: SseClient | null = null;
  private lastStreamStats = 0;
  private startedAt = 0;
  private poll: number | undefined;
  private prev: { at: number; total: number } | null = null;

  start(): void {
    if (this.client) return;
    this.startedAt = Date.now();
    this.client = new SseClient("/api/v1/stream?types=stats,alert", {
      onMessage: (m) => {
        if (m.event === "stats") {
          const s = JSON.parse(m.data) as LiveStats;
          this.lastStreamStats = Date.now();
          this.publish(s, "stream");
        } else if (m.event === "alert") {
          const alert = JSON.parse(m.data) as LiveAlert;
          this.unseenAlerts += 1;
          this.unseen.emit(this.unseenAlerts);
          this.alerts.emit(alert); // listeners may mark them seen

        }
      },
      onState: (state, detail) => {
        this.currentState = { state, detail };
        this.state.emit(this.currentState);
      },
    });
    this.client.start();
    this.poll = window.setInterval(() => void this.fallback(), 1000);
  }

  stop(): void {
    this.client?.stop();
    this.client = null;
    window.clearInterval(this.poll);
    this.lastStats = null;
    this.prev = null;
    this.unseenAlerts = 0;
  }

  markAlertsSeen(): void {
    this.unseenAlerts = 0;
    this.unseen.emit(0);
  }

  private publish(stats: LiveStats, source: StatsSource): void {
    this.lastStats = { stats, source };
    this.stats.emit(this.lastStats);
  }

  /** Polls /metrics when someone shows stats and the stream has sent none for 3 s. */
  private async fallback(): Promise<void> {
    const now = Date.now();
    if (this.stats.size === 0 || now - this.lastStreamStats < 3000 || now - this.startedAt < 2500) return;
    try {
      const res = await fetch("/metrics", { cache: "no-store" });
      if (!res.ok) return;
      const s = fromMetrics(await res.text(), this.prev, now);
      if (!s) return;
      this.prev = { at: now, total: s.total };
      if (Date.now() - this.lastStreamStats >= 3000) this.publish(s, "metrics");
    } catch {
      /* offline: the tiles keep their last values */
    }
  }
}

/** LiveStats from Prometheus text: decisions by verdict and the latency histogram. */
export function fromMetrics(
  text: string,
  prev: { at: number; total: number } | null,
  now: number,
): LiveStats | null {
  const decisions: Record<string, number> = {};
  const buckets: Array<[number, number]> = [];
  let lag = -1;
  let seen = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    let m = /^walletflow_decisions_total\{decision="(\w+)"\}\s+(\S+)/.exec(line);
    if (m) {
      decisions[m[1]] = Number(m[2]);
      seen = true;
      continue;
    }
    m = /^walletflow_decision_latency_seconds_bucket\{le="([^"]+)"\}\s+(\S+)/.exec(line);
    if (m) {
      buckets.push([m[1] === "+Inf" ? Infinity : Number(m[1]), Number(m[2])]);
      continue;
    }
    m = /^walletflow_source_lag\s+(\S+)/.exec(line);
    if (m) lag = Number(m[1]);
  }
  if (!seen) return null;
  const flagged = decisions.FLAG ?? 0;
  const monitored = decisions.MONITOR ?? 0;
  const total = flagged + monitored + (decisions.NORMAL ?? 0);
  const tps = prev && now > prev.at ? Math.max(0, ((total - prev.total) * 1000) / (now - prev.at)) : 0;
  buckets.sort((a, b) => a[0] - b[0]);
  return {
    at: new Date(now).toISOString(),
    transactions_per_second: tps,
    total,
    flagged,
    monitored,
    fraud_rate: total > 0 ? flagged / total : 0,
    decision_p50_us: quantileUs(buckets, 0.5),
    decision_p99_us: quantileUs(buckets, 0.99),
    source_lag: Number.isFinite(lag) ? lag : -1,
  };
}

/** histogram_quantile: linear within the bucket, in microseconds. */
function quantileUs(buckets: Array<[number, number]>, q: number): number | null {
  if (!buckets.length) return null;
  const count = buckets[buckets.length - 1][1];
  if (count <= 0) return null;
  const rank = q * count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, c] of buckets) {
    if (c >= rank) {
      if (!Number.isFinite(le)) return lowerBound * 1e6;
      const within = c - lowerCount > 0 ? (rank - lowerCount) / (c - lowerCount) : 0;
      return (lowerBound + (le - lowerBound) * within) * 1e6;
    }
    lowerBound = le;
    lowerCount = c;
  }
  return lowerBound * 1e6;
}

export const live = new Live();
