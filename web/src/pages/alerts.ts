import { api, ApiError, canEditAlerts, errorText, isAbort, qs } from "../api";
import { dl, field, h, loading, message, replace, select, selectRow, table, text } from "../dom";
import { money, time } from "../format";
import { live } from "../live";
import { Scope, type Page } from "../page";
import { href, replaceParams } from "../router";
import type { Alert, AlertDetail, AlertStatus, Page as ApiPage, RuleInfo, Transaction } from "../types";
import { firedList, maskedBadge, ruleIndex, scoreBadge, statusBadge, txDetail, txTable, userLink } from "../widgets";

const STATUSES: AlertStatus[] = ["NEW", "INVESTIGATING", "CONFIRMED", "DISMISSED"];

/** The transitions the server allows from each status. */
const NEXT: Record<string, Array<{ to: AlertStatus; label: string; testid: string; cls: string }>> = {
  NEW: [{ to: "INVESTIGATING", label: "Start investigating", testid: "alert-investigate", cls: "btn-primary" }],
  INVESTIGATING: [
    { to: "CONFIRMED", label: "Confirm fraud", testid: "alert-confirm", cls: "btn-danger" },
    { to: "DISMISSED", label: "Dismiss", testid: "alert-dismiss", cls: "btn-secondary" },
  ],
};

export const alertsPage: Page = (root, route) => {
  const scope = new Scope();
  const p = route.params;
  let filters = {
    status: STATUSES.includes(p.get("status") as AlertStatus) ? (p.get("status") as string) : "NEW",
    rule: p.get("rule") ?? "",
    min_score: p.get("min_score") ?? "",
  };
  let alerts: Alert[] = [];
  let cursor: string | number | null = null;
  let openId: number | null = p.get("id") ? Number(p.get("id")) : null;
  let rules = new Map<string, RuleInfo>();
  let listCtl: AbortController | null = null;
  let detailCtl: AbortController | null = null;

  // Filters.
  const statusSel = select("status", STATUSES.map((s) => [s, s]), filters.status);
  const ruleSel = select("rule", [["", "Any rule"]], filters.rule);
  const minScore = h("input", { name: "min_score", type: "number", min: 0, max: 100, step: 1, inputmode: "numeric", value: filters.min_score });
  const form = h(
    "form",
    { class: "filters", "aria-label": "Alert filters" },
    field("Status", statusSel),
    field("Rule", ruleSel),
    field("Min score", minScore),
    h("div", { class: "field field-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "Apply")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    filters = { status: statusSel.value, rule: ruleSel.value, min_score: minScore.value };
    void reload();
  });
  statusSel.addEventListener("change", () => form.requestSubmit());
  ruleSel.addEventListener("change", () => form.requestSubmit());

  const listBox = h("div", { class: "list-box" });
  const listStatus = h("div", { class: "list-status" });
  const more = h("button", { type: "button", class: "btn btn-secondary", hidden: true }, "Load more");
  more.addEventListener("click", () => void loadPage(true));
  const fresh = h("button", { type: "button", class: "btn btn-notice", hidden: true });
  fresh.addEventListener("click", () => void reload());
  const counter = h("p", { class: "muted small", "aria-live": "polite" });
  const detail = h("section", { class: "detail", "aria-label": "Alert detail", hidden: true });
  detail.addEventListener("keydown", (ev) => {
    // Escape closes the panel (not while typing a note).
    if (ev.key === "Escape" && !(ev.target instanceof HTMLTextAreaElement)) detail.querySelector<HTMLButtonElement>("button.close")?.click();
  });

  let newSince = 0;
  scope.add(
    live.alerts.on(() => {
      newSince += 1;
      live.markAlertsSeen();
      if (filters.status === "NEW") {
        fresh.hidden = false;
        text(fresh, `${newSince} new alert${newSince === 1 ? "" : "s"}: show`);
      }
    }),
  );

  const drawList = (): void => {
    const t = table<Alert>({
      caption: `Alerts, ${filters.status}, newest first`,
      captionHidden: true,
      columns: [
        { label: "Alert", render: (a) => `#${a.alert_id}` },
        { label: "Created", render: (a) => time(a.created_at, true) },
        {
          label: "Rule",
          render: (a) => h("span", null, a.alert_type || a.rule || "—", a.reasons ? h("div", { class: "muted small reason-line" }, a.reasons) : null),
        },
        { label: "Score", numeric: true, render: (a) => scoreBadge(a.fraud_score) },
        { label: "Amount", numeric: true, render: (a) => money(a.amount_php_minor) },
        { label: "User", render: (a) => a.user_id },
        { label: "Status", cls: "col-opt", render: (a) => statusBadge(a.status) },
      ],
      rows: alerts,
      rowAttrs: (a) => ({ "data-testid": "alert-row", "data-alert-id": String(a.alert_id) }),
      rowLabel: (a) => `Alert ${a.alert_id}, ${a.alert_type}, score ${a.fraud_score}, ${money(a.amount_php_minor)}`,
      onOpen: (a, tr) => {
        selectRow(tr);
        void openAlert(a.alert_id, a);
      },
      empty: `No ${filters.status.toLowerCase()} alerts match.`,
    });
    replace(listBox, t);
    if (openId !== null) selectRow(listBox.querySelector(`tr[data-alert-id="${openId}"]`));
    text(counter, alerts.length ? `${alerts.length} alert${alerts.length === 1 ? "" : "s"} shown${cursor ? ", more available" : ""}.` : "");
  };

  const loadPage = async (append: boolean): Promise<void> => {
    listCtl?.abort();
    const ctl = new AbortController();
    listCtl = ctl;
    scope.add(() => ctl.abort());
    more.disabled = true;
    if (!append) replace(listStatus, loading("Loading alerts"));
    try {
      const page = await api<ApiPage<Alert>>(
        `/api/v1/analytics/fraud-alerts${qs({
          status: filters.status,
          limit: 50,
          rule: filters.rule,
          min_score: filters.min_score,
          cursor: append ? cursor : null,
        })}`,
        { signal: ctl.signal },
      );
      alerts = append ? [...alerts, ...page.data] : page.data;
      cursor = page.next_cursor ?? null;
      replace(listStatus);
      drawList();
      more.hidden = !cursor;
    } catch (e) {
      if (!isAbort(e)) replace(listStatus, message("error", `Alerts: ${errorText(e)}`));
    } finally {
      more.disabled = false;
    }
  };

  const reload = async (): Promise<void> => {
    newSince = 0;
    fresh.hidden = true;
    cursor = null;
    replaceParams({ status: filters.status === "NEW" ? null : filters.status, rule: filters.rule, min_score: filters.min_score, id: openId });
    await loadPage(false);
  };

  /** The alert, its transaction and whether it is masked; falls back to the list's row and
   * the user's recent transactions on servers without GET /api/v1/alerts/{id}. */
  const fetchDetail = async (id: number, row: Alert | undefined, signal: AbortSignal): Promise<AlertDetail> => {
    try {
      return await api<AlertDetail>(`/api/v1/alerts/${id}`, { signal });
    } catch (e) {
      const missingRoute = e instanceof ApiError && (e.status === 405 || (e.status === 404 && /route/i.test(e.message)));
      if (!missingRoute || !row) throw e;
      const recent = await api<ApiPage<Transaction>>(`/api/v1/analytics/transactions${qs({ user_id: row.user_id, limit: 50 })}`, { signal });
      return { alert: row, transaction: recent.data.find((t) => t.transaction_id === row.transaction_id) ?? null, masked: !!recent.masked };
    }
  };

  const openAlert = async (id: number, row?: Alert, focus = true): Promise<void> => {
    openId = id;
    replaceParams({ status: filters.status === "NEW" ? null : filters.status, rule: filters.rule, min_score: filters.min_score, id });
    detailCtl?.abort();
    const ctl = new AbortController();
    detailCtl = ctl;
    scope.add(() => ctl.abort());
    detail.hidden = false;
    root.classList.add("with-detail");
    replace(detail, loading(`Loading alert #${id}`));
    try {
      const [d, ruleMap] = await Promise.all([fetchDetail(id, row, ctl.signal), ruleIndex()]);
      rules = ruleMap;
      const recent = await api<ApiPage<Transaction>>(
        `/api/v1/analytics/transactions${qs({ user_id: d.alert.user_id, limit: 10 })}`,
        { signal: ctl.signal },
      ).catch((e: unknown) => (isAbort(e) ? Promise.reject(e) : e));
      drawDetail(d, recent, focus);
    } catch (e) {
      if (isAbort(e)) return;
      replace(detail, closeButton(), message("error", `Alert #${id}: ${errorText(e)}`));
    }
  };

  const closeButton = (): HTMLButtonElement =>
    h(
      "button",
      {
        type: "button",
        class: "btn btn-quiet close",
        "aria-label": "Close alert detail",
        onclick: () => {
          const was = openId;
          openId = null;
          detail.hidden = true;
          root.classList.remove("with-detail");
          replaceParams({ status: filters.status === "NEW" ? null : filters.status, rule: filters.rule, min_score: filters.min_score });
          listBox.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
          (listBox.querySelector(`tr[data-alert-id="${was}"]`) as HTMLElement | null)?.focus();
        },
      },
      "✕",
    );

  const drawDetail = (d: AlertDetail, recent: ApiPage<Transaction> | unknown, focus: boolean): void => {
    const a = d.alert;
    const heading = h("h2", { id: "alert-detail-h", tabindex: "-1" }, `Alert #${a.alert_id}`);
    const parts: HTMLElement[] = [
      h("div", { class: "detail-head" }, heading, statusBadge(a.status), d.masked ? maskedBadge() : null, closeButton()),
      dl([
        ["Rule", a.alert_type || a.rule],
        ["Fraud score", scoreBadge(a.fraud_score)],
        ["Amount", money(a.amount_php_minor)],
        ["User", userLink(a.user_id)],
        ["Created", time(a.created_at)],
        ["Updated", time(a.updated_at)],
        ["Investigated by", a.investigated_by],
        ["Note", a.note ? h("span", { class: "note" }, a.note) : null],
      ]),
    ];
    if (canEditAlerts()) parts.push(actions(a));
    parts.push(h("h3", null, "Transaction"));
    if (d.transaction) parts.push(txDetail(d.transaction, rules));
    else {
      parts.push(
        message("info", `Transaction ${a.transaction_id} is not available here.`),
        h("h4", null, "Rules fired"),
        firedList({ rules_fired: a.rule ? [a.rule] : [], reasons: a.reasons }, rules),
      );
    }
    parts.push(h("h3", null, "Recent activity of ", a.user_id));
    if (recent && typeof recent === "object" && "data" in recent) {
      const r = recent as ApiPage<Transaction>;
      parts.push(
        txTable(r.data, { caption: `Recent transactions of ${a.user_id}`, user: false, empty: "No transactions." }),
        h("p", null, h("a", { href: href("transactions", { user_id: a.user_id }) }, `All transactions of ${a.user_id}`)),
      );
    } else {
      parts.push(message("error", `Recent activity: ${errorText(recent)}`));
    }
    replace(detail, ...parts);
    detail.setAttribute("aria-labelledby", heading.id);
    if (focus) heading.focus();
  };

  const actions = (a: Alert): HTMLElement => {
    const legal = NEXT[a.status] ?? [];
    const box = h("div", { class: "actions card" }, h("h3", null, "Case work"));
    if (!legal.length) {
      box.appendChild(h("p", { class: "muted" }, `This alert is ${a.status}: no further changes.`));
      return box;
    }
    const note = h("textarea", { name: "note", rows: 3, maxlength: 2000, "data-testid": "alert-note" });
    const status = h("div", { class: "action-status" });
    const buttons = legal.map((l) =>
      h(
        "button",
        {
          type: "button",
          class: `btn ${l.cls}`,
          "data-testid": l.testid,
          onclick: () => void change(a, l.to, note.value, status, buttons),
        },
        l.label,
      ),
    );
    box.append(field("Note (optional)", note), h("div", { class: "btn-row" }, ...buttons), status);
    return box;
  };

  const change = async (a: Alert, to: AlertStatus, note: string, status: HTMLElement, buttons: HTMLButtonElement[]): Promise<void> => {
    buttons.forEach((b) => (b.disabled = true));
    replace(status, message("info", "Saving…"));
    try {
      const body: { status: AlertStatus; note?: string } = { status: to };
      if (note.trim()) body.note = note.trim();
      const updated = await api<Alert>(`/api/v1/alerts/${a.alert_id}`, { method: "PATCH", body, signal: scope.signal });
      void loadPage(false); // the alert leaves (or enters) this queue
      const row = updated && updated.alert_id === a.alert_id ? updated : { ...a, status: to, note: body.note ?? a.note };
      await openAlert(a.alert_id, row, true);
      caseMessage("info", `Alert #${a.alert_id} is now ${to}.`);
    } catch (e) {
      if (isAbort(e)) return;
      if (e instanceof ApiError && e.status === 409) {
        // Someone else moved it: show its current state with the buttons legal now.
        void loadPage(false);
        await openAlert(a.alert_id, alerts.find((x) => x.alert_id === a.alert_id) ?? a, false);
        caseMessage("error", `Not changed: ${e.message}`);
        return;
      }
      replace(status, message("error", errorText(e)));
      buttons.forEach((b) => (b.disabled = false));
    }
  };

  /** A message in the (re-drawn) case-work box. */
  const caseMessage = (kind: "info" | "error", msg: string): void => {
    const box = detail.querySelector(".action-status") ?? detail.querySelector(".actions");
    if (!box) return;
    if (box.classList.contains("action-status")) replace(box, message(kind, msg));
    else box.appendChild(message(kind, msg));
  };

  replace(
    root,
    h("div", { class: "page-head" }, h("h1", null, "Alerts"), fresh),
    form,
    h(
      "div",
      { class: "split" },
      h("section", { class: "list", "aria-label": "Alert queue" }, listStatus, listBox, counter, h("div", { class: "pager" }, more)),
      detail,
    ),
  );

  // Rules for the filter and the detail's rule names.
  void ruleIndex().then((m) => {
    if (!scope.alive) return;
    rules = m;
    for (const r of m.values()) ruleSel.appendChild(h("option", { value: r.id }, `${r.id} ${r.name}`));
    if (filters.rule && !m.has(filters.rule)) ruleSel.appendChild(h("option", { value: filters.rule }, filters.rule));
    ruleSel.value = filters.rule;
  });
  void loadPage(false);
  if (openId !== null && Number.isInteger(openId) && openId > 0) void openAlert(openId, undefined, false);
  return scope.dispose;
};
