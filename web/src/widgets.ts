// Pieces several pages share: badges, a transaction table, a transaction's detail.

import { api } from "./api";
import { dl, h, table, type Child, type Column } from "./dom";
import { money, shortId, splitReasons, time } from "./format";
import { href } from "./router";
import type { Rules, RuleInfo, Transaction } from "./types";

export function decisionBadge(d: string | null | undefined): HTMLElement {
  const v = d ?? "—";
  return h("span", { class: `badge dec-${v.toLowerCase()}` }, v);
}

export function statusBadge(s: string | null | undefined): HTMLElement {
  const v = s ?? "—";
  return h("span", { class: `badge st-${v.toLowerCase()}` }, v);
}

export function scoreBadge(n: number | null | undefined): HTMLElement {
  const v = n ?? 0;
  const level = v >= 70 ? "high" : v >= 40 ? "mid" : v > 0 ? "low" : "none";
  return h("span", { class: `score score-${level}`, title: `fraud score ${v} of 100` }, String(n ?? "—"));
}

export function maskedBadge(): HTMLElement {
  return h(
    "span",
    { class: "badge badge-masked", "data-testid": "pii-masked", title: "Your role sees personal data masked by the server" },
    "PII masked",
  );
}

export function userLink(id: string | null | undefined): Child {
  return id ? h("a", { href: href("users", { id }) }, id) : "—";
}

export function merchantLink(id: string | null | undefined): Child {
  return id ? h("a", { href: href("merchants", { id }) }, id) : "—";
}

/** rules_fired as a list: arrays, "R001,R004" strings, or null. */
export function rulesFired(r: Transaction["rules_fired"]): string[] {
  if (!r) return [];
  if (Array.isArray(r)) return r;
  return r
    .split(/[,;\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Amount in PHP, plus the original currency when it differs. */
export function amountCell(tx: Pick<Transaction, "amount" | "amount_php_minor">): Child {
  const php = money(tx.amount_php_minor, "PHP");
  if (tx.amount && tx.amount.currency && tx.amount.currency !== "PHP") {
    return h("span", null, php, h("span", { class: "muted small" }, ` (${money(tx.amount.minor, tx.amount.currency)})`));
  }
  return php;
}

let rulesPromise: Promise<Map<string, RuleInfo>> | null = null;
/** The ruleset's rules by id (fetched once per page load; failures give an empty map). */
export function ruleIndex(): Promise<Map<string, RuleInfo>> {
  if (!rulesPromise) {
    rulesPromise = api<Rules>("/api/v1/rules")
      .then((r) => new Map(r.rules.map((x) => [x.id, x])))
      .catch(() => {
        rulesPromise = null;
        return new Map<string, RuleInfo>();
      });
  }
  return rulesPromise;
}

export function forgetRules(): void {
  rulesPromise = null;
}

export function txColumns(opts: { user?: boolean; merchant?: boolean } = {}): Column<Transaction>[] {
  const cols: Column<Transaction>[] = [
    { label: "Time", render: (t) => time(t.event_ts, true) },
    { label: "Transaction", cls: "col-opt", render: (t) => h("code", { title: t.transaction_id }, shortId(t.transaction_id, 13)) },
  ];
  if (opts.user !== false) cols.push({ label: "User", render: (t) => t.user_id });
  if (opts.merchant !== false) cols.push({ label: "Merchant", render: (t) => t.merchant_id ?? "—" });
  cols.push(
    { label: "Type", render: (t) => t.type },
    { label: "Channel", cls: "col-opt", render: (t) => t.channel ?? "—" },
    { label: "Amount", numeric: true, render: (t) => amountCell(t) },
    { label: "Country", cls: "col-opt", render: (t) => t.country ?? "—" },
    { label: "Score", numeric: true, render: (t) => scoreBadge(t.fraud_score) },
    { label: "Decision", render: (t) => decisionBadge(t.decision) },
    { label: "Rules", render: (t) => rulesFired(t.rules_fired).join(", ") || "—" },
  );
  return cols;
}

export function txTable(
  rows: Transaction[],
  opts: { caption: string; onOpen?: (t: Transaction, tr: HTMLTableRowElement) => void; user?: boolean; merchant?: boolean; empty?: string },
): HTMLElement {
  return table<Transaction>({
    caption: opts.caption,
    captionHidden: true,
    columns: txColumns(opts),
    rows,
    rowAttrs: (t) => ({ "data-testid": "tx-row", "data-transaction-id": t.transaction_id }),
    onOpen: opts.onOpen,
    rowLabel: (t) => `Transaction ${t.transaction_id}, ${t.type}, ${money(t.amount_php_minor)}, ${t.decision}`,
    empty: opts.empty ?? "No transactions.",
  });
}

/** Rules that fired, each with its name and the reason text. */
export function firedList(tx: Pick<Transaction, "rules_fired" | "reasons">, rules: Map<string, RuleInfo>): HTMLElement {
  const fired = rulesFired(tx.rules_fired);
  const reasons = splitReasons(tx.reasons);
  const byRule = new Map<string, string[]>();
  const loose: string[] = [];
  for (const [rule, textPart] of reasons) {
    if (rule) byRule.set(rule, [...(byRule.get(rule) ?? []), textPart]);
    else loose.push(textPart);
  }
  const ids = [...new Set([...fired, ...byRule.keys()])];
  if (!ids.length && !loose.length) return h("p", { class: "muted" }, "No rule fired.");
  return h(
    "ul",
    { class: "fired" },
    ...ids.map((id) => {
      const info = rules.get(id);
      return h(
        "li",
        null,
        h("strong", null, id),
        info ? ` ${info.name} (score ${info.score})` : "",
        ...(byRule.get(id) ?? []).map((r) => h("div", { class: "reason" }, r)),
      );
    }),
    ...loose.map((r) => h("li", null, h("div", { class: "reason" }, r))),
  );
}

/** Every field of one transaction. */
export function txDetail(tx: Transaction, rules: Map<string, RuleInfo>): HTMLElement {
  return h(
    "div",
    { class: "tx-detail" },
    dl([
      ["Transaction", h("code", null, tx.transaction_id)],
      ["Time", time(tx.event_ts)],
      ["User", userLink(tx.user_id)],
      ["Merchant", merchantLink(tx.merchant_id)],
      ["Type", tx.type],
      ["Amount", amountCell(tx)],
      ["Channel", tx.channel],
      ["Status", tx.status],
      ["Place", [tx.city, tx.province, tx.country].filter((x) => x).join(", ")],
      ["Device", tx.device_id ? h("code", null, tx.device_id) : null],
      ["IP hash", tx.ip_hash ? h("code", { class: "hash" }, tx.ip_hash) : null],
      ["Phone hash", tx.phone_hash ? h("code", { class: "hash" }, tx.phone_hash) : null],
      ["Product", tx.product_id ? `${tx.product_id}${tx.quantity ? ` × ${tx.quantity}` : ""}` : null],
      ["Fraud score", scoreBadge(tx.fraud_score)],
      ["Decision", decisionBadge(tx.decision)],
    ]),
    h("h4", null, "Rules fired"),
    firedList(tx, rules),
  );
}
