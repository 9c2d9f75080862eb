// The app's one live connection: GET /api/v1/stream?types=stats,alert while logged in.
// Pages subscribe to `stats` (once a second) and `alert` events.

import { SseClient, type SseState } from "./sse";
import type { LiveAlert, LiveStats } from "./types";

type Listener<T> = (value: T) => void;

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
  readonly stats = new Emitter<LiveStats>();
  readonly alerts = new Emitter<LiveAlert>();
  readonly state = new Emitter<{ state: SseState; detail?: string }>();
  readonly unseen = new Emitter<number>();

  lastStats: LiveStats | null = null;
  currentState: { state: SseState; detail?: string } = { state: "closed" };
  /** Alerts seen on the stream since the Alerts page last looked. */
  unseenAlerts = 0;

  private client: SseClient | null = null;

  start(): void {
    if (this.client) return;
    this.client = new SseClient("/api/v1/stream?types=stats,alert", {
      onMessage: (m) => {
        if (m.event === "stats") {
          this.lastStats = JSON.parse(m.data) as LiveStats;
          this.stats.emit(this.lastStats);
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
  }

  stop(): void {
    this.client?.stop();
    this.client = null;
    this.lastStats = null;
    this.unseenAlerts = 0;
  }

  markAlertsSeen(): void {
    this.unseenAlerts = 0;
    this.unseen.emit(0);
  }
}

export const live = new Live();
