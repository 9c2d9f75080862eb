import { api, ApiError, errorText, isAbort } from "../api";
import { h, loading, message, replace, table } from "../dom";
import { int, time } from "../format";
import { Scope, type Page } from "../page";
import type { DeadLetters, JobRun, QualityResult } from "../types";
import { statusBadge } from "../widgets";

function unavailable(e: unknown, what: string): HTMLElement {
  if (e instanceof ApiError && e.status === 404 && /route/i.test(e.message)) {
    return message("empty", `${what} is not available from this server yet (404).`);
  }
  return message("error", `${what}: ${errorText(e)}`);
}

function duration(a: string, b: string | null): string {
  if (!b) return "—";
  const ms = Date.parse(b) - Date.parse(a);
  if (!Number.isFinite(ms) || ms < 0) return "—";
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

export const opsPage: Page = (root) => {
  const scope = new Scope();
  const jobsBox = h("div");
  const qualityBox = h("div");
  const deadBox = h("div");
  const refreshed = h("span", { class: "muted small", role: "status" });

  const loadJobs = async (): Promise<void> => {
    try {
      const r = await api<{ data: JobRun[] }>("/api/v1/ops/jobs?limit=50", { signal: scope.signal });
      replace(
        jobsBox,
        table<JobRun>({
          caption: "Job runs, newest first",
          captionHidden: true,
          columns: [
            { label: "Run", render: (j) => `#${j.run_id}` },
            { label: "Job", render: (j) => j.job },
            { label: "Trigger", render: (j) => j.trigger },
            { label: "Attempt", numeric: true, render: (j) => int(j.attempt) },
            { label: "Status", render: (j) => statusBadge(j.status) },
            { label: "Started", render: (j) => time(j.started_at, true) },
            { label: "Took", numeric: true, render: (j) => duration(j.started_at, j.finished_at) },
            { label: "Rows", numeric: true, render: (j) => int(j.rows) },
            { label: "Error", render: (j) => (j.error ? h("span", { class: "err-text" }, j.error) : "—") },
          ],
          rows: r.data,
          empty: "No job has run yet.",
        }),
      );
    } catch (e) {
      if (!isAbort(e)) replace(jobsBox, unavailable(e, "Job runs"));
    }
  };

  const loadQuality = async (): Promise<void> => {
    try {
      const r = await api<{ data: QualityResult[] }>("/api/v1/ops/quality", { signal: scope.signal });
      const failing = r.data.filter((q) => q.status !== "PASS").length;
      replace(
        qualityBox,
        h(
          "p",
          { class: "muted small" },
          r.data.length ? `${r.data.length} checks in the latest run, ${failing} not passing.` : "No quality run yet.",
        ),
        table<QualityResult>({
          caption: "Data-quality results of the latest run",
          captionHidden: true,
          columns: [
            { label: "Check", render: (q) => q.check, sortKey: (q) => q.check },
            { label: "Kind", render: (q) => q.kind, sortKey: (q) => q.kind },
            { label: "Target", render: (q) => q.target, sortKey: (q) => q.target },
            { label: "Severity", render: (q) => q.severity, sortKey: (q) => q.severity },
            { label: "Status", render: (q) => statusBadge(q.status), sortKey: (q) => (q.status === "PASS" ? 1 : 0) },
            { label: "Observed", numeric: true, render: (q) => int(q.observed), sortKey: (q) => q.observed ?? -1 },
            { label: "Detail", render: (q) => q.detail ?? "—" },
            { label: "Checked", render: (q) => time(q.checked_at, true) },
          ],
          rows: r.data,
          sort: { column: 4, desc: false },
        }),
      );
    } catch (e) {
      if (!isAbort(e)) replace(qualityBox, unavailable(e, "Data quality"));
    }
  };

  const loadDead = async (): Promise<void> => {
    try {
      const r = await api<DeadLetters>("/api/v1/ops/dead-letters", { signal: scope.signal });
      const total = (r.by_code ?? []).reduce((n, c) => n + c.count, 0);
      replace(
        deadBox,
        h(
          "div",
          { class: "two-cols" },
          h(
            "div",
            null,
            h("h3", null, `By code (${int(total)})`),
            table<{ code: string; count: number }>({
              caption: "Dead letters by code",
              captionHidden: true,
              columns: [
                { label: "Code", render: (c) => c.code, sortKey: (c) => c.code },
                { label: "Count", numeric: true, render: (c) => int(c.count), sortKey: (c) => c.count },
              ],
              rows: r.by_code ?? [],
              sort: { column: 1, desc: true },
              empty: "No dead letters.",
            }),
          ),
          h(
            "div",
            null,
            h("h3", null, "Recent"),
            table<DeadLetters["recent"][number]>({
              caption: "Recent dead letters",
              captionHidden: true,
              columns: [
                { label: "ID", render: (d) => `#${d.id}` },
                { label: "Received", render: (d) => time(d.received_at, true) },
                { label: "Source", render: (d) => d.source },
                { label: "Code", render: (d) => d.code },
                { label: "Message", render: (d) => d.message },
              ],
              rows: r.recent ?? [],
              empty: "None.",
            }),
          ),
        ),
      );
    } catch (e) {
      if (!isAbort(e)) replace(deadBox, unavailable(e, "Dead letters"));
    }
  };

  const refresh = async (): Promise<void> => {
    await Promise.all([loadJobs(), loadQuality(), loadDead()]);
    if (scope.alive) refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
  };

  const btn = h("button", { type: "button", class: "btn btn-secondary", onclick: () => void refresh() }, "Refresh");
  replace(
    root,
    h("div", { class: "page-head" }, h("h1", null, "Operations"), refreshed, btn),
    h("section", { "aria-labelledby": "jobs-h" }, h("h2", { id: "jobs-h" }, "Job runs"), jobsBox),
    h("section", { "aria-labelledby": "dq-h" }, h("h2", { id: "dq-h" }, "Data quality"), qualityBox),
    h("section", { "aria-labelledby": "dl-h" }, h("h2", { id: "dl-h" }, "Dead letters"), deadBox),
  );
  for (const b of [jobsBox, qualityBox, deadBox]) b.appendChild(loading());
  void refresh();
  scope.interval(() => void refresh(), 30_000);
  return scope.dispose;
};
