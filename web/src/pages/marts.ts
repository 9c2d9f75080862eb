// Merchants and Users: a gold mart of one day (table + top-N bar chart) and a lookup of
// one merchant's or user's profile, 30-day risk and recent transactions.

import { api, ApiError, errorText, isAbort } from "../api";
import { barChart, type Chart } from "../charts";
import { dl, field, h, loading, message, replace, table, type Child, type Column } from "../dom";
import { int, localDate, money, moneyShort, pct, time } from "../format";
import { Scope, type Page } from "../page";
import { replaceParams } from "../router";
import type { Mart, Profile, Risk } from "../types";
import { maskedBadge, txTable } from "../widgets";

interface MartConfig {
  title: string;
  mart: string;
  entity: "merchant" | "user";
  idLabel: string;
  idPlaceholder: string;
  idColumn: string;
  valueColumn: string;
  valueLabel: string;
  lookupPath: (id: string) => string;
  color: string;
}

type Row = Record<string, string | null>;

const TOP = 15;
const PAGE_ROWS = 100;

/** Rows as objects, whether the server sends arrays (with `columns`) or objects. */
export function martRows(m: Mart): { columns: string[]; rows: Row[] } {
  const rows: Row[] = [];
  let columns = m.columns ?? [];
  for (const r of m.rows ?? []) {
    if (Array.isArray(r)) {
      const o: Row = {};
      r.forEach((v, i) => (o[columns[i] ?? `col${i}`] = v === null ? null : String(v)));
      rows.push(o);
    } else {
      const o: Row = {};
      for (const [k, v] of Object.entries(r)) o[k] = v === null || v === undefined ? null : String(v);
      rows.push(o);
    }
  }
  if (!columns.length && rows.length) columns = Object.keys(rows[0]);
  return { columns, rows };
}

function isMoney(col: string): boolean {
  return /_php$|_php_minor$|amount/.test(col);
}
function isRate(col: string): boolean {
  return /_rate$|_ratio$|precision/.test(col);
}
function isNumeric(col: string, sample: string | null | undefined): boolean {
  return sample !== null && sample !== undefined && sample !== "" && !Number.isNaN(Number(sample)) && !/_id$|date/.test(col);
}

function label(col: string): string {
  const s = col.replace(/_php$/, "").replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function cell(col: string, v: string | null): Child {
  if (v === null || v === "") return "—";
  if (isMoney(col)) return money(Number(v));
  if (isRate(col)) return pct(Number(v), 1);
  if (!Number.isNaN(Number(v)) && !/_id$|date/.test(col)) return int(Number(v));
  return v;
}

function martPage(cfg: MartConfig): Page {
  return (root, route) => {
    const scope = new Scope();
    let date = /^\d{4}-\d{2}-\d{2}$/.test(route.params.get("date") ?? "") ? route.params.get("date")! : localDate();
    let lookupId = route.params.get("id") ?? "";
    let chart: Chart | null = null;
    scope.add(() => chart?.destroy());

    // Lookup.
    const idInput = h("input", { name: "id", value: lookupId, placeholder: cfg.idPlaceholder, autocomplete: "off", spellcheck: "false", required: true });
    const lookupBox = h("div", { class: "lookup-box" });
    const lookupForm = h(
      "form",
      { class: "filters", "aria-label": `${cfg.idLabel} lookup` },
      field(cfg.idLabel, idInput),
      h("div", { class: "field field-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "Look up")),
    );
    lookupForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      lookupId = idInput.value.trim();
      remember();
      void lookup();
    });

    // Mart.
    const dateInput = h("input", { name: "date", type: "date", value: date, required: true });
    const martForm = h(
      "form",
      { class: "filters", "aria-label": `${cfg.mart} day` },
      field("Day", dateInput),
      h(
        "div",
        { class: "field field-actions" },
        h("button", { type: "submit", class: "btn btn-primary" }, "Show"),
        h(
          "button",
          {
            type: "button",
            class: "btn btn-quiet",
            onclick: () => {
              dateInput.value = localDate();
              martForm.requestSubmit();
            },
          },
          "Today",
        ),
      ),
    );
    martForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!dateInput.value) return;
      date = dateInput.value;
      remember();
      void loadMart();
    });
    const martStatus = h("div");
    const chartBox = h("div", { class: "charts charts-1" });
    const tableBox = h("div");

    const remember = (): void => replaceParams({ date: date === localDate() ? null : date, id: lookupId });

    const loadMart = async (): Promise<void> => {
      replace(martStatus, loading(`Loading ${cfg.mart}`));
      try {
        const m = await api<Mart>(`/api/v1/marts/${cfg.mart}?date=${encodeURIComponent(date)}`, { signal: scope.signal });
        drawMart(m);
      } catch (e) {
        if (isAbort(e)) return;
        chart?.destroy();
        chart = null;
        replace(chartBox);
        replace(tableBox);
        replace(
          martStatus,
          e instanceof ApiError && e.status === 404
            ? message("empty", `${e.message}. The scheduler builds today's marts every 10 minutes.`)
            : message("error", errorText(e)),
        );
      }
    };

    const drawMart = (m: Mart): void => {
      const { columns, rows } = martRows(m);
      chart?.destroy();
      chart = null;
      replace(chartBox);
      replace(tableBox);
      if (!rows.length) {
        replace(martStatus, message("empty", `No rows in ${m.mart} for ${m.date}: the day has no data yet, or its mart has not been built.`));
        return;
      }
      const value = (r: Row): number => Number(r[cfg.valueColumn] ?? 0) || 0;
      const sorted = [...rows].sort((a, b) => value(b) - value(a));
      const top = sorted.slice(0, TOP);
      replace(martStatus, h("p", { class: "muted small" }, `${int(rows.length)} rows in ${m.mart} for ${m.date}.`));
      chart = barChart({
        title: `Top ${top.length} ${cfg.entity}s by ${cfg.valueLabel.toLowerCase()}, ${m.date}`,
        labels: top.map((r) => r[cfg.idColumn] ?? "?"),
        values: top.map(value),
        seriesLabel: cfg.valueLabel,
        itemLabel: cfg.entity === "user" ? "User" : "Merchant",
        axisFmt: (v) => (isMoney(cfg.valueColumn) ? moneyShort(v) : int(v)),
        color: cfg.color,
        valueFmt: (v) => (isMoney(cfg.valueColumn) ? money(v) : int(v)),
      });
      chartBox.appendChild(chart.el);

      // The day is in the caption: its column is left out.
      const shownCols = columns.filter((c, i) => !(i === 0 && /date/.test(c)));
      const cols: Column<Row>[] = shownCols.map((c) => {
        const numeric = isNumeric(c, rows.find((r) => r[c])?.[c]);
        return {
          label: label(c),
          numeric,
          render: (r: Row) =>
            c === cfg.idColumn && r[c]
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "linkish",
                    onclick: () => {
                      lookupId = r[c]!;
                      idInput.value = lookupId;
                      remember();
                      void lookup(true);
                    },
                  },
                  r[c]!,
                )
              : cell(c, r[c]),
          sortKey: numeric ? (r: Row) => Number(r[c] ?? 0) : (r: Row) => r[c] ?? "",
        };
      });
      let limit = PAGE_ROWS;
      const drawTable = (): void => {
        const valueIdx = shownCols.indexOf(cfg.valueColumn);
        replace(
          tableBox,
          table<Row>({
            caption: `${m.mart}, ${m.date}`,
            columns: cols,
            rows: sorted.slice(0, limit),
            sort: valueIdx >= 0 ? { column: valueIdx, desc: true } : undefined,
          }),
          sorted.length > limit
            ? h(
                "div",
                { class: "pager" },
                h("span", { class: "muted small" }, `Showing the top ${int(limit)} of ${int(sorted.length)} by ${cfg.valueLabel.toLowerCase()}. `),
                h(
                  "button",
                  {
                    type: "button",
                    class: "btn btn-secondary",
                    onclick: () => {
                      limit = Math.min(sorted.length, limit * 5);
                      drawTable();
                    },
                  },
                  "Show more",
                ),
              )
            : null,
        );
      };
      drawTable();
    };

    const lookup = async (focus = false): Promise<void> => {
      if (!lookupId) {
        replace(lookupBox);
        return;
      }
      replace(lookupBox, loading(`Looking up ${lookupId}`));
      try {
        const p = await api<Profile>(cfg.lookupPath(lookupId), { signal: scope.signal });
        drawProfile(p);
        if (focus) (lookupBox.querySelector("h3") as HTMLElement | null)?.focus();
      } catch (e) {
        if (isAbort(e)) return;
        replace(lookupBox, message("error", e instanceof ApiError && e.status === 404 ? `${lookupId}: ${e.message}` : errorText(e)));
      }
    };

    const drawProfile = (p: Profile): void => {
      const skip = new Set(["risk", "recent", "masked"]);
      const pairs: Array<[string, Child]> = Object.entries(p)
        .filter(([k]) => !skip.has(k))
        .map(([k, v]) => [label(k), fmtField(k, v)]);
      const r = p.risk;
      replace(
        lookupBox,
        h(
          "div",
          { class: "card profile" },
          h("div", { class: "detail-head" }, h("h3", { tabindex: "-1" }, `${cfg.idLabel.replace(/ ID$/, "")} ${lookupId}`), p.masked ? maskedBadge() : null),
          h(
            "div",
            { class: "profile-cols" },
            h("div", null, h("h4", null, "Profile"), dl(pairs)),
            r ? h("div", null, h("h4", null, `Risk, last ${r.window_days} days`), riskList(r)) : null,
          ),
          h("h4", null, "Recent transactions"),
          txTable(p.recent ?? [], {
            caption: `Recent transactions of ${lookupId}`,
            user: cfg.entity !== "user",
            merchant: cfg.entity !== "merchant",
          }),
        ),
      );
    };

    replace(
      root,
      h("h1", null, cfg.title),
      h("section", { "aria-labelledby": `${cfg.entity}-lookup-h` }, h("h2", { id: `${cfg.entity}-lookup-h` }, "Look up"), lookupForm, lookupBox),
      h(
        "section",
        { "aria-labelledby": `${cfg.entity}-mart-h` },
        h("h2", { id: `${cfg.entity}-mart-h` }, "Daily mart ", h("code", null, cfg.mart)),
        martForm,
        martStatus,
        chartBox,
        tableBox,
      ),
    );
    void loadMart();
    void lookup();
    return scope.dispose;
  };
}

function fmtField(k: string, v: unknown): Child {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") return isMoney(k) ? money(v) : String(v);
  if (typeof v === "string" && /(_at|_ts)$/.test(k)) return time(v);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function riskList(r: Risk): HTMLElement {
  return dl([
    ["Level", h("span", { class: `badge risk-${String(r.level).toLowerCase()}` }, r.level)],
    ["Transactions", int(r.transactions)],
    ["Flagged", int(r.flagged)],
    ["Monitored", int(r.monitored)],
    ["Fraud rate", pct(r.fraud_rate, 2)],
    ["Successful amount", money(r.successful_amount_php_minor)],
    r.customers !== undefined ? ["Customers", int(r.customers)] : ["Merchants", int(r.merchants)],
    ["Last transaction", time(r.last_transaction_at)],
  ]);
}

export const merchantsPage = martPage({
  title: "Merchants",
  mart: "mart_merchant_performance",
  entity: "merchant",
  idLabel: "Merchant ID",
  idPlaceholder: "M000127",
  idColumn: "merchant_id",
  valueColumn: "total_volume_php",
  valueLabel: "Volume",
  lookupPath: (id) => `/api/v1/merchants/${encodeURIComponent(id)}`,
  color: "#2563eb",
});

export const usersPage = martPage({
  title: "Users",
  mart: "mart_daily_user_dashboard",
  entity: "user",
  idLabel: "User ID",
  idPlaceholder: "U00093772",
  idColumn: "user_id",
  valueColumn: "total_spend_php",
  valueLabel: "Spend",
  lookupPath: (id) => `/api/v1/users/${encodeURIComponent(id)}`,
  color: "#7c3aed",
});
