// Server-Sent Events over fetch (EventSource cannot send the Authorization header).
// Parses id:/event:/data:/retry: lines, treats comment lines (": keep-alive") as
// heartbeats, and reconnects with backoff, sending Last-Event-ID.

import { authHeaders, handleUnauthorized } from "./api";

export interface SseMessage {
  id: string;
  event: string;
  data: string;
}

export type SseState = "connecting" | "open" | "retrying" | "closed";

export interface SseOptions {
  onMessage: (m: SseMessage) => void;
  onState?: (state: SseState, detail?: string) => void;
  /** Reconnect delay bounds, ms. */
  minDelay?: number;
  maxDelay?: number;
  /** No byte (not even a heartbeat) for this long: reconnect. */
  idleTimeout?: number;
}

/** Incremental SSE parser: feed it text chunks, it calls `emit` per dispatched event. */
export class SseParser {
  private buf = "";
  private data: string[] = [];
  private event = "";
  lastEventId = "";
  retry: number | null = null;

  constructor(
    private readonly emit: (m: SseMessage) => void,
    private readonly heartbeat: () => void = () => {},
  ) {}

  feed(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      if (!m) break;
      // A lone "\r" at the end may be half of "\r\n": wait for more.
      if (m[0] === "\r" && m.index === this.buf.length - 1) break;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) {
      this.heartbeat();
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    if (this.data.length === 0) {
      this.event = "";
      return;
    }
    const m: SseMessage = { id: this.lastEventId, event: this.event || "message", data: this.data.join("\n") };
    this.data = [];
    this.event = "";
    this.emit(m);
  }
}

export class SseClient {
  private abort: AbortController | null = null;
  private stopped = true;
  private lastEventId = "";
  private delay: number;
  private timer: number | undefined;
  private idleTimer: number | undefined;

  constructor(
    private readonly url: string,
    private readonly opts: SseOptions,
  ) {
    this.delay = opts.minDelay ?? 1000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    window.clearTimeout(this.idleTimer);
    this.abort?.abort();
    this.abort = null;
    this.opts.onState?.("closed");
  }

  private armIdle(): void {
    window.clearTimeout(this.idleTimer);
    this.idleTimer = window.setTimeout(() => this.abort?.abort(), this.opts.idleTimeout ?? 30000);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.opts.onState?.("connecting");
    const ctl = new AbortController();
    this.abort = ctl;
    let detail = "the stream ended";
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream", ...authHeaders() };
      if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
      this.armIdle();
      const res = await fetch(this.url, { headers, signal: ctl.signal, cache: "no-store" });
      if (res.status === 401) {
        this.stop();
        handleUnauthorized();
        return;
      }
      if (!res.ok || !res.body) {
        let msg = `${res.status} ${res.statusText}`;
        try {
          const j = (await res.json()) as { error?: { message?: string } };
          if (j.error?.message) msg = j.error.message;
        } catch {
          /* not JSON */
        }
        throw new Error(msg);
      }
      this.opts.onState?.("open");
      const parser = new SseParser(
        (m) => {
          this.lastEventId = m.id || this.lastEventId;
          this.delay = this.opts.minDelay ?? 1000; // data flows: reset the backoff
          try {
            this.opts.onMessage(m);
          } catch (e) {
            console.error("SSE handler failed", e);
          }
        },
        () => {
          this.delay = this.opts.minDelay ?? 1000;
        },
      );
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.armIdle();
        parser.feed(decoder.decode(value, { stream: true }));
        if (parser.retry !== null) {
          this.delay = Math.max(parser.retry, 250);
          parser.retry = null;
        }
      }
    } catch (e) {
      if (this.stopped) return;
      detail = ctl.signal.aborted ? "no data for a while" : (e as Error).message || "network error";
    } finally {
      window.clearTimeout(this.idleTimer);
    }
    if (this.stopped) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.opts.maxDelay ?? 30000);
    this.opts.onState?.("retrying", `${detail}; reconnecting in ${Math.round(wait / 1000)} s`);
    this.timer = window.setTimeout(() => void this.connect(), wait + Math.random() * 250);
  }
}
