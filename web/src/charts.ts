// uPlot wrappers: a per-minute time series and a categorical bar chart. Both follow the
// width of their container and describe themselves with an aria-label.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom";

export interface Chart {
  el: HTMLElement;
  destroy(): void;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function axisStyle(): Partial<uPlot.Axis> {
  const ink = cssVar("--muted", "#555");
  const grid = cssVar("--grid", "#e3e6ea");
  return {
    stroke: ink,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    font: "12px system-ui, sans-serif",
  };
}

/** Keeps `plot` as wide as `box`. */
function follow(box: HTMLElement, plot: uPlot, height: number): ResizeObserver {
  const ro = new ResizeObserver(() => {
    const w = Math.floor(box.clientWidth);
    if (w > 0 && w !== plot.width) plot.setSize({ width: w, height });
  });
  ro.observe(box);
  return ro;
}

export interface TimeChart extends Chart {
  /** xs: unix seconds; ys: one array per series. */
  setData(xs: number[], ys: number[][]): void;
}

export function timeChart(opts: {
  title: string;
  series: Array<{ label: string; color: string; fill?: string }>;
  height?: number;
  bars?: boolean;
  valueFmt?: (v: number) => string;
}): TimeChart {
  const height = opts.height ?? 200;
  const box = h("div", { class: "chart-box" });
  const el = h("figure", { class: "chart", role: "img", "aria-label": opts.title }, h("figcaption", null, opts.title), box);
  const fmt = opts.valueFmt ?? ((v: number) => (v === null || v === undefined ? "—" : v.toLocaleString()));
  const bars = opts.bars ? uPlot.paths.bars!({ size: [0.7, 24] }) : undefined;
  const plot = new uPlot(
    {
      width: 400,
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{ ...axisStyle() }, { ...axisStyle(), size: 56, values: (_u, vals) => vals.map((v) => fmt(v)) }],
      series: [
        { label: "Minute" },
        ...opts.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.fill,
          width: 2,
          paths: bars,
          points: { show: false },
          value: (_u: uPlot, v: number) => fmt(v),
        })),
      ],
    },
    [[], ...opts.series.map(() => [])] as unknown as uPlot.AlignedData,
    box,
  );
  const ro = follow(box, plot, height);
  return {
    el,
    setData(xs, ys) {
      plot.setData([xs, ...ys] as uPlot.AlignedData);
      const parts = opts.series.map((s, i) => {
        const vals = ys[i] ?? [];
        const last = vals.length ? vals[vals.length - 1] : null;
        const max = vals.length ? Math.max(...vals) : null;
        return `${s.label}: latest ${last === null ? "none" : fmt(last)}, peak ${max === null ? "none" : fmt(max)}`;
      });
      el.setAttribute("aria-label", `${opts.title}. ${xs.length} minutes. ${parts.join(". ")}`);
    },
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}

/** Vertical bars over category labels (e.g. the top merchants by volume). */
export function barChart(opts: {
  title: string;
  /** What a bar is ("Merchant"), for the legend. */
  itemLabel: string;
  /** Short tick labels of the value axis ("₱200K"). */
  axisFmt?: (v: number) => string;
  labels: string[];
  values: number[];
  seriesLabel: string;
  color: string;
  valueFmt?: (v: number) => string;
  height?: number;
}): Chart {
  const height = opts.height ?? 240;
  const fmt = opts.valueFmt ?? ((v: number) => v.toLocaleString());
  const box = h("div", { class: "chart-box" });
  const summary = opts.labels
    .slice(0, 5)
    .map((l, i) => `${l} ${fmt(opts.values[i])}`)
    .join(", ");
  const el = h(
    "figure",
    { class: "chart", role: "img", "aria-label": `${opts.title}. ${summary}${opts.labels.length > 5 ? ", …" : ""}` },
    h("figcaption", null, opts.title),
    box,
  );
  const xs = opts.labels.map((_, i) => i);
  const plot = new uPlot(
    {
      width: 400,
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: false, range: () => [-0.5, Math.max(0.5, opts.labels.length - 0.5)] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        {
          ...axisStyle(),
          size: 64,
          rotate: -35,
          splits: () => xs,
          values: (_u, vals) => vals.map((v) => opts.labels[v] ?? ""),
        },
        { ...axisStyle(), size: 64, values: (_u, vals) => vals.map((v) => (opts.axisFmt ?? fmt)(v)) },
      ],
      series: [
        { label: opts.itemLabel, value: (_u, v) => (v === null || v === undefined ? "—" : opts.labels[v] ?? "") },
        {
          label: opts.seriesLabel,
          stroke: opts.color,
          fill: opts.color,
          paths: uPlot.paths.bars!({ size: [0.7, 48] }),
          points: { show: false },
          value: (_u, v) => (v === null || v === undefined ? "—" : fmt(v)),
        },
      ],
    },
    [xs, opts.values],
    box,
  );
  const ro = follow(box, plot, height);
  return {
    el,
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}
