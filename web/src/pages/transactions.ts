import { api, ApiError, errorText, isAbort, qs } from "../api";
import { field, h, loading, message, replace, select, selectRow, text } from "../dom";
import { localInputToUtc, utcToLocalInput } from "../format";
import { Scope, type Page } from "../page";
import { replaceParams } from "../router";
import type { Page as ApiPage, Transaction, TransactionDetail } from "../types";
import { maskedBadge, ruleIndex, txDetail, txTable } from "../widgets";

const TYPES = ["payment", "transfer", "bills", "remittance", "cash_in", "cash_out", "purchase", "order", "debit", "refund"];
const CHANNELS = ["APP", "WEB", "QR", "USSD"];
const FILTERS = ["user_id", "merchant_id", "type", "channel", "decision", "min_score", "from", "to", "limit"] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

export const transactionsPage: Page = (root, route) => {
  const scope = new Scope();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, route.params.get(k) ?? ""])) as Filters;
  if (!filters.limit) filters.limit = "50";
  /** Cursors of the pages before the current one ("Newer" goes back). */
  const back: Array<string | null> = [];
  let current: string | null = null;
  let next: string | null = null;
  let ctl: AbortController | null = null;
  let detailCtl: AbortController | null = null;
  let listMasked = false;
  let detailMasked = false;

  const inputs = {
    user_id: h("input", { name: "user_id", value: filters.user_id, placeholder: "U00012345", autocomplete: "off", spellcheck: "false" }),
    merchant_id: h("input", { name: "merchant_id", value: filters.merchant_id, placeholder: "M000123", autocomplete: "off", spellcheck: "false" }),
    type: select("type", [["", "Any"], ...TYPES.map((t): [string, string] => [t, t])], filters.type),
    channel: select("channel", [["", "Any"], ...CHANNELS.map((c): [string, string] => [c, c])], filters.channel),
    decision: select("decision", [["", "Any"], ["NORMAL", "NORMAL"], ["MONITOR", "MONITOR"], ["FLAG", "FLAG"]], filters.decision),
    min_score: h("input", { name: "min_score", type: "number", min: 0, max: 100, step: 1, value: filters.min_score }),
    from: h("input", { name: "from", type: "datetime-local", value: utcToLocalInput(filters.from) }),
    to: h("input", { name: "to", type: "datetime-local", value: utcToLocalInput(filters.to) }),
    limit: select("limit", ["20", "50", "100", "200", "500"].map((n): [string, string] => [n, n]), filters.limit),
  };
  const form = h(
    "form",
    { class: "filters", "aria-label": "Transaction filters" },
    field("User ID", inputs.user_id),
    field("Merchant ID", inputs.merchant_id),
    field("Type", inputs.type),
    field("Channel", inputs.channel),
    field("Decision", inputs.decision),
    field("Min score", inputs.min_score),
    field("From (local time)", inputs.from),
    field("To (local time)", inputs.to),
    field("Rows", inputs.limit),
    h(
      "div",
      { class: "field field-actions" },
      h("button", { type: "submit", class: "btn btn-primary" }, "Search"),
      h("button", { type: "reset", class: "btn btn-quiet" }, "Clear"),
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    for (const k of FILTERS) {
      const el = inputs[k];
      filters[k] = k === "from" || k === "to" ? localInputToUtc(el.value) : el.value.trim();
    }
    replaceParams({ ...filters, limit: filters.limit === "50" ? null : filters.limit });
    back.length = 0;
    void load(null);
  });
  form.addEventListener("reset", () => {
    window.setTimeout(() => {
      inputs.limit.value = "50";
      form.requestSubmit();
    });
  });

  const status = h("div");
  const listBox = h("div", { class: "list-box" });
  const badgeBox = h("span");
  const pageInfo = h("span", { class: "muted small", "aria-live": "polite" });
  const newer = h("button", { type: "button", class: "btn btn-secondary", disabled: true }, "Newer");
  const older = h("button", { type: "button", class: "btn btn-secondary", disabled: true }, "Older");
  newer.addEventListener("click", () => {
    if (!back.length) return;
    const prev = back.pop() ?? null;
    void load(prev);
  });
  older.addEventListener("click", () => {
    if (!next) return;
    back.push(current);
    void load(next);
  });
  const detail = h("section", { class: "detail", "aria-label": "Transaction detail", hidden: true });
  detail.addEventListener("keydown", (ev) => {
    // Escape closes the panel (not while typing a note).
    if (ev.key === "Escape" && !(ev.target instanceof HTMLTextAreaElement)) detail.querySelector<HTMLButtonElement>("button.close")?.click();
  });

  const load = async (cursor: string | null): Promise<void> => {
    ctl?.abort();
    const c = new AbortController();
    ctl = c;
    scope.add(() => c.abort());
    replace(status, loading("Loading transactions"));
    older.disabled = newer.disabled = true;
    try {
      const page = await api<ApiPage<Transaction>>(`/api/v1/analytics/transactions${qs({ ...filters, cursor })}`, { signal: c.signal });
      current = cursor;
      next = page.next_cursor === null || page.next_cursor === undefined ? null : String(page.next_cursor);
      replace(status);
      listMasked = !!page.masked;
      showBadge();
      replace(
        listBox,
        txTable(page.data, {
          caption: "Transactions, newest first",
          onOpen: (t, tr) => {
            selectRow(tr);
            void openTx(t);
          },
          empty: "No transactions match these filters.",
        }),
      );
      text(pageInfo, `Page ${back.length + 1} · ${page.data.length} row${page.data.length === 1 ? "" : "s"}`);
      older.disabled = !next;
      newer.disabled = back.length === 0;
    } catch (e) {
      if (isAbort(e)) return;
      replace(status, message("error", errorText(e)));
      newer.disabled = back.length === 0;
    }
  };

  const openTx = async (row: Transaction): Promise<void> => {
    detailCtl?.abort();
    const c = new AbortController();
    detailCtl = c;
    scope.add(() => c.abort());
    detail.hidden = false;
    root.classList.add("with-detail");
    replace(detail, loading("Loading transaction"));
    let d: TransactionDetail;
    let note: string | null = null;
    try {
      d = await api<TransactionDetail>(`/api/v1/transactions/${encodeURIComponent(row.transaction_id)}`, { signal: c.signal });
    } catch (e) {
      if (isAbort(e)) return;
      // Servers without GET /api/v1/transactions/{id}: the list's row is the whole record.
      const missingRoute = e instanceof ApiError && (e.status === 405 || (e.status === 404 && /route/i.test(e.message)));
      if (!missingRoute) {
        replace(detail, closeBtn(), message("error", errorText(e)));
        return;
      }
      d = { transaction: row, masked: listMasked };
      note = "Shown from the list (this server has no transaction detail route).";
    }
    const rules = await ruleIndex();
    if (c.signal.aborted) return;
    const heading = h("h2", { id: "tx-detail-h", tabindex: "-1" }, "Transaction");
    replace(
      detail,
      h("div", { class: "detail-head" }, heading, closeBtn()),
      note ? h("p", { class: "muted small" }, note) : null,
      txDetail(d.transaction, rules),
    );
    detail.setAttribute("aria-labelledby", heading.id);
    detailMasked = !!d.masked;
    showBadge();
    heading.focus();
  };

  /** One "PII masked" badge for the page: the list or the open transaction is masked. */
  const showBadge = (): void => {
    const on = listMasked || (!detail.hidden && detailMasked);
    if (on !== !!badgeBox.firstChild) replace(badgeBox, on ? maskedBadge() : null);
  };

  const closeBtn = (): HTMLButtonElement =>
    h(
      "button",
      {
        type: "button",
        class: "btn btn-quiet close",
        "aria-label": "Close transaction detail",
        onclick: () => {
          detail.hidden = true;
          root.classList.remove("with-detail");
          showBadge();
          const sel = listBox.querySelector("tr.selected") as HTMLElement | null;
          sel?.classList.remove("selected");
          sel?.focus();
        },
      },
      "✕",
    );

  replace(
    root,
    h("div", { class: "page-head" }, h("h1", null, "Transactions"), badgeBox),
    form,
    h(
      "div",
      { class: "split" },
      h(
        "section",
        { class: "list", "aria-label": "Transactions" },
        status,
        listBox,
        h("div", { class: "pager" }, newer, older, pageInfo),
      ),
      detail,
    ),
  );
  void load(null);
  return scope.dispose;
};
