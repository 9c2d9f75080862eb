// Tiny DOM helpers. Every string goes in as a text node or an attribute value, never as
// HTML, so data from the API cannot inject markup.

export type Child = Node | string | number | null | undefined | false;
type Handler = (ev: Event) => void;

export interface Attrs {
  [name: string]: string | number | boolean | null | undefined | Handler | Record<string, Handler>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "on" && typeof value === "object") {
        for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
      } else if (typeof value === "function") {
        el.addEventListener(name.replace(/^on/, "").toLowerCase(), value as Handler);
      } else if (name === "value" || name === "checked" || name === "disabled" || name === "selected") {
        (el as unknown as Record<string, unknown>)[name] = value;
        if (value === true) el.setAttribute(name, "");
      } else {
        el.setAttribute(name === "className" ? "class" : name, value === true ? "" : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

export function text(el: Element | null, value: string): void {
  if (el && el.textContent !== value) el.textContent = value;
}

let idSeq = 0;
/** A document-unique id for label/input pairs. */
export function uid(prefix = "f"): string {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

/** A labelled form control: <div class="field"><label for>..</label>control</div>. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLDivElement {
  if (!control.id) control.id = uid();
  const wrap = h("div", { class: "field" }, h("label", { for: control.id }, label), control);
  if (hint) {
    const hintEl = h("small", { class: "hint", id: `${control.id}-hint` }, hint);
    control.setAttribute("aria-describedby", hintEl.id);
    wrap.appendChild(hintEl);
  }
  return wrap;
}

export function select(
  name: string,
  options: Array<[value: string, label: string]>,
  value = "",
): HTMLSelectElement {
  const s = h("select", { name });
  for (const [v, l] of options) s.appendChild(h("option", { value: v, selected: v === value }, l));
  s.value = value;
  return s;
}

/** A status line for errors (role=alert) or information (role=status). */
export function message(kind: "error" | "info" | "empty", msg: string): HTMLParagraphElement {
  return h("p", { class: `msg msg-${kind}`, role: kind === "error" ? "alert" : "status" }, msg);
}

export function loading(what = "Loading"): HTMLParagraphElement {
  return h("p", { class: "msg msg-loading", role: "status" }, `${what}…`);
}

/** A definition list from label/value pairs (values may be nodes). */
export function dl(pairs: Array<[string, Child]>, cls = "kv"): HTMLDListElement {
  const list = h("dl", { class: cls });
  for (const [k, v] of pairs) {
    list.appendChild(h("dt", null, k));
    list.appendChild(h("dd", null, v === null || v === undefined || v === "" ? "—" : v));
  }
  return list;
}

export interface Column<T> {
  label: string;
  render: (row: T) => Child;
  numeric?: boolean;
  /** Text for sorting; tables with sortable columns get header buttons. */
  sortKey?: (row: T) => number | string;
  cls?: string;
}

export interface TableOptions<T> {
  caption?: string;
  captionHidden?: boolean;
  columns: Column<T>[];
  rows: T[];
  /** Extra attributes of each <tr> (data-testid, data-*-id). */
  rowAttrs?: (row: T) => Record<string, string>;
  /** Rows become focusable and open on click, Enter or Space. */
  onOpen?: (row: T, tr: HTMLTableRowElement) => void;
  rowLabel?: (row: T) => string;
  empty?: string;
  sort?: { column: number; desc: boolean };
}

/** A data table with <th scope>, optional sortable headers and openable rows. */
export function table<T>(opts: TableOptions<T>): HTMLElement {
  const wrap = h("div", { class: "table-wrap" });
  let sort = opts.sort ? { ...opts.sort } : null;
  const draw = (): void => {
    const t = h("table", { class: "data" });
    if (opts.caption) t.appendChild(h("caption", { class: opts.captionHidden ? "sr-only" : null }, opts.caption));
    const headRow = h("tr");
    opts.columns.forEach((c, i) => {
      const th = h("th", { scope: "col", class: [c.numeric ? "num" : "", c.cls ?? ""].join(" ").trim() || null });
      if (c.sortKey) {
        const active = sort?.column === i;
        th.setAttribute("aria-sort", active ? (sort!.desc ? "descending" : "ascending") : "none");
        th.appendChild(
          h(
            "button",
            {
              type: "button",
              class: "sort",
              onclick: () => {
                sort = { column: i, desc: active ? !sort!.desc : true };
                draw();
                (wrap.querySelectorAll("th button.sort")[i] as HTMLButtonElement | undefined)?.focus();
              },
            },
            c.label,
            h("span", { "aria-hidden": "true", class: "sort-mark" }, active ? (sort!.desc ? " ▼" : " ▲") : ""),
          ),
        );
      } else {
        th.textContent = c.label;
      }
      headRow.appendChild(th);
    });
    t.appendChild(h("thead", null, headRow));
    let rows = opts.rows;
    if (sort && opts.columns[sort.column]?.sortKey) {
      const key = opts.columns[sort.column].sortKey!;
      const dir = sort.desc ? -1 : 1;
      rows = [...rows].sort((a, b) => {
        const x = key(a);
        const y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
    }
    const body = h("tbody");
    for (const row of rows) {
      const tr = h("tr", opts.rowAttrs ? opts.rowAttrs(row) : null);
      opts.columns.forEach((c, i) => {
        const cellCls = [c.numeric ? "num" : "", c.cls ?? ""].join(" ").trim() || null;
        const content = c.render(row);
        tr.appendChild(i === 0 ? h("th", { scope: "row", class: cellCls }, content) : h("td", { class: cellCls }, content));
      });
      if (opts.onOpen) {
        const open = opts.onOpen;
        tr.tabIndex = 0;
        tr.classList.add("openable");
        if (opts.rowLabel) tr.setAttribute("aria-label", opts.rowLabel(row));
        tr.addEventListener("click", (ev) => {
          if ((ev.target as HTMLElement).closest("a,button,input,select,textarea")) return;
          open(row, tr);
        });
        tr.addEventListener("keydown", (ev) => {
          if (ev.target !== tr) return;
          if (ev.key === "Enter" || ev.key === " ") {
            ev.preventDefault();
            open(row, tr);
          } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
            ev.preventDefault();
            const next = (ev.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
            next?.focus();
          }
        });
      }
      body.appendChild(tr);
    }
    t.appendChild(body);
    replace(wrap, t);
    if (!rows.length && opts.empty) wrap.appendChild(message("empty", opts.empty));
  };
  draw();
  return wrap;
}

/** Marks `tr` as the selected row of its table body. */
export function selectRow(tr: HTMLTableRowElement | null): void {
  if (!tr) return;
  tr.parentElement?.querySelectorAll("tr.selected").forEach((r) => {
    r.classList.remove("selected");
    r.removeAttribute("aria-current");
  });
  tr.classList.add("selected");
  tr.setAttribute("aria-current", "true");
}
