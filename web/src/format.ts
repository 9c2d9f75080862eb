import { h } from "./dom";

const digitsCache = new Map<string, number>();
const moneyCache = new Map<string, Intl.NumberFormat>();

/** Decimal places of a currency's minor unit (PHP 2, JPY 0), from the browser's ICU. */
export function currencyDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return d;
}

/** Money from integer minor units: money(123456) -> "₱1,234.56". */
export function money(minor: number | null | undefined, currency = "PHP"): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return "—";
  const digits = currencyDigits(currency);
  let f = moneyCache.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, {
        style: "currency",
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    } catch {
      f = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyCache.set(currency, f);
  }
  return f.format(minor / 10 ** digits);
}

let shortFmt: Intl.NumberFormat | null = null;
/** Compact PHP for chart axes: 20000000 minor -> "₱200K". */
export function moneyShort(minor: number): string {
  if (!shortFmt) {
    try {
      shortFmt = new Intl.NumberFormat(undefined, { style: "currency", currency: "PHP", notation: "compact", maximumFractionDigits: 1 });
    } catch {
      shortFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
    }
  }
  return shortFmt.format(minor / 100);
}

const intFmt = new Intl.NumberFormat();
export function int(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : intFmt.format(Math.round(n));
}

export function num(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return n.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** 0.0123 -> "1.23%" */
export function pct(ratio: number | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${(ratio * 100).toFixed(digits)}%`;
}

const dtFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

export function parseTime(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A <time> in the browser's local time; the UTC value is its title. */
export function time(iso: string | null | undefined, short = false): Node | string {
  const d = parseTime(iso);
  if (!d) return iso ? iso : "—";
  return h(
    "time",
    { datetime: d.toISOString(), title: `${d.toISOString().replace(".000Z", "Z")} (UTC)` },
    short && sameDay(d, new Date()) ? timeFmt.format(d) : dtFmt.format(d),
  );
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** YYYY-MM-DD of the browser's local day. */
export function localDate(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A datetime-local value (local wall time) as RFC 3339 UTC; "" stays "". */
export function localInputToUtc(value: string): string {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

/** RFC 3339 as a datetime-local value in the browser's zone. */
export function utcToLocalInput(iso: string): string {
  const d = parseTime(iso);
  if (!d) return "";
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The "R006: PHP 1.00 from HK; R004: ..." reasons text as [rule, text] pairs. */
export function splitReasons(reasons: string | null | undefined): Array<[string, string]> {
  if (!reasons) return [];
  return reasons
    .split(/;\s+/)
    .filter((r) => r.trim() !== "")
    .map((r) => {
      const m = /^(R?[A-Za-z0-9_-]+):\s*(.*)$/.exec(r.trim());
      return m ? [m[1], m[2]] : ["", r.trim()];
    });
}

export function shortId(id: string, keep = 8): string {
  return id.length > keep + 1 ? `${id.slice(0, keep)}…` : id;
}
