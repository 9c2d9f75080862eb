import { api, ApiError, errorText, isAbort } from "../api";
import { timeChart } from "../charts";
import { dl, h, message, replace, text } from "../dom";
import { int, num, pct, time } from "../format";
import { live } from "../live";
import { Scope, type Page } from "../page";
import type { LiveStats, Overview, Series } from "../types";

const MINUTES = 60;

interface Tile {
  key: string;
  label: string;
  testid?: string;
  value: (s: LiveStats) => string;
  /** The unformatted number, in data-value (tests and scrapers read it). */
  raw?: (s: LiveStats) => number | null;
  unit?: string;
}

const TILES: Tile[] = [
  { key: "tps", label: "Transactions/s", testid: "live-tps", value: (s) => num(s.transactions_per_second, 1), raw: (s) => s.transactions_per_second },
  { key: "total", label: "Transactions total", testid: "live-total", value: (s) => int(s.total), raw: (s) => s.total },
  { key: "flagged", label: "Flagged", value: (s) => int(s.flagged) },
  { key: "monitored", label: "Monitored", value: (s) => int(s.monitored) },
  { key: "rate", label: "Fraud rate", value: (s) => pct(s.fraud_rate, 2) },
  { key: "p50", label: "Decision p50", value: (s) => num(s.decision_p50_us, 1), unit: "µs" },
  { key: "p99", label: "Decision p99", value: (s) => num(s.decision_p99_us, 1), unit: "µs" },
  {
    key: "lag",
    label: "Source lag",
    value: (s) => (s.source_lag === null || s.source_lag === undefined || s.source_lag < 0 ? "unknown" : int(s.source_lag)),
  },
];

export const overviewPage: Page = (root) => {
  const scope = new Scope();
  let paused = false;

  // Live tiles.
  const values = new Map<string, HTMLElement>();
  const tiles = h(
    "div",
    { class: "tiles", "aria-live": "polite", "aria-atomic": "false", "aria-relevant": "text" },
    ...TILES.map((t) => {
      const v = h("span", { class: "tile-value", "data-testid": t.testid ?? null }, "—");
      values.set(t.key, v);
      return h(
        "div",
        { class: "tile" },
        h("span", { class: "tile-label" }, t.label),
        h("span", { class: "tile-line" }, v, t.unit ? h("span", { class: "tile-unit" }, ` ${t.unit}`) : null),
      );
    }),
  );
  const liveNote = h("p", { class: "muted small" }, "Waiting for the live stream…");
  const pause = h("button", { type: "button", class: "btn btn-quiet", "aria-pressed": "false" }, "Pause live updates");
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    text(pause, paused ? "Resume live updates" : "Pause live updates");
    tiles.setAttribute("aria-live", paused ? "off" : "polite");
    if (!paused && live.lastStats) show(live.lastStats);
  });

  const show = (s: LiveStats): void => {
    if (paused) return;
    for (const t of TILES) {
      const el = values.get(t.key)!;
      text(el, t.value(s));
      const raw = t.raw?.(s);
      if (raw !== undefined && raw !== null) el.setAttribute("data-value", String(raw));
    }
    const at = new Date(s.at);
    const when = Number.isNaN(at.getTime()) ? "" : at.toLocaleTimeString();
    text(liveNote, `Live from the event stream, updated ${when}.`);
  };
  if (live.lastStats) show(live.lastStats);
  scope.add(live.stats.on(show));

  // Per-minute charts.
  const txChart = timeChart({
    title: "Transactions per minute",
    series: [{ label: "Transactions", color: "#2563eb", fill: "rgba(37,99,235,0.12)" }],
  });
  const flagChart = timeChart({
    title: "Flagged per minute",
    series: [
      { label: "Flagged", color: "#dc2626", fill: "rgba(220,38,38,0.12)" },
      { label: "Monitored", color: "#d97706" },
    ],
  });
  scope.add(() => {
    txChart.destroy();
    flagChart.destroy();
  });
  const chartNote = h("div");
  const chartGrid = h("div", { class: "charts" }, txChart.el, flagChart.el);
  const overviewBox = h("div", { class: "overview-box" });

  const loadSeries = async (): Promise<void> => {
    try {
      const s = await api<Series>(`/api/v1/stats/series?minutes=${MINUTES}`, { signal: scope.signal });
      const filled = fillMinutes(s, MINUTES);
      txChart.setData(filled.xs, [filled.tx]);
      flagChart.setData(filled.xs, [filled.flagged, filled.monitored]);
      replace(chartNote, s.points.length ? null : message("empty", "No transactions in the last hour."));
      chartGrid.hidden = false;
    } catch (e) {
      if (isAbort(e)) return;
      chartGrid.hidden = true;
      replace(
        chartNote,
        message(
          "error",
          e instanceof ApiError && e.status === 404
            ? "Per-minute series are not available from this server (GET /api/v1/stats/series answered 404)."
            : `Per-minute series: ${errorText(e)}`,
        ),
      );
    }
  };

  const loadOverview = async (): Promise<void> => {
    try {
      const o = await api<Overview>(`/api/v1/stats/overview?minutes=${MINUTES}`, { signal: scope.signal });
      replace(
        overviewBox,
        dl([
          ["Transactions", int(o.transactions)],
          ["Transactions/s", num(o.transactions_per_second, 2)],
          ["Flagged", int(o.flagged)],
          ["Monitored", int(o.monitored)],
          ["Fraud rate", pct(o.fraud_rate, 2)],
          ["Decision time (mean / max)", `${int(o.decision_us?.mean)} / ${int(o.decision_us?.max)} µs`],
          ["Dead letters", int(o.dead_letters)],
          ["Open alerts", h("a", { href: "#/alerts" }, int(o.open_alerts))],
          ["Source lag", o.source_lag === null || o.source_lag < 0 ? "unknown" : int(o.source_lag)],
          ["As of", time(o.at)],
        ]),
      );
    } catch (e) {
      if (!isAbort(e)) replace(overviewBox, message("error", `Overview: ${errorText(e)}`));
    }
  };

  const refresh = (): void => {
    void loadSeries();
    void loadOverview();
  };
  refresh();
  scope.interval(refresh, 10_000);

  replace(
    root,
    h("div", { class: "page-head" }, h("h1", null, "Overview"), pause),
    h("section", { "aria-labelledby": "live-h" }, h("h2", { id: "live-h", class: "sr-only" }, "Live counters"), tiles, liveNote),
    h(
      "section",
      { "aria-labelledby": "charts-h" },
      h("h2", { id: "charts-h" }, "Last hour"),
      chartNote,
      chartGrid,
    ),
    h("section", { "aria-labelledby": "ov-h", class: "card" }, h("h2", { id: "ov-h" }, `Last ${MINUTES} minutes`), overviewBox),
  );
  return scope.dispose;
};

/** One x per minute of the window (minutes without data are 0), unix seconds. */
export function fillMinutes(s: Series, minutes: number): { xs: number[]; tx: number[]; flagged: number[]; monitored: number[] } {
  const byMinute = new Map<number, Series["points"][number]>();
  for (const p of s.points ?? []) {
    const t = Date.parse(p.minute);
    if (!Number.isNaN(t)) byMinute.set(Math.floor(t / 60000), p);
  }
  const nowMin = Math.floor(Date.now() / 60000);
  const keys = [...byMinute.keys()];
  const last = Math.max(nowMin, ...keys);
  const first = Math.min(last - (minutes - 1), ...keys);
  const xs: number[] = [];
  const tx: number[] = [];
  const flagged: number[] = [];
  const monitored: number[] = [];
  for (let m = first; m <= last; m++) {
    const p = byMinute.get(m);
    xs.push(m * 60);
    tx.push(p?.transactions ?? 0);
    flagged.push(p?.flagged ?? 0);
    monitored.push(p?.monitored ?? 0);
  }
  return { xs, tx, flagged, monitored };
}
